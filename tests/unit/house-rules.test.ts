// The house's layout rules (docs/map.md), checked over the source tree: a route imports shared UI
// from src/lib, never from another route's folder; shared components and label helpers take no
// types from $lib/server (what a component shows is described in $lib/domain).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(directory: string): string[] {
	return readdirSync(path.join(ROOT, directory), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile() && /\.(ts|svelte)$/.test(entry.name))
		.map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
	const text = readFileSync(path.join(ROOT, file), 'utf8');
	return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

describe('the layout of the house', () => {
	it('no route imports from another route’s folder (shared UI lives in src/lib/components/<area>/)', () => {
		const crossing = sourceFiles('src/routes').flatMap((file) =>
			importsOf(file)
				.filter((specifier) => specifier.startsWith('.'))
				.filter((specifier) => {
					const target = path.normalize(path.join(path.dirname(file), specifier));
					return path.dirname(target) !== path.dirname(file);
				})
				.map((specifier) => `${file} imports ${specifier}`)
		);
		expect(crossing).toEqual([]);
	});

	it('components and label helpers import nothing from $lib/server', () => {
		const serverImports = [...sourceFiles('src/lib/components'), ...sourceFiles('src/lib/labels')].flatMap((file) =>
			importsOf(file)
				.filter((specifier) => specifier.startsWith('$lib/server') || specifier.includes('/server/'))
				.map((specifier) => `${file} imports ${specifier}`)
		);
		expect(serverImports).toEqual([]);
	});
});
