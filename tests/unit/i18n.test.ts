// Paraglide really compiled the messages (a CDN-loaded plugin would silently compile none),
// and both languages have every key, across all the message files the project names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';

const settings = JSON.parse(readFileSync('project.inlang/settings.json', 'utf8')) as {
	locales: string[];
	'plugin.inlang.messageFormat': { pathPattern: string | string[] };
};
const patterns = [settings['plugin.inlang.messageFormat'].pathPattern].flat();

/** A message is a text, or (for plurals) variants whose texts sit in `match`. */
function textsOf(message: unknown): string[] {
	if (typeof message === 'string') return [message];
	if (Array.isArray(message)) return message.flatMap(textsOf);
	if (message && typeof message === 'object' && 'match' in message)
		return Object.values((message as { match: Record<string, string> }).match);
	return [''];
}

function messagesOf(locale: string): Map<string, { file: string; text: string }> {
	const messages = new Map<string, { file: string; text: string }>();
	for (const pattern of patterns) {
		const file = pattern.replace('{locale}', locale);
		for (const [key, message] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)) {
			if (key === '$schema') continue;
			expect(messages.has(key), `${key} is defined twice (${file})`).toBe(false);
			const texts = textsOf(message);
			messages.set(key, { file, text: texts.some((text) => text.trim() === '') ? '' : texts.join(' | ') });
		}
	}
	return messages;
}

describe('messages', () => {
	it('renders a known message in Chinese by default and in English on request', () => {
		expect(m.nav_projects()).toBe('候选项目');
		expect(m.nav_projects({}, { locale: 'en' })).toBe('Candidates');
		expect(m.error_over_limit({ marked: 11, seats: 10 })).toBe('您选择了 11 项，超过了最多 10 项的限制，请减少选择。');
	});

	it('has the same keys in both languages, none empty', () => {
		const zh = messagesOf('zh-CN');
		const en = messagesOf('en');
		expect([...en.keys()].sort()).toEqual([...zh.keys()].sort());
		for (const [key, { text }] of [...zh, ...en]) expect(text.trim(), key).not.toBe('');
	});

	it('has a compiled function for every message key', () => {
		for (const key of messagesOf('zh-CN').keys()) {
			expect(typeof (m as unknown as Record<string, unknown>)[key], key).toBe('function');
		}
	});
});
