// Refusals from the database are decoded in one place (src/lib/server/db/refusal.ts), by code: every
// SQLSTATE a migration raises has a name there, and no code in src/ or scripts/ recognises a
// database error by the text of its message or compares SQLSTATEs of refusals by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	CONSTRAINT_REFUSALS,
	isConstraintRefusal,
	isRefusal,
	REFUSAL_CODES,
	refusalOf
} from '../../src/lib/server/db/refusal';

const MIGRATIONS = 'migrations';

/** The SQLSTATEs of class PJ that the migrations raise, with the files that raise each. */
function raisedCodes(): Map<string, string[]> {
	const codes = new Map<string, string[]>();
	for (const file of readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql'))) {
		const text = readFileSync(path.join(MIGRATIONS, file), 'utf8');
		for (const match of text.matchAll(/errcode\s*=\s*'(PJ[0-9A-Z]{3})'/g)) {
			const code = match[1] as string;
			codes.set(code, [...new Set([...(codes.get(code) ?? []), file])]);
		}
	}
	return codes;
}

describe('the table of refusals', () => {
	it('names every code a migration raises, and no code that none raises', () => {
		const raised = raisedCodes();
		const named = REFUSAL_CODES.map((entry) => entry.code as string);
		expect([...raised.keys()].filter((code) => !named.includes(code))).toEqual([]);
		expect(named.filter((code) => !raised.has(code))).toEqual([]);
		// The older refusals all have a code of issue 17's block now.
		expect([...raised.keys()].filter((code) => code.startsWith('PJ8')).length).toBeGreaterThanOrEqual(40);
	});

	it('gives each code one name and each name one code', () => {
		const all = [...REFUSAL_CODES, ...CONSTRAINT_REFUSALS];
		expect(new Set(all.map((entry) => entry.code)).size).toBe(all.length);
		expect(new Set(all.map((entry) => entry.refusal)).size).toBe(all.length);
	});
});

describe('refusalOf', () => {
	it('names a trigger refusal by its SQLSTATE, whatever its message says', () => {
		expect(refusalOf({ code: 'PJ801', message: 'anything at all' })).toEqual({
			refusal: 'candidate_frozen',
			code: 'PJ801',
			constraint: null
		});
		expect(refusalOf({ code: 'PJ202' })?.refusal).toBe('not_checked_in');
		expect(isRefusal({ code: 'PJ865' }, 'session_not_open', 'round_not_open')).toBe(true);
		expect(isRefusal({ code: 'PJ865' }, 'session_not_open')).toBe(false);
	});

	it('names an integrity refusal with the constraint that refused', () => {
		const duplicate = { code: '23505', constraint_name: 'candidate_title_key' };
		expect(refusalOf(duplicate)).toEqual({
			refusal: 'unique_violation',
			code: '23505',
			constraint: 'candidate_title_key'
		});
		expect(isConstraintRefusal(duplicate, 'unique_violation', 'candidate_title_key')).toBe(true);
		expect(isConstraintRefusal(duplicate, 'unique_violation', 'category_name_key')).toBe(false);
		expect(refusalOf({ code: '23503' })?.constraint).toBeNull();
	});

	it('is null for what is no refusal: the old default code, other SQLSTATEs, errors without a code', () => {
		expect(refusalOf({ code: 'P0001', message: 'candidate 1 is frozen: voting session 2 is open' })).toBeNull();
		expect(refusalOf({ code: '57P01' })).toBeNull();
		expect(refusalOf({ code: 'ECONNRESET' })).toBeNull();
		expect(refusalOf(new Error('is not open'))).toBeNull();
		expect(refusalOf(null)).toBeNull();
		expect(refusalOf('PJ801')).toBeNull();
	});
});

// ---------------------------------------------------------------- no text matching, one way

interface Finding {
	file: string;
	line: number;
	text: string;
	why: string;
}

/** What recognising a database error by hand looks like. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
	{ pattern: /\.(test|exec|match|search)\(\s*[\w.?()]*\bmessage\b/, why: 'matches the text of a message' },
	{
		pattern: /\bmessage\b\)?\??\.(includes|match|matchAll|startsWith|endsWith|search|indexOf|localeCompare)\(/,
		why: 'matches the text of a message'
	},
	{ pattern: /\.message\s*[!=]==?\s*['"`]/, why: 'compares the text of a message' },
	{ pattern: /['"`]P0001['"`]/, why: 'the default SQLSTATE says nothing: give the refusal a code' },
	{
		pattern: /['"`](PJ[0-9A-Z]{3}|23[0-9A-Z]{3})['"`]/,
		why: 'a refusal is recognised through refusalOf (src/lib/server/db/refusal.ts), not by its SQLSTATE'
	}
];

/** Text matches that are not of a database message, each with its reason. */
const ALLOWED: { file: string; pattern: RegExp }[] = [
	// A TypeError thrown inside postgres.js (an upstream bug the guard recognises), not a database message.
	{ file: 'src/lib/server/db/driver.ts', pattern: /Cannot read properties of null/ }
];

function findings(file: string, source: string): Finding[] {
	const found: Finding[] = [];
	source.split('\n').forEach((text, index) => {
		for (const { pattern, why } of FORBIDDEN) {
			if (!pattern.test(text)) continue;
			if (ALLOWED.some((allowed) => allowed.file === file && allowed.pattern.test(text))) continue;
			found.push({ file, line: index + 1, text: text.trim(), why });
		}
	});
	return found;
}

function sourceFiles(directory: string): string[] {
	return readdirSync(directory).flatMap((name) => {
		const file = path.join(directory, name);
		if (file === path.join('src', 'lib', 'paraglide')) return [];
		if (statSync(file).isDirectory()) return sourceFiles(file);
		return /\.(ts|js|svelte)$/.test(name) ? [file.split(path.sep).join('/')] : [];
	});
}

describe('recognising database errors', () => {
	it('happens nowhere by the text of a message, and by SQLSTATE only in refusal.ts', () => {
		const found = [...sourceFiles('src'), ...sourceFiles('scripts')]
			.filter((file) => file !== 'src/lib/server/db/refusal.ts')
			.flatMap((file) => findings(file, readFileSync(file, 'utf8')));
		expect(found).toEqual([]);
	});

	it('would catch the ways it was done before issue 17', () => {
		const before = [
			`if (code === 'P0001' && /is frozen/.test(message ?? '')) return { ok: false, problem: 'frozen' };`,
			`if ((error as { message?: string }).message?.includes('is not open'))`,
			`if (code === '23503' && /voting_session_candidate/.test(message ?? '')) return { ok: false };`,
			`if ((error as { code?: string }).code === 'PJ202') return { code: 'not_checked_in' };`,
			`if (error.message === 'is not open') return null;`
		];
		for (const line of before) expect(findings('src/example.ts', line), line).not.toEqual([]);
		expect(findings('src/example.ts', `if (isRefusal(error, 'session_not_open')) return null;`)).toEqual([]);
	});
});
