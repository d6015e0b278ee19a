// The procedure's pure rules: the confirmation rule, the 差额 ratio, the further vote's list and
// places, the final list over rounds, the draft 票决办法, and the forms' dates and bodies.
import { describe, expect, it } from 'vitest';
import { tallyBallots } from '../../src/lib/domain/counting';
import {
	chineseNumeral,
	confirmationProgress,
	draftVotingRules,
	finalList,
	followUpPlan,
	isBelowMinimumRatio,
	panelIsComplete
} from '../../src/lib/domain/procedure';
import {
	adoptionFormSchema,
	procedureSettingsFormSchema,
	readReferences,
	scrutineersFormSchema
} from '../../src/lib/domain/procedure-schemas';
import type { VotingRules } from '../../src/lib/domain/types';

const panel = [
	{ userId: 1, duty: 'chief' as const },
	{ userId: 2, duty: 'member' as const },
	{ userId: 3, duty: 'member' as const },
	{ userId: 4, duty: 'member' as const },
	{ userId: 5, duty: 'member' as const },
	{ userId: 9, duty: 'counter' as const }
];

describe('the confirmation rule', () => {
	it('needs the 总监票人 and more than half of the 监票人', () => {
		expect(confirmationProgress(panel, new Set([2, 3, 4, 5]))).toMatchObject({
			complete: false,
			chiefConfirmed: false,
			membersConfirmed: 4,
			membersNeeded: 3
		});
		expect(confirmationProgress(panel, new Set([1, 2, 3]))).toMatchObject({ complete: false, membersConfirmed: 2 });
		expect(confirmationProgress(panel, new Set([1, 2, 3, 4]))).toMatchObject({ complete: true, membersConfirmed: 3 });
		// A counter's confirmation counts for nothing.
		expect(confirmationProgress(panel, new Set([1, 2, 3, 9]))).toMatchObject({ complete: false });
		// Two 监票人: both.
		expect(confirmationProgress(panel.slice(0, 3), new Set([1, 2]))).toMatchObject({
			complete: false,
			membersNeeded: 2
		});
		expect(confirmationProgress(panel.slice(0, 3), new Set([1, 2, 3])).complete).toBe(true);
	});

	it('without a named panel, one confirmation (by a holder of the global role) suffices', () => {
		expect(confirmationProgress([], new Set())).toMatchObject({ hasPanel: false, complete: false });
		expect(confirmationProgress([], new Set([7]))).toMatchObject({ hasPanel: false, complete: true });
	});

	it('calls a panel complete with one 总监票人 and at least two 监票人', () => {
		expect(panelIsComplete(panel)).toBe(true);
		expect(panelIsComplete(panel.slice(0, 2))).toBe(false);
		expect(panelIsComplete(panel.slice(1))).toBe(false);
	});
});

describe('the 差额 ratio', () => {
	it('compares candidates : places with the minimum in hundredths, without floating-point slips', () => {
		expect(isBelowMinimumRatio(11, 10, 1.2)).toBe(true);
		expect(isBelowMinimumRatio(12, 10, 1.2)).toBe(false);
		expect(isBelowMinimumRatio(34, 10, 1.2)).toBe(false);
		expect(isBelowMinimumRatio(6, 5, 1.2)).toBe(false); // exactly 1.2
		expect(isBelowMinimumRatio(7, 5, 1.5)).toBe(true);
		expect(isBelowMinimumRatio(3, 2, 1)).toBe(false);
	});
});

const rules = (seats: number): VotingRules => ({ ballotMethod: 'approval', seats, thresholdBase: 'enrolled' });
describe('the further vote', () => {
	it('after a shortfall: every candidate not chosen, in first-round vote order, for the places left', () => {
		const tally = tallyBallots(
			rules(2),
			[11, 12, 13, 14],
			[
				...Array.from({ length: 4 }, () => ({
					isVoid: false,
					choices: [
						{ candidateId: 11, choice: 'for' as const },
						{ candidateId: 13, choice: 'for' as const }
					]
				})),
				...Array.from({ length: 4 }, () => ({
					isVoid: false,
					choices: [
						{ candidateId: 11, choice: 'for' as const },
						{ candidateId: 14, choice: 'for' as const }
					]
				})),
				...Array.from({ length: 2 }, () => ({
					isVoid: false,
					choices: [
						{ candidateId: 12, choice: 'for' as const },
						{ candidateId: 11, choice: 'for' as const }
					]
				}))
			],
			{ enrolled: 10, present: 10 }
		);
		// 11: 10 votes (chosen), 13 and 14: 4 each, 12: 2 — none of 13/14 passes 6: a shortfall, not a tie.
		expect(tally.tie).toBeNull();
		expect(followUpPlan(tally)).toEqual({ kind: 'shortfall', candidateIds: [13, 14, 12], seats: 1 });
	});

	it('after a tie among candidates past the threshold: only the tied, for the places left', () => {
		const forAll = (ids: number[]) => ({
			isVoid: false,
			choices: ids.map((candidateId) => ({ candidateId, choice: 'for' as const }))
		});
		// 5 voters, 2 places, threshold 3: 21 on 5 votes; 22 and 23 on 3 each (tie for the last place); 24 on 1.
		const tally = tallyBallots(
			rules(2),
			[21, 22, 23, 24],
			[forAll([21, 22]), forAll([21, 22]), forAll([21, 23]), forAll([21, 23]), forAll([21, 22, 23].slice(0, 1))],
			{ enrolled: 5, present: 5 }
		);
		expect(tally.candidates.map((row) => [row.candidateId, row.for])).toEqual([
			[21, 5],
			[22, 2],
			[23, 2],
			[24, 0]
		]);
		// Neither 22 nor 23 passes 3: a shortfall of one place among 22, 23, 24 in vote order.
		expect(followUpPlan(tally)).toEqual({ kind: 'shortfall', candidateIds: [22, 23, 24], seats: 1 });

		const tied = tallyBallots(
			rules(2),
			[21, 22, 23, 24],
			[forAll([21, 22]), forAll([21, 22]), forAll([21, 23]), forAll([22, 23]), forAll([21, 23])],
			{ enrolled: 5, present: 5 }
		);
		expect(tied.candidates.map((row) => [row.candidateId, row.for, row.outcome])).toEqual([
			[21, 4, 'chosen'],
			[22, 3, 'tied'],
			[23, 3, 'tied'],
			[24, 0, 'not_chosen']
		]);
		expect(followUpPlan(tied)).toEqual({ kind: 'tie', candidateIds: [22, 23], seats: 1 });
		expect(followUpPlan(tallyBallots(rules(1), [21, 22], [forAll([21])], { enrolled: 1, present: 1 }))).toBeNull();
	});

	it('lists the final choice over the rounds, complete when the last round leaves nothing open', () => {
		const forAll = (ids: number[]) => ({
			isVoid: false,
			choices: ids.map((candidateId) => ({ candidateId, choice: 'for' as const }))
		});
		const first = tallyBallots(
			rules(2),
			[21, 22, 23, 24],
			[forAll([21, 22]), forAll([21, 22]), forAll([21, 23]), forAll([22, 23]), forAll([21, 23])],
			{ enrolled: 5, present: 5 }
		);
		expect(finalList([first])).toEqual({
			chosen: [{ candidateId: 21, round: 1, votes: 4, place: 1 }],
			complete: false
		});
		const second = tallyBallots(
			rules(1),
			[22, 23],
			[forAll([23]), forAll([23]), forAll([23]), forAll([22]), forAll([])],
			{ enrolled: 5, present: 5 }
		);
		expect(finalList([first, second])).toEqual({
			chosen: [
				{ candidateId: 21, round: 1, votes: 4, place: 1 },
				{ candidateId: 23, round: 2, votes: 3, place: 2 }
			],
			complete: true
		});
	});
});

describe('the draft 票决办法', () => {
	it('is written in Chinese from the settings', () => {
		const text = draftVotingRules({
			meetingName: '台州市第六届人民代表大会第一次会议',
			year: 2022,
			ballotMethod: 'for_against_abstain',
			seats: 10,
			candidateCount: 34,
			thresholdBase: 'present',
			quorum: { numerator: 2, denominator: 3 }
		});
		const lines = text.split('\n');
		expect(lines[0]).toBe('台州市第六届人民代表大会第一次会议2022年度民生实事项目票决办法');
		expect(text).toContain(
			'二、本次会议对经本级人民代表大会常务委员会审议的34个候选项目进行差额票决，从中票决产生10个'
		);
		expect(text).toContain('赞成、反对或者弃权，表示赞成的项目不得多于10个');
		expect(text).toContain('超过出席会议的代表的半数的，始得入选');
		expect(text).toContain('出席代表须超过全体代表的三分之二');
		expect(text).toContain('就票数相等的候选项目再次投票');
		expect(text).toContain('按照第一次投票得票多少的顺序另行票决');
		expect(text).toContain('总监票人和过半数的监票人确认');
		expect(text).toContain('多于发出的选票，票决无效');
		expect(lines.at(-1)).toBe('十一、本办法经大会通过后施行。');
		expect(draftVotingRules({ ...DRAFT_INPUT, meetingName: '' }).split('\n')[0]).toBe(
			'本次会议2022年度民生实事项目票决办法'
		);
	});

	it('writes small numbers in Chinese numerals', () => {
		expect([1, 10, 11, 12, 20, 23, 99].map(chineseNumeral)).toEqual([
			'一',
			'十',
			'十一',
			'十二',
			'二十',
			'二十三',
			'九十九'
		]);
		expect(chineseNumeral(100)).toBe('100');
	});
});

const DRAFT_INPUT = {
	meetingName: 'x',
	year: 2022,
	ballotMethod: 'approval' as const,
	seats: 10,
	candidateCount: 34,
	thresholdBase: 'enrolled' as const,
	quorum: { numerator: 2, denominator: 3 }
};

describe('the procedure forms', () => {
	it('reads the bodies in Chinese or as codes, and only dates that exist', () => {
		expect(adoptionFormSchema.parse({ by: '主席团', on: '2022-01-18' })).toEqual({ by: 'presidium', on: '2022-01-18' });
		expect(adoptionFormSchema.parse({ by: 'plenary', on: '2024-02-29' })).toEqual({ by: 'plenary', on: '2024-02-29' });
		expect(adoptionFormSchema.safeParse({ by: '常委会', on: '2022-01-18' }).success).toBe(false);
		for (const on of ['2022-02-30', '2023-02-29', '22-01-18', '2022-1-8', '1999-12-31', ''])
			expect(adoptionFormSchema.safeParse({ by: '主席团', on }).success, on).toBe(false);
	});

	it('reads the scrutineers one per line or separated by commas and 、', () => {
		expect(readReferences('a1\nb2、c3, d4 ;e5')).toEqual(['a1', 'b2', 'c3', 'd4', 'e5']);
		const parsed = scrutineersFormSchema.safeParse({
			chief: 'd001',
			members: 'd002',
			counters: '',
			approvedBy: '大会全体会议',
			approvedOn: '2022-01-19'
		});
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues[0]?.message).toBe('procedure_error_members_too_few');
	});

	it('takes a minimum ratio between 1 and 10 with at most two decimals, empty meaning 1.2', () => {
		const settings = (minCandidateRatio: string) =>
			procedureSettingsFormSchema.safeParse({
				meetingName: '',
				requireAdoptedRules: true,
				requireReview: true,
				requireNamedScrutineers: true,
				minCandidateRatio
			});
		expect(settings('').data?.minCandidateRatio).toBe(1.2);
		expect(settings('1.25').data?.minCandidateRatio).toBe(1.25);
		for (const bad of ['0.9', '10.5', '1.234', 'abc']) expect(settings(bad).success, bad).toBe(false);
	});
});
