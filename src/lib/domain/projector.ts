// What the hall's projector shows, page by page (issue 15): the chosen projects first and large,
// then the rest of the ranking in pages of a fixed size, so that every title is shown whole. Pure:
// the rows come from the published tally, in rank order.
import type { CandidateOutcome } from './counting';

/** Rows on a projector page (at 1920×1080 twelve rows keep titles whole at the screen's type size). */
export const PROJECTOR_ROWS_PER_PAGE = 12;
/** Seconds each page stays up when the projector pages by itself, unless `?every=` says otherwise. */
export const PROJECTOR_PAGE_SECONDS = 12;

export interface ProjectorPage<Row> {
	/** `chosen`: the chosen (and tied) projects; `rest`: the others, in rank order. */
	kind: 'chosen' | 'rest';
	rows: Row[];
}

function chunks<Row>(rows: Row[], size: number): Row[][] {
	const result: Row[][] = [];
	for (let start = 0; start < rows.length; start += size) result.push(rows.slice(start, start + size));
	return result;
}

/** The pages of a ranking: the chosen and tied rows first, then the rest; never an empty page. */
export function projectorPages<Row extends { outcome: CandidateOutcome }>(
	rows: readonly Row[],
	perPage = PROJECTOR_ROWS_PER_PAGE
): ProjectorPage<Row>[] {
	const size = Math.max(1, Math.floor(perPage));
	const leading = rows.filter((row) => row.outcome !== 'not_chosen');
	const rest = rows.filter((row) => row.outcome === 'not_chosen');
	return [
		...chunks(leading, size).map((page) => ({ kind: 'chosen' as const, rows: page })),
		...chunks(rest, size).map((page) => ({ kind: 'rest' as const, rows: page }))
	];
}

/** Seconds per page from `?every=` (5 to 120), else the default. */
export function projectorPageSeconds(value: string | null): number {
	const seconds = Number(value);
	return Number.isInteger(seconds) && seconds >= 5 && seconds <= 120 ? seconds : PROJECTOR_PAGE_SECONDS;
}

/** Checked in and not yet voted (未投): who the hall is still waiting for. Never below zero. */
export function notYetCast(present: number, cast: number): number {
	return Math.max(0, present - cast);
}
