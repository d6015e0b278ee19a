// Paraglide really compiled the messages (a CDN-loaded plugin would silently compile none),
// and both languages have every key.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';

const zh = JSON.parse(readFileSync('messages/zh-CN.json', 'utf8')) as Record<string, string>;
const en = JSON.parse(readFileSync('messages/en.json', 'utf8')) as Record<string, string>;

describe('messages', () => {
	it('renders a known message in Chinese by default and in English on request', () => {
		expect(m.nav_projects()).toBe('候选项目');
		expect(m.nav_projects({}, { locale: 'en' })).toBe('Candidates');
		expect(m.error_over_limit({ marked: 11, seats: 10 })).toBe('您选择了 11 项，超过了最多 10 项的限制，请减少选择。');
	});

	it('has the same keys in both languages, none empty', () => {
		expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
		for (const [key, value] of [...Object.entries(zh), ...Object.entries(en)]) expect(value.trim(), key).not.toBe('');
	});

	it('has a compiled function for every message key', () => {
		for (const key of Object.keys(zh).filter((key) => key !== '$schema')) {
			expect(typeof (m as unknown as Record<string, unknown>)[key], key).toBe('function');
		}
	});
});
