// The satisfaction evaluation (满意度测评) rule, after 镇海区 (2022): per project, over ALL members
// entitled to evaluate — 满意 if 满意 votes > half; else 基本满意 if 满意 + 基本满意 > half;
// else 不满意.
export const EVALUATION_CHOICES = ['satisfied', 'basically_satisfied', 'unsatisfied', 'abstain'] as const;
export type EvaluationChoice = (typeof EVALUATION_CHOICES)[number];
export type SatisfactionGrade = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

export interface EvaluationCounts {
	satisfied: number;
	basicallySatisfied: number;
	unsatisfied: number;
	abstain: number;
}

/** More than half of the entitled: strictly above entitled / 2. */
function moreThanHalf(votes: number, entitled: number): boolean {
	return votes * 2 > entitled;
}

export function gradeProject(counts: EvaluationCounts, entitled: number): SatisfactionGrade {
	if (moreThanHalf(counts.satisfied, entitled)) return 'satisfied';
	if (moreThanHalf(counts.satisfied + counts.basicallySatisfied, entitled)) return 'basically_satisfied';
	return 'unsatisfied';
}

/**
 * The satisfaction rate: (满意 + 基本满意) / all answers given, abstentions included; null when
 * nobody answered.
 */
export function satisfactionRate(counts: EvaluationCounts): number | null {
	const answers = counts.satisfied + counts.basicallySatisfied + counts.unsatisfied + counts.abstain;
	return answers === 0 ? null : (counts.satisfied + counts.basicallySatisfied) / answers;
}

/** The overall rate over every project's answers together. */
export function overallSatisfactionRate(projects: readonly EvaluationCounts[]): number | null {
	const total = projects.reduce(
		(sum, counts) => ({
			satisfied: sum.satisfied + counts.satisfied,
			basicallySatisfied: sum.basicallySatisfied + counts.basicallySatisfied,
			unsatisfied: sum.unsatisfied + counts.unsatisfied,
			abstain: sum.abstain + counts.abstain
		}),
		{ satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, abstain: 0 }
	);
	return satisfactionRate(total);
}
