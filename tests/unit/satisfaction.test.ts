// The satisfaction rule at its edges (domain notes: 镇海区 2022), over all entitled members.
import { describe, expect, it } from 'vitest';
import {
	gradeProject,
	overallSatisfactionRate,
	satisfactionRate,
	tallyEvaluation,
	type EvaluationCounts
} from '../../src/lib/domain/satisfaction';
import { ballotsDigest } from '../../src/lib/domain/counting';
import { countSession, isEvaluationTally } from '../../src/lib/domain/tally';
import type { BallotContent, EvaluationChoice } from '../../src/lib/domain/types';

const counts = (satisfied: number, basicallySatisfied: number, unsatisfied: number, abstain = 0): EvaluationCounts => ({
	satisfied,
	basicallySatisfied,
	unsatisfied,
	abstain
});

describe('gradeProject', () => {
	it('grades the Ninghai 2020 example 175 / 43 / 4 of 222 entitled as 满意', () => {
		expect(gradeProject(counts(175, 43, 4), 222)).toBe('satisfied');
	});

	it('needs MORE than half of all entitled, not of those who answered', () => {
		// 100 entitled, 60 answered: 45 satisfied is a majority of answers but not of the entitled.
		expect(gradeProject(counts(45, 10, 5), 100)).toBe('basically_satisfied');
		expect(gradeProject(counts(45, 4, 11), 100)).toBe('unsatisfied');
	});

	it('treats exactly half as not enough, at both steps', () => {
		expect(gradeProject(counts(50, 0, 50), 100)).toBe('unsatisfied');
		expect(gradeProject(counts(50, 1, 49), 100)).toBe('basically_satisfied');
		expect(gradeProject(counts(51, 0, 49), 100)).toBe('satisfied');
		expect(gradeProject(counts(20, 30, 50), 100)).toBe('unsatisfied');
		expect(gradeProject(counts(20, 31, 49), 100)).toBe('basically_satisfied');
		// Odd numbers of entitled: 101 → 51 is more than half, 50 is not.
		expect(gradeProject(counts(51, 0, 0), 101)).toBe('satisfied');
		expect(gradeProject(counts(50, 0, 0), 101)).toBe('unsatisfied');
	});

	it('grades a project nobody evaluated, or everyone abstained on, as 不满意', () => {
		expect(gradeProject(counts(0, 0, 0, 0), 100)).toBe('unsatisfied');
		expect(gradeProject(counts(0, 0, 0, 100), 100)).toBe('unsatisfied');
	});
});

describe('satisfaction rates', () => {
	it('counts 满意 and 基本满意 over every answer, abstentions included, and is null with no answer', () => {
		expect(satisfactionRate(counts(175, 43, 4))).toBeCloseTo(218 / 222, 10);
		expect(satisfactionRate(counts(1, 1, 1, 1))).toBe(0.5);
		expect(satisfactionRate(counts(0, 0, 0, 0))).toBeNull();
	});

	it('pools all projects for the overall rate', () => {
		expect(overallSatisfactionRate([counts(3, 1, 0), counts(0, 0, 4)])).toBe(0.5);
		expect(overallSatisfactionRate([])).toBeNull();
	});
});

describe('tallyEvaluation', () => {
	const ballot = (entries: [number, EvaluationChoice][], isVoid = false): BallotContent => ({
		isVoid,
		choices: entries.map(([candidateId, choice]) => ({ candidateId, choice }))
	});

	it('counts each project, grades it over all entitled members and keeps ballot order', () => {
		const tally = tallyEvaluation(
			{ allowAbstain: true },
			[7, 3],
			[
				ballot([
					[7, 'satisfied'],
					[3, 'abstain']
				]),
				ballot([
					[7, 'satisfied'],
					[3, 'basically_satisfied']
				]),
				ballot([
					[7, 'unsatisfied'],
					[3, 'basically_satisfied']
				])
			],
			{ enrolled: 4, present: 3 }
		);
		expect(tally.projects.map((row) => row.candidateId)).toEqual([7, 3]);
		// 7: 2 of 4 satisfied (exactly half) → not 满意; 2 + 0 is not more than half either → 不满意.
		expect(tally.projects[0]).toMatchObject({ satisfied: 2, unsatisfied: 1, grade: 'unsatisfied' });
		expect(tally.projects[0]!.rate).toBeCloseTo(2 / 3);
		// 3: 0 satisfied, 2 basically (exactly half) → 不满意; abstention counts as an answer in the rate.
		expect(tally.projects[1]).toMatchObject({ basicallySatisfied: 2, abstain: 1, grade: 'unsatisfied' });
		expect(tally.projects[1]!.rate).toBeCloseTo(2 / 3);
		expect(tally).toMatchObject({
			ballotMethod: 'evaluation',
			allowAbstain: true,
			enrolled: 4,
			present: 3,
			ballotsCast: 3,
			validBallots: 3,
			voidBallots: 0
		});
		expect(tally.gradeCounts).toEqual({ satisfied: 0, basically_satisfied: 0, unsatisfied: 2 });
		expect(tally.overallRate).toBeCloseTo(4 / 6);
	});

	it('leaves void ballots out of every project and out of the rate', () => {
		const tally = tallyEvaluation({}, [1], [ballot([[1, 'satisfied']]), ballot([], true)], { enrolled: 1, present: 1 });
		expect(tally.projects[0]).toMatchObject({ satisfied: 1, grade: 'satisfied', rate: 1 });
		expect(tally).toMatchObject({ ballotsCast: 2, validBallots: 1, voidBallots: 1 });
	});

	it('refuses a ballot naming a project outside the evaluation, or a vote choice', () => {
		expect(() => tallyEvaluation({}, [1], [ballot([[2, 'satisfied']])], { enrolled: 1, present: 1 })).toThrow(
			/not in this evaluation/
		);
		expect(() =>
			tallyEvaluation({}, [1], [{ isVoid: false, choices: [{ candidateId: 1, choice: 'for' }] }], {
				enrolled: 1,
				present: 1
			})
		).toThrow(/holds the choice for/);
	});

	it('is what countSession gives for an evaluation, with the same digest rule as a vote', () => {
		const ballots = [ballot([[1, 'satisfied']])];
		const tally = countSession({ ballotMethod: 'evaluation', seats: 0, thresholdBase: 'enrolled' }, [1], ballots, {
			enrolled: 1,
			present: 1
		});
		expect(isEvaluationTally(tally)).toBe(true);
		expect(tally.ballotsDigest).toBe(ballotsDigest(ballots));
	});
});
