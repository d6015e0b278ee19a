// The pure rules of delivery tracking: overall completion, the update form, and where a year
// stands in the chain 征集 → 网上评选 → 票决 → 实施 → 测评.
import { describe, expect, it } from 'vitest';
import {
	chainStates,
	overallPercent,
	parseYear,
	percentageCount,
	progressUpdateSchema,
	type ChainStage,
	type StageDates
} from '../../src/lib/domain/delivery';

const none: StageDates = { startsAt: null, endsAt: null };
const at = (text: string) => new Date(`${text}T00:00:00+08:00`);

function stages(partial: Partial<Record<ChainStage, StageDates>>): Record<ChainStage, StageDates> {
	return { collection: none, selection: none, vote: none, delivery: none, evaluation: none, ...partial };
}

describe('overall completion', () => {
	it('is the rounded mean of the targets, and one overall figure for a project without targets', () => {
		expect(overallPercent([45, 55])).toBe(50);
		expect(overallPercent([100, 100, 99])).toBe(100);
		expect(overallPercent([0, 1])).toBe(1);
		expect(overallPercent([])).toBe(0);
		expect(percentageCount([])).toBe(1);
		expect(percentageCount(['a', 'b'])).toBe(2);
	});
});

describe('the progress-update form', () => {
	const schema = progressUpdateSchema(2);
	const valid = { reportedOn: '2022-06-30', body: '进展', status: 'on_track', 'percent-0': '0', 'percent-1': '100' };

	it('reads a percentage per target, in order', () => {
		expect(schema.parse(valid)).toEqual({
			reportedOn: '2022-06-30',
			body: '进展',
			status: 'on_track',
			percentages: [0, 100]
		});
	});

	it('refuses percentages outside 0–100 or not whole, a missing one, a bad date, an unknown status, "done" below 100%', () => {
		const problem = (change: Record<string, string | undefined>) => {
			const parsed = schema.safeParse({ ...valid, ...change });
			return parsed.success ? null : parsed.error.issues.map((issue) => `${String(issue.path[0])}:${issue.message}`);
		};
		expect(problem({ 'percent-1': '101' })).toEqual(['percent-1:delivery_error_percent_invalid']);
		expect(problem({ 'percent-0': '-1' })).toEqual(['percent-0:delivery_error_percent_invalid']);
		expect(problem({ 'percent-0': '50.5' })).toEqual(['percent-0:delivery_error_percent_invalid']);
		expect(problem({ 'percent-1': undefined })).toEqual(['percent-1:delivery_error_percent_invalid']);
		expect(problem({ reportedOn: '2022-02-30' })).toEqual(['reportedOn:delivery_error_date_invalid']);
		expect(problem({ status: 'finished' })).toEqual(['status:delivery_error_status_invalid']);
		expect(problem({ body: '   ' })).toEqual(['body:delivery_error_body_required']);
		expect(problem({ status: 'done' })).toEqual(['status:delivery_error_done_needs_100']);
		expect(problem({ status: 'done', 'percent-0': '100' })).toBeNull();
	});

	it('reads a year only when it is one', () => {
		expect(parseYear('2022')).toBe(2022);
		for (const text of ['22', '2022a', '1999', '2101', '', null, ' 2022']) expect(parseYear(text)).toBeNull();
	});
});

describe('where a year stands', () => {
	const now = at('2022-03-01');

	it('is at the last stage that has begun; earlier stages are done, later ones to come', () => {
		const { states, current } = chainStates(
			stages({
				collection: { startsAt: at('2021-07-01'), endsAt: at('2021-08-31') },
				selection: { startsAt: at('2021-10-01'), endsAt: at('2021-10-15') },
				vote: { startsAt: at('2022-02-20'), endsAt: null },
				evaluation: { startsAt: at('2023-02-01'), endsAt: null }
			}),
			now
		);
		expect(current).toBe('vote');
		expect(states).toEqual({
			collection: 'done',
			selection: 'done',
			vote: 'current',
			delivery: 'none',
			evaluation: 'upcoming'
		});
	});

	it('marks stages that never took place as such, and has no current stage before anything began', () => {
		expect(chainStates(stages({ vote: { startsAt: at('2022-01-10'), endsAt: at('2022-01-10') } }), now)).toEqual({
			states: { collection: 'none', selection: 'none', vote: 'current', delivery: 'none', evaluation: 'none' },
			current: 'vote'
		});
		expect(chainStates(stages({ collection: { startsAt: at('2022-07-01'), endsAt: null } }), now)).toEqual({
			states: { collection: 'upcoming', selection: 'none', vote: 'none', delivery: 'none', evaluation: 'none' },
			current: null
		});
	});

	it('is complete once the evaluation has ended', () => {
		const { states, current } = chainStates(
			stages({
				vote: { startsAt: at('2021-01-10'), endsAt: at('2021-01-10') },
				delivery: { startsAt: at('2021-01-10'), endsAt: null },
				evaluation: { startsAt: at('2022-01-15'), endsAt: at('2022-01-16') }
			}),
			now
		);
		expect(current).toBeNull();
		expect(states).toMatchObject({ vote: 'done', delivery: 'done', evaluation: 'done' });
	});
});
