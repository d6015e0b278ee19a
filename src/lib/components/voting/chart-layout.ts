// The geometry of the projector's result chart: horizontal bars in rank order, in SVG user units.
// Pure: the numbers come from the published tally, nothing is counted here.
import type { CandidateOutcome, Tally } from '$lib/domain/counting';

/**
 * The chart's width follows its height (about the shape of the space the screen leaves it), so that
 * few rows are drawn large and many rows still use the whole width for their titles.
 */
const ASPECT = 2.5;
const MIN_WIDTH = 1400;
const HEADER_HEIGHT = 64;
const ROW_HEIGHT = 50;
const BAR_HEIGHT = 32;
const COLUMN_GAP = 72;
const RANK_WIDTH = 70;
/** Room for the outcome: a word in one column, a sign alone in two (the legend says what it means). */
const MARK_WIDTH = { word: 210, sign: 56 };
const VOTES_LABEL_WIDTH = 120;
/** Up to this many candidates in one column; more are split over two. */
const ONE_COLUMN_MAX = 12;
export const TITLE_FONT_SIZE = 30;

export interface ChartRow {
	candidateId: number;
	rank: number;
	title: string;
	/** The title cut to fit its space (with "…"); the full title stays in `title`. */
	shownTitle: string;
	votes: number;
	outcome: CandidateOutcome;
	/** The left edge of the row's column and the row's vertical middle. */
	columnX: number;
	middleY: number;
	titleX: number;
	barX: number;
	barWidth: number;
	/** Where the word for the outcome starts: one column for all rows, easy to scan. */
	markX: number;
}

export interface ChartLayout {
	width: number;
	height: number;
	rows: ChartRow[];
	barHeight: number;
	/** Outcomes as a sign only (✓, ＝), the words being in the legend: when two columns leave no room for words. */
	signsOnly: boolean;
	/** The pass mark, one line per column. */
	threshold: { votes: number; lines: { x: number; top: number; bottom: number }[] };
}

/** Roughly how wide a text is in units of its font size: CJK and full-width characters 1, others about 0.56. */
export function textWidthInEm(text: string): number {
	let width = 0;
	for (const character of text) {
		const code = character.codePointAt(0) ?? 0;
		width += code >= 0x1100 && (code <= 0x115f || code >= 0x2e80) ? 1 : 0.56;
	}
	return width;
}

/** The text itself if it fits `maxEm`, else as much of it as fits followed by "…". */
export function fitText(text: string, maxEm: number): string {
	if (textWidthInEm(text) <= maxEm) return text;
	let fitted = '';
	for (const character of text) {
		if (textWidthInEm(fitted + character) + 1 > maxEm) break;
		fitted += character;
	}
	return `${fitted.trimEnd()}…`;
}

export function chartLayout(tally: Tally, titles: Record<string, string>): ChartLayout {
	const count = tally.candidates.length;
	const columns = count > ONE_COLUMN_MAX ? 2 : 1;
	const rowsPerColumn = Math.max(1, Math.ceil(count / columns));
	const height = HEADER_HEIGHT + rowsPerColumn * ROW_HEIGHT;
	const width = Math.max(MIN_WIDTH, Math.round(ASPECT * height));
	const columnWidth = (width - COLUMN_GAP * (columns - 1)) / columns;
	const signsOnly = columns > 1;
	const markWidth = signsOnly ? MARK_WIDTH.sign : MARK_WIDTH.word;
	const titleWidth = columnWidth * 0.4;
	const barAreaX = RANK_WIDTH + titleWidth + 20;
	const barMaxWidth = columnWidth - barAreaX - VOTES_LABEL_WIDTH - markWidth;
	// Bars are measured against the threshold's base (e.g. all enrolled delegates), so the pass mark sits at its half.
	const scaleMax = Math.max(1, tally.thresholdBaseCount, ...tally.candidates.map((row) => row.for));

	const rows = tally.candidates.map((row, index): ChartRow => {
		const column = Math.floor(index / rowsPerColumn);
		const columnX = column * (columnWidth + COLUMN_GAP);
		const barWidth = (row.for / scaleMax) * barMaxWidth;
		const title = titles[row.candidateId] ?? `#${row.candidateId}`;
		return {
			candidateId: row.candidateId,
			rank: row.rank,
			title,
			shownTitle: fitText(title, titleWidth / TITLE_FONT_SIZE),
			votes: row.for,
			outcome: row.outcome,
			columnX,
			middleY: HEADER_HEIGHT + (index % rowsPerColumn) * ROW_HEIGHT + ROW_HEIGHT / 2,
			titleX: columnX + RANK_WIDTH,
			barX: columnX + barAreaX,
			barWidth,
			markX: columnX + columnWidth - markWidth + 16
		};
	});

	const thresholdOffset = barAreaX + (tally.votesNeeded / scaleMax) * barMaxWidth;
	return {
		width,
		height,
		rows,
		barHeight: BAR_HEIGHT,
		signsOnly,
		threshold: {
			votes: tally.votesNeeded,
			lines: Array.from({ length: columns }, (_, column) => ({
				x: column * (columnWidth + COLUMN_GAP) + thresholdOffset,
				top: HEADER_HEIGHT - 12,
				bottom: height
			}))
		}
	};
}
