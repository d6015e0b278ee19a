// The results page's chart (issue 15): whole titles over lines, bars to scale, the majority line.
import { describe, expect, it } from 'vitest';
import {
	CHART_FONT_SIZE,
	CHART_WIDTH,
	resultChartLayout,
	textWidthInEm,
	wrapText
} from '../../src/lib/components/voting/chart-layout';
import type { Tally } from '../../src/lib/domain/counting';

describe('wrapping a title', () => {
	it('keeps every character and stays within the width', () => {
		const title = '实施城乡居民医保“一站式”无感服务提升工程和基层医疗卫生服务能力建设';
		const lines = wrapText(title, 12);
		expect(lines.join('')).toBe(title);
		for (const line of lines) expect(textWidthInEm(line)).toBeLessThanOrEqual(12);
		expect(lines.length).toBe(Math.ceil(title.length / 12));
	});
	it('breaks English between words', () => {
		const lines = wrapText('Build ten smart care homes for the elderly', 12);
		expect(lines).toEqual(['Build ten smart care', 'homes for the elderly']);
		for (const line of lines) expect(textWidthInEm(line)).toBeLessThanOrEqual(12);
	});
	it('keeps a short title on one line', () => {
		expect(wrapText('新建幼儿园', 20)).toEqual(['新建幼儿园']);
	});
});

describe('the chart layout', () => {
	const tally = {
		thresholdBaseCount: 444,
		votesNeeded: 223,
		candidates: [
			{ candidateId: 1, rank: 1, for: 400, outcome: 'chosen' },
			{ candidateId: 2, rank: 2, for: 100, outcome: 'not_chosen' }
		]
	} as unknown as Tally;
	const layout = resultChartLayout(tally, { 1: '很长的标题'.repeat(8), 2: '短标题' });
	it('draws the majority line at the votes needed, against the base', () => {
		expect(layout.threshold.x).toBeCloseTo((223 / 444) * layout.barMax);
		expect(layout.rows[0]!.barWidth).toBeCloseTo((400 / 444) * layout.barMax);
	});
	it('gives a long title the lines it needs and marks the chosen', () => {
		expect(layout.rows[0]!.lines.length).toBeGreaterThan(1);
		expect(layout.rows[0]!.lines[0]!.startsWith('1. ✓ ')).toBe(true);
		expect(layout.rows[1]!.lines).toEqual(['2. 短标题']);
		for (const row of layout.rows)
			for (const line of row.lines) expect(textWidthInEm(line) * CHART_FONT_SIZE).toBeLessThanOrEqual(CHART_WIDTH);
		expect(layout.rows[1]!.top).toBeGreaterThan(layout.rows[0]!.barY);
		expect(layout.height).toBeGreaterThan(layout.rows[1]!.barY);
	});
});
