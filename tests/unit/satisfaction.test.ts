// The satisfaction rule at its edges (domain notes: 镇海区 2022), over all entitled members.
import { describe, expect, it } from 'vitest';
import { gradeProject, overallSatisfactionRate, satisfactionRate, type EvaluationCounts } from '../../src/lib/domain/satisfaction';

const counts = (satisfied: number, basicallySatisfied: number, unsatisfied: number, abstain = 0): EvaluationCounts => ({ satisfied, basicallySatisfied, unsatisfied, abstain });

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
