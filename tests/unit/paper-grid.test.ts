// Paper ballots keyed as a grid (issue 15): the form read, the method's notation, the comparison.
import { describe, expect, it } from 'vitest';
import {
	compareGrids,
	gridRowCount,
	gridToPaperLines,
	readGridForm,
	trimEmptyRows,
	type PaperGridRow
} from '../../src/lib/domain/paper-grid';
import { readPaperBallots } from '../../src/lib/domain/paper';

function form(entries: [string, string][]): FormData {
	const data = new FormData();
	for (const [name, value] of entries) data.append(name, value);
	return data;
}

describe('reading a keyed grid', () => {
	it('reads ticks, choices and void rows, ignoring cells outside the grid', () => {
		const rows = readGridForm(
			form([
				['cell-1-2', 'for'],
				['cell-1-5', 'against'],
				['cell-2-1', 'abstain'],
				['void-3', 'yes'],
				['cell-4-1', 'for'],
				['cell-1-9', 'for'],
				['cell-1-3', 'maybe'],
				['rows', '3']
			]),
			3,
			5
		);
		expect(rows).toEqual([
			{ void: false, marks: { '2': 'for', '5': 'against' } },
			{ void: false, marks: { '1': 'abstain' } },
			{ void: true, marks: {} }
		]);
	});
	it('drops empty rows at the end only', () => {
		const empty = { void: false, marks: {} };
		const ticked = { void: false, marks: { '1': 'for' as const } };
		expect(trimEmptyRows([ticked, empty, ticked, empty, empty])).toEqual([ticked, empty, ticked]);
	});
	it('bounds the number of rows', () => {
		expect(gridRowCount('20')).toBe(20);
		expect(gridRowCount('0')).toBe(10);
		expect(gridRowCount('9999')).toBe(10);
		expect(gridRowCount(null)).toBe(10);
	});
});

describe('a grid in the paper notation', () => {
	const rows: PaperGridRow[] = [
		{ void: false, marks: { '1': 'for', '3': 'for' } },
		{ void: false, marks: {} },
		{ void: true, marks: { '2': 'for' } },
		{ void: false, marks: { '1': 'for', '2': 'for', '3': 'for' } }
	];
	it('becomes positions, 空白 and 作废 for approval, read by the same rules as typed ballots', () => {
		const lines = gridToPaperLines('approval', rows, 3);
		expect(lines).toEqual(['1 3', '空白', '作废', '1 2 3']);
		const reading = readPaperBallots('approval', 2, [11, 12, 13], lines.join('\n'));
		expect(reading.ok).toBe(true);
		if (!reading.ok) return;
		expect(reading.ballots).toHaveLength(4);
		// Three ticks for two seats: void, as on paper.
		expect(reading.voidCount).toBe(2);
		expect(reading.blankCount).toBe(1);
	});
	it('becomes a letter per candidate for for/against/abstain, an empty cell refused by its row', () => {
		const lines = gridToPaperLines(
			'for_against_abstain',
			[
				{ void: false, marks: { '1': 'for', '2': 'against', '3': 'abstain' } },
				{ void: false, marks: { '1': 'for', '3': 'abstain' } }
			],
			3
		);
		expect(lines).toEqual(['YNA', 'Y?A']);
		const reading = readPaperBallots('for_against_abstain', 2, [11, 12, 13], lines.join('\n'));
		expect(reading.ok).toBe(false);
		if (reading.ok) return;
		expect(reading.problems).toEqual([{ line: 2, code: 'unreadable', value: '?' }]);
	});
});

describe('comparing two keyings', () => {
	const first: PaperGridRow[] = [
		{ void: false, marks: { '1': 'for', '3': 'for' } },
		{ void: false, marks: { '2': 'for' } }
	];
	it('finds no difference between equal grids', () => {
		expect(compareGrids(first, structuredClone(first), 3)).toEqual([]);
	});
	it('names every differing cell and void mark with both values', () => {
		const second: PaperGridRow[] = [
			{ void: false, marks: { '1': 'for' } },
			{ void: true, marks: { '2': 'for', '3': 'for' } }
		];
		expect(compareGrids(first, second, 3)).toEqual([
			{ row: 1, position: 3, first: 'for', second: null },
			{ row: 2, position: null, first: null, second: 'void' },
			{ row: 2, position: 3, first: null, second: 'for' }
		]);
	});
	it('counts a missing row as a difference', () => {
		expect(compareGrids(first, first.slice(0, 1), 3)).toEqual([{ row: 2, position: 2, first: 'for', second: null }]);
	});
});
