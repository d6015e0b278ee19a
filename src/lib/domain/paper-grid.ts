// Paper ballots keyed as a grid (issue 15): one row per paper ballot, one column per candidate in
// ballot order, each cell the mark on the paper (a tick, or 赞成 / 反对 / 弃权), and a row may be
// marked void by the scrutineers. Keyed twice by two people; the two grids must agree cell by cell.
// A grid becomes the method's paper notation, one line per ballot, and is read by the same rules as
// a typed batch (readPaperBallots): one reading of paper ballots, wherever they come from.
import type { BallotMethod } from './types';

export type GridMark = 'for' | 'against' | 'abstain';

export interface PaperGridRow {
	/** Found void by the scrutineers (unreadable, marked outside the boxes …). */
	void: boolean;
	/** Ballot position (1-based) → the mark; an unmarked cell is absent. */
	marks: Record<string, GridMark>;
}

/** Ballots in a grid at most (a batch is a stack the scrutineers count in one go). */
export const MAX_GRID_ROWS = 200;
export const DEFAULT_GRID_ROWS = 10;

const MARKS = new Set<string>(['for', 'against', 'abstain']);

/** The number of rows asked for (`?rows=`), within bounds. */
export function gridRowCount(value: string | null | undefined): number {
	const rows = Number(value);
	return Number.isInteger(rows) && rows >= 1 && rows <= MAX_GRID_ROWS ? rows : DEFAULT_GRID_ROWS;
}

/**
 * The grid from a form: `cell-<row>-<position>` ("for", "against", "abstain"; a tick box sends
 * "for") and `void-<row>` ("yes"), rows and positions from 1. Anything else is ignored.
 */
export function readGridForm(form: FormData, rowCount: number, candidateCount: number): PaperGridRow[] {
	const rows: PaperGridRow[] = Array.from({ length: rowCount }, () => ({ void: false, marks: {} }));
	for (const [name, value] of form.entries()) {
		if (typeof value !== 'string') continue;
		const cell = /^cell-(\d+)-(\d+)$/.exec(name);
		if (cell) {
			const row = Number(cell[1]);
			const position = Number(cell[2]);
			if (row >= 1 && row <= rowCount && position >= 1 && position <= candidateCount && MARKS.has(value))
				rows[row - 1]!.marks[String(position)] = value as GridMark;
			continue;
		}
		const voided = /^void-(\d+)$/.exec(name);
		if (voided && value === 'yes') {
			const row = Number(voided[1]);
			if (row >= 1 && row <= rowCount) rows[row - 1]!.void = true;
		}
	}
	return rows;
}

/** A row left entirely empty at the end of the grid (fewer ballots than rows offered) is dropped. */
export function trimEmptyRows(rows: readonly PaperGridRow[]): PaperGridRow[] {
	let end = rows.length;
	while (end > 0 && !rows[end - 1]!.void && Object.keys(rows[end - 1]!.marks).length === 0) end -= 1;
	return rows.slice(0, end);
}

/**
 * The grid in the method's paper notation, one line per ballot: approval, the positions ticked
 * ("3 7 12", "空白" for none); for / against / abstain, a letter per candidate (Y / N / A, "?" for a
 * cell left empty, which the reading then refuses); "作废" for a void row.
 */
export function gridToPaperLines(
	method: BallotMethod,
	rows: readonly PaperGridRow[],
	candidateCount: number
): string[] {
	const letters: Record<GridMark, string> = { for: 'Y', against: 'N', abstain: 'A' };
	return rows.map((row) => {
		if (row.void) return '作废';
		const positions = Array.from({ length: candidateCount }, (_, index) => index + 1);
		if (method === 'approval') {
			const ticked = positions.filter((position) => row.marks[String(position)] === 'for');
			return ticked.length === 0 ? '空白' : ticked.join(' ');
		}
		return positions.map((position) => letters[row.marks[String(position)]!] ?? '?').join('');
	});
}

/** A cell (or a row's void mark, `position` null) where the two keyings differ. */
export interface GridMismatch {
	row: number;
	position: number | null;
	first: GridMark | 'void' | null;
	second: GridMark | 'void' | null;
}

/** Where two keyings of the same stack differ; empty when they agree (and have as many rows). */
export function compareGrids(
	first: readonly PaperGridRow[],
	second: readonly PaperGridRow[],
	candidateCount: number
): GridMismatch[] {
	const mismatches: GridMismatch[] = [];
	const rows = Math.max(first.length, second.length);
	for (let index = 0; index < rows; index += 1) {
		const one = first[index] ?? { void: false, marks: {} };
		const two = second[index] ?? { void: false, marks: {} };
		if (one.void !== two.void)
			mismatches.push({
				row: index + 1,
				position: null,
				first: one.void ? 'void' : null,
				second: two.void ? 'void' : null
			});
		for (let position = 1; position <= candidateCount; position += 1) {
			const a = one.marks[String(position)] ?? null;
			const b = two.marks[String(position)] ?? null;
			if (a !== b) mismatches.push({ row: index + 1, position, first: a, second: b });
		}
	}
	return mismatches;
}
