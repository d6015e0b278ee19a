// Locale-aware formatting of money, numbers and times (Asia/Shanghai).
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

const TIME_ZONE = 'Asia/Shanghai';

export function formatNumber(value: number): string {
	return new Intl.NumberFormat(getLocale()).format(value);
}

export function formatYuan(value: number | null): string {
	if (value === null) return '—';
	// Chinese readers count large sums in 万 and 亿 (3.6亿元); others get every digit.
	const chinese = getLocale().startsWith('zh');
	const amount = new Intl.NumberFormat(getLocale(), chinese && value >= 10_000 ? { notation: 'compact', maximumFractionDigits: 2 } : { maximumFractionDigits: 0 }).format(value);
	return m.money_yuan({ amount });
}

export function formatDate(value: string | Date | null): string {
	if (value === null) return '—';
	const date = typeof value === 'string' ? new Date(`${value}T00:00:00+08:00`) : value;
	return new Intl.DateTimeFormat(getLocale(), { timeZone: TIME_ZONE, dateStyle: 'long' }).format(date);
}

export function formatDateTime(value: string | Date | null): string {
	if (value === null) return '—';
	return new Intl.DateTimeFormat(getLocale(), { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'medium' }).format(
		typeof value === 'string' ? new Date(value) : value
	);
}

export function percent(part: number, whole: number): number {
	return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}
