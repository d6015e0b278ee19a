// What an empty page says about its stage (issue 15).
import { describe, expect, it } from 'vitest';
import { nextScheduled, stageNotice, type CalendarStep } from '../../src/lib/domain/stage-calendar';

const may = new Date('2026-05-01T00:00:00+08:00');
const june = new Date('2026-06-01T00:00:00+08:00');
const steps: CalendarStep[] = [
	{ stage: 'collection', state: 'done', startsAt: new Date('2026-03-01T00:00:00+08:00'), endsAt: may },
	{ stage: 'selection', state: 'current', startsAt: may, endsAt: june },
	{ stage: 'vote', state: 'upcoming', startsAt: june, endsAt: null },
	{ stage: 'delivery', state: 'none', startsAt: null, endsAt: null },
	{ stage: 'evaluation', state: 'none', startsAt: null, endsAt: null }
];

describe('stage calendar', () => {
	it('says when a stage to come starts', () => {
		expect(stageNotice(steps, 'vote')).toEqual({ kind: 'starts', stage: 'vote', at: june });
	});
	it('says a running stage runs until its end', () => {
		expect(stageNotice(steps, 'selection')).toEqual({ kind: 'running', stage: 'selection', until: june });
	});
	it('says an ended stage ended', () => {
		expect(stageNotice(steps, 'collection')).toEqual({ kind: 'ended', stage: 'collection', at: may });
	});
	it('says a stage without dates is not scheduled yet', () => {
		expect(stageNotice(steps, 'delivery')).toEqual({ kind: 'unscheduled', stage: 'delivery' });
		expect(stageNotice([], 'vote')).toEqual({ kind: 'unscheduled', stage: 'vote' });
	});
	it('finds the next stage with a date to come', () => {
		expect(nextScheduled(steps, 'collection')?.stage).toBe('vote');
		expect(nextScheduled(steps, 'vote')).toBeNull();
	});
});
