// The geometry of the results page's bar chart (issue 15): one row per candidate in rank order, its
// whole title on top (wrapped over lines, never cut), the bar under it, the votes at its end and
// the majority line across all bars. SVG user units; pure: the numbers come from the published tally.
import type { CandidateOutcome, Tally } from '$lib/domain/counting';

export const CHART_WIDTH = 900;
export const CHART_FONT_SIZE = 34;
const LINE_HEIGHT = 44;
const TOP = 56;
const BAR_HEIGHT = 26;
const BAR_GAP = 8;
const ROW_GAP = 22;
/** Room at the right of the bars for the votes. */
const VOTES_WIDTH = 130;
/** Characters of the prefix ("12. ✓ ") count into the first line. */
const MAX_LINE_EM = CHART_WIDTH / CHART_FONT_SIZE - 0.5;

export interface ResultChartRow {
	candidateId: number;
	rank: number;
	outcome: CandidateOutcome;
	votes: number;
	/** The whole title over as many lines as it needs (the first starts with the rank). */
	lines: string[];
	top: number;
	/** Baselines of the title's lines. */
	lineYs: number[];
	barY: number;
	barWidth: number;
}

export interface ResultChartLayout {
	width: number;
	height: number;
	barMax: number;
	barHeight: number;
	rows: ResultChartRow[];
	threshold: { votes: number; x: number };
}

/** How wide a text is in units of its font size: CJK and full-width characters 1, others about 0.56. */
export function textWidthInEm(text: string): number {
	let width = 0;
	for (const character of text) {
		const code = character.codePointAt(0) ?? 0;
		width += code >= 0x1100 && (code <= 0x115f || code >= 0x2e80) ? 1 : 0.56;
	}
	return width;
}

/**
 * The text in lines no wider than `maxEm`, every character kept: a line breaks at the last space
 * when there is one in its second half (English words stay whole), else between any two characters
 * (Chinese has no spaces and breaks anywhere).
 */
export function wrapText(text: string, maxEm: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const character of text) {
		if (line !== '' && textWidthInEm(line + character) > maxEm) {
			const space = line.lastIndexOf(' ');
			if (space > line.length / 2) {
				lines.push(line.slice(0, space));
				line = line.slice(space + 1);
			} else {
				lines.push(line);
				line = '';
			}
		}
		line += character;
	}
	if (line !== '' || lines.length === 0) lines.push(line.trimStart());
	return lines;
}

export function resultChartLayout(tally: Tally, titles: Record<string, string>): ResultChartLayout {
	const barMax = CHART_WIDTH - VOTES_WIDTH;
	// Bars against the threshold's base (e.g. all enrolled delegates), so the majority line sits at its half.
	const scale = Math.max(1, tally.thresholdBaseCount, ...tally.candidates.map((row) => row.for));
	let y = TOP;
	const rows = tally.candidates.map((row): ResultChartRow => {
		const sign = row.outcome === 'chosen' ? '✓ ' : row.outcome === 'tied' ? '＝ ' : '';
		const lines = wrapText(`${row.rank}. ${sign}${titles[row.candidateId] ?? `#${row.candidateId}`}`, MAX_LINE_EM);
		const top = y;
		const lineYs = lines.map((_, index) => top + (index + 0.8) * LINE_HEIGHT);
		const barY = top + lines.length * LINE_HEIGHT + BAR_GAP;
		y = barY + BAR_HEIGHT + ROW_GAP;
		return {
			candidateId: row.candidateId,
			rank: row.rank,
			outcome: row.outcome,
			votes: row.for,
			lines,
			top,
			lineYs,
			barY,
			barWidth: (row.for / scale) * barMax
		};
	});
	return {
		width: CHART_WIDTH,
		height: y,
		barMax,
		barHeight: BAR_HEIGHT,
		rows,
		threshold: { votes: tally.votesNeeded, x: (tally.votesNeeded / scale) * barMax }
	};
}
