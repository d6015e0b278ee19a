// Numbers, money and times as each language writes them: times in Beijing time (Asia/Shanghai)
// whatever the server's own zone, money in 元 with thousands separators (万/亿 in Chinese).
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatNumber, formatYuan } from '../../src/lib/format';
import { overwriteGetLocale } from '../../src/lib/paraglide/runtime';

function inLocale<T>(locale: 'zh-CN' | 'en', run: () => T): T {
	overwriteGetLocale(() => locale);
	return run();
}

describe('formatting in the reader’s language', () => {
	afterEach(() => overwriteGetLocale(() => 'zh-CN'));

	it('writes times in Beijing time, in each language’s order', () => {
		// 16:30 UTC is half past midnight the next day in Beijing.
		const moment = new Date('2026-01-15T16:30:05Z');
		expect(inLocale('zh-CN', () => formatDateTime(moment))).toBe('2026年1月16日 00:30:05');
		expect(inLocale('en', () => formatDateTime(moment))).toBe('Jan 16, 2026, 12:30:05 AM');
		expect(inLocale('zh-CN', () => formatDate(moment))).toBe('2026年1月16日');
		expect(inLocale('en', () => formatDate(moment))).toBe('January 16, 2026');
		// A calendar date is the Beijing day it names.
		expect(inLocale('en', () => formatDate('2026-03-01'))).toBe('March 1, 2026');
	});

	it('groups thousands, and writes money in 元 (万 and 亿 for large Chinese sums)', () => {
		expect(inLocale('zh-CN', () => formatNumber(1234567))).toBe('1,234,567');
		expect(inLocale('en', () => formatNumber(1234567))).toBe('1,234,567');
		expect(inLocale('en', () => formatYuan(123456789))).toBe('123,456,789 yuan');
		expect(inLocale('zh-CN', () => formatYuan(9876))).toBe('9,876元');
		expect(inLocale('zh-CN', () => formatYuan(12_000_000))).toBe('1200万元');
		expect(inLocale('zh-CN', () => formatYuan(360_000_000))).toBe('3.6亿元');
		expect(inLocale('zh-CN', () => formatYuan(null))).toBe('—');
	});
});
