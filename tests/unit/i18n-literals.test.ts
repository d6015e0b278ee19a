// Every word a user reads comes from Paraglide: no Chinese or English text sits in the markup of a
// .svelte file, neither between tags nor in the attributes people read or hear (placeholder,
// aria-label, title, alt, …). Only what is not language is allowed: punctuation, numbers, symbols.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

/** Attributes whose text a user reads or a screen reader speaks. */
const USER_FACING_ATTRIBUTES = new Set([
	'placeholder',
	'aria-label',
	'aria-description',
	'aria-roledescription',
	'aria-valuetext',
	'title',
	'alt',
	'label',
	'content'
]);
/** A word: a Han character, or two Latin letters in a row. */
const WORD = /\p{Script=Han}|\p{Script=Latin}{2,}/u;
/** Text that is not language (the brand is a name, the same in both languages). */
const ALLOWED = new Set<string>([]);

interface Literal {
	file: string;
	line: number;
	text: string;
}

interface Node {
	type?: string;
	name?: string;
	start?: number;
	data?: string;
	value?: unknown;
	[key: string]: unknown;
}

/** The literal words in a component's markup (not in its script or style). */
function literalsIn(source: string, file = 'component.svelte'): Literal[] {
	const found: Literal[] = [];
	const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
	const visit = (node: unknown): void => {
		if (Array.isArray(node)) return node.forEach(visit);
		if (!node || typeof node !== 'object') return;
		const current = node as Node;
		if (current.type === 'Attribute') {
			if (USER_FACING_ATTRIBUTES.has(current.name ?? '') && Array.isArray(current.value)) current.value.forEach(visit);
			return;
		}
		if (current.type === 'Text') {
			const text = (current.data ?? '').trim();
			if (WORD.test(text) && !ALLOWED.has(text)) found.push({ file, line: lineOf(current.start ?? 0), text });
			return;
		}
		if (current.type === 'Comment' || current.type === 'Script' || current.type === 'StyleSheet') return;
		for (const [key, value] of Object.entries(current))
			if (key !== 'metadata' && value && typeof value === 'object') visit(value);
	};
	visit(parse(source, { modern: true }).fragment);
	return found;
}

function svelteFiles(directory: string): string[] {
	return readdirSync(directory).flatMap((name) => {
		const file = path.join(directory, name);
		if (statSync(file).isDirectory()) return name === 'paraglide' ? [] : svelteFiles(file);
		return name.endsWith('.svelte') ? [file] : [];
	});
}

describe('user-facing text in .svelte files', () => {
	it('finds a literal in text, in a user-facing attribute, and in a block; ignores names, expressions and comments', () => {
		const found = literalsIn(
			`<script>let x = '不是标记';</script>
			<p class="lead" title="Close">{x} · 42 {'表达式'}</p>
			<!-- 注释 -->
			{#if x}<button aria-label={x}>确认</button>{/if}
			<input name="title" placeholder="such as 2026" /><img alt="Logo" src="/a.svg" />`
		).map((literal) => literal.text);
		expect(found).toEqual(['Close', '确认', 'such as 2026', 'Logo']);
	});

	it('has none in the app', () => {
		const files = svelteFiles('src');
		expect(files.length).toBeGreaterThan(30);
		const found = files
			.flatMap((file) => literalsIn(readFileSync(file, 'utf8'), file))
			.map((literal) => `${literal.file}:${literal.line} ${JSON.stringify(literal.text)}`);
		expect(found, 'move these texts into messages/<area>/{zh-CN,en}.json').toEqual([]);
	});
});
