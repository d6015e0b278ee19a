// The projector's pages (issue 15): chosen first, then the rest, every row on exactly one page.
import { describe, expect, it } from 'vitest';
import {
	notYetCast,
	projectorPages,
	projectorPageSeconds,
	PROJECTOR_PAGE_SECONDS
} from '../../src/lib/domain/projector';
import type { CandidateOutcome } from '../../src/lib/domain/counting';

const ranking = (chosen: number, tied: number, rest: number) => [
	...Array.from({ length: chosen }, (_, index) => ({ id: index, outcome: 'chosen' as CandidateOutcome })),
	...Array.from({ length: tied }, (_, index) => ({ id: 100 + index, outcome: 'tied' as CandidateOutcome })),
	...Array.from({ length: rest }, (_, index) => ({ id: 200 + index, outcome: 'not_chosen' as CandidateOutcome }))
];

describe('projector pages', () => {
	it('puts the 10 chosen of 34 on the first page and the other 24 on two more', () => {
		const pages = projectorPages(ranking(10, 0, 24), 12);
		expect(pages.map((page) => [page.kind, page.rows.length])).toEqual([
			['chosen', 10],
			['rest', 12],
			['rest', 12]
		]);
	});
	it('keeps tied projects with the chosen', () => {
		const pages = projectorPages(ranking(8, 3, 5), 12);
		expect(pages[0]!.rows.map((row) => row.outcome)).toEqual([...Array(8).fill('chosen'), 'tied', 'tied', 'tied']);
		expect(pages[1]).toEqual({ kind: 'rest', rows: ranking(0, 0, 5) });
	});
	it('shows every row exactly once, in order, and never an empty page', () => {
		for (const [chosen, tied, rest] of [
			[0, 0, 0],
			[0, 0, 7],
			[13, 0, 0],
			[10, 2, 25]
		] as const) {
			const rows = ranking(chosen, tied, rest);
			const pages = projectorPages(rows, 12);
			expect(pages.flatMap((page) => page.rows)).toEqual(rows);
			for (const page of pages) expect(page.rows.length).toBeGreaterThan(0);
			for (const page of pages) expect(page.rows.length).toBeLessThanOrEqual(12);
		}
	});
	it('reads the paging speed within bounds', () => {
		expect(projectorPageSeconds('8')).toBe(8);
		expect(projectorPageSeconds('1')).toBe(PROJECTOR_PAGE_SECONDS);
		expect(projectorPageSeconds('abc')).toBe(PROJECTOR_PAGE_SECONDS);
		expect(projectorPageSeconds(null)).toBe(PROJECTOR_PAGE_SECONDS);
	});
	it('counts who is checked in and has not voted, never below zero', () => {
		expect(notYetCast(430, 400)).toBe(30);
		expect(notYetCast(3, 5)).toBe(0);
	});
});
