// Locale-aware formatting of money, numbers and times (Asia/Shanghai).
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

const TIME_ZONE = 'Asia/Shanghai';

// Building an Intl formatter costs far more than using one (tens of microseconds, and pages format
// hundreds of values): one formatter per locale and kind, made on first use and kept.
const formatters = new Map<string, { format(value: number | Date): string }>();

function formatter(kind: 'number' | 'yuan' | 'yuanCompact' | 'date' | 'dateTime', locale: string) {
	const key = `${kind}|${locale}`;
	let cached = formatters.get(key);
	if (!cached) {
		if (kind === 'number') cached = new Intl.NumberFormat(locale);
		else if (kind === 'yuan') cached = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
		else if (kind === 'yuanCompact')
			cached = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 2 });
		else if (kind === 'date') cached = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'long' });
		else cached = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'medium' });
		formatters.set(key, cached);
	}
	return cached;
}

export function formatNumber(value: number): string {
	return formatter('number', getLocale()).format(value);
}

export function formatYuan(value: number | null): string {
	if (value === null) return '—';
	// Chinese readers count large sums in 万 and 亿 (3.6亿元); others get every digit.
	const locale = getLocale();
	const compact = locale.startsWith('zh') && value >= 10_000;
	return m.money_yuan({ amount: formatter(compact ? 'yuanCompact' : 'yuan', locale).format(value) });
}

export function formatDate(value: string | Date | null): string {
	if (value === null) return '—';
	const date = typeof value === 'string' ? new Date(`${value}T00:00:00+08:00`) : value;
	return formatter('date', getLocale()).format(date);
}

export function formatDateTime(value: string | Date | null): string {
	if (value === null) return '—';
	return formatter('dateTime', getLocale()).format(typeof value === 'string' ? new Date(value) : value);
}

export function percent(part: number, whole: number): number {
	return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}
