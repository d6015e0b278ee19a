// The keys that reach `messageByKey` as strings (zod issue messages, `{ error: 'key' }`, and keys
// written at a call of messageByKey) all name a message: a typo would otherwise show the generic
// "unexpected error" in place of the real explanation, silently.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';

function sourceFiles(directory: string): string[] {
	return readdirSync(directory).flatMap((name) => {
		const file = path.join(directory, name);
		if (file === path.join('src', 'lib', 'paraglide')) return [];
		if (statSync(file).isDirectory()) return sourceFiles(file);
		return /\.(ts|svelte)$/.test(name) ? [file] : [];
	});
}

/** A zod check's message (`{ error: 'key' }`, `{ message: 'key' }`: not a service's `{ ok: false, error }`) or a literal given to messageByKey. */
const KEY_PATTERNS = [
	/(?<!ok: false, )\{ (?:error|message): '([a-z][a-z0-9_]*)' \}/g,
	/messageByKey\('([a-z][a-z0-9_]*)'/g
];

function keysWritten(): { key: string; file: string }[] {
	const found: { key: string; file: string }[] = [];
	for (const file of sourceFiles('src')) {
		const source = readFileSync(file, 'utf8');
		for (const pattern of KEY_PATTERNS)
			for (const match of source.matchAll(pattern)) found.push({ key: match[1]!, file });
	}
	return found;
}

describe('message keys written as strings', () => {
	it('are found in the sources (the patterns still match how schemas are written)', () => {
		expect(keysWritten().length).toBeGreaterThan(50);
	});

	it('each name a message', () => {
		const missing = keysWritten().filter(({ key }) => typeof (m as Record<string, unknown>)[key] !== 'function');
		expect(missing).toEqual([]);
	});
});
