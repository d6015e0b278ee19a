// Locale-aware formatting of money, numbers and times (Asia/Shanghai).
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

const TIME_ZONE = 'Asia/Shanghai';

export function formatNumber(value: number): string {
	return new Intl.NumberFormat(getLocale()).format(value);
}

export function formatYuan(value: number | null): string {
	if (value === null) return '—';
	return m.money_yuan({ amount: new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 0 }).format(value) });
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
