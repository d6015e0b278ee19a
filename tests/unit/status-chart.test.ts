// The /delivery chart's segments (issue 15).
import { describe, expect, it } from 'vitest';
import { statusSegments } from '../../src/lib/domain/status-chart';

describe('status chart', () => {
	it('counts each status in order, the unreported last, the shares adding up to the whole', () => {
		const segments = statusSegments(['done', 'on_track', null, 'done', 'delayed']);
		expect(segments.map((segment) => [segment.status, segment.count])).toEqual([
			['on_track', 1],
			['at_risk', 0],
			['delayed', 1],
			['done', 2],
			['none', 1]
		]);
		expect(segments.reduce((sum, segment) => sum + segment.share, 0)).toBeCloseTo(1);
		expect(segments[3]!.start).toBeCloseTo(0.4);
	});
	it('draws nothing for no projects', () => {
		expect(statusSegments([]).every((segment) => segment.share === 0)).toBe(true);
	});
});
