// The satisfaction evaluation (满意度测评) rule, after 镇海区 (2022): per project, over ALL members
// entitled to evaluate — 满意 if 满意 votes > half; else 基本满意 if 满意 + 基本满意 > half;
// else 不满意.
import { voteFigures, type VoteFigures } from './attendance';
import { ballotsByChannel, ballotsDigest, type Turnout } from './counting';
import { EVALUATION_CHOICES, type BallotContent, type EvaluationChoice, type VotingRules } from './types';

export { EVALUATION_CHOICES };
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

export interface ProjectEvaluation extends EvaluationCounts {
	candidateId: number;
	grade: SatisfactionGrade;
	/** (满意 + 基本满意) / answers on this project; null when nobody answered. */
	rate: number | null;
}

/** The stored result of an evaluation session; `ballotMethod` tells it from a vote's tally. */
export interface EvaluationTally {
	ballotMethod: 'evaluation';
	allowAbstain: boolean;
	/** 应到: the entitled members; the grade's "half" is half of these. */
	enrolled: number;
	present: number;
	ballotsCast: number;
	electronicBallots: number;
	paperBallots: number;
	validBallots: number;
	voidBallots: number;
	/** In ballot order. */
	projects: ProjectEvaluation[];
	gradeCounts: Record<SatisfactionGrade, number>;
	overallRate: number | null;
	ballotsDigest: string;
	/** 应到, 实到, quorum, 发出, 收回, 有效, 无效 and validity, at closing. */
	figures: VoteFigures;
}

const countKey: Record<EvaluationChoice, keyof EvaluationCounts> = {
	satisfied: 'satisfied',
	basically_satisfied: 'basicallySatisfied',
	unsatisfied: 'unsatisfied',
	abstain: 'abstain'
};

/** Counts an evaluation's ballots: per project the answers, the grade over all entitled, the rates. */
export function tallyEvaluation(
	rules: Pick<VotingRules, 'allowAbstain'>,
	projectIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
): EvaluationTally {
	const counts = new Map<number, EvaluationCounts>(
		projectIds.map((projectId) => [projectId, { satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, abstain: 0 }])
	);
	const allowed = new Set<string>(EVALUATION_CHOICES);
	let voidBallots = 0;
	for (const ballot of ballots) {
		if (ballot.isVoid) {
			voidBallots += 1;
			continue;
		}
		for (const entry of ballot.choices) {
			const projectCounts = counts.get(entry.candidateId);
			if (!projectCounts)
				throw new Error(`a ballot names project ${entry.candidateId}, which is not in this evaluation`);
			if (!allowed.has(entry.choice)) throw new Error(`an evaluation ballot holds the choice ${entry.choice}`);
			projectCounts[countKey[entry.choice as EvaluationChoice]] += 1;
		}
	}
	const projects = projectIds.map((candidateId) => {
		const projectCounts = counts.get(candidateId) as EvaluationCounts;
		return {
			candidateId,
			...projectCounts,
			grade: gradeProject(projectCounts, turnout.enrolled),
			rate: satisfactionRate(projectCounts)
		};
	});
	const gradeCounts: Record<SatisfactionGrade, number> = { satisfied: 0, basically_satisfied: 0, unsatisfied: 0 };
	for (const project of projects) gradeCounts[project.grade] += 1;
	return {
		ballotMethod: 'evaluation',
		allowAbstain: rules.allowAbstain ?? false,
		enrolled: turnout.enrolled,
		present: turnout.present,
		ballotsCast: ballots.length,
		...ballotsByChannel(ballots),
		validBallots: ballots.length - voidBallots,
		voidBallots,
		projects,
		gradeCounts,
		overallRate: overallSatisfactionRate(projects),
		ballotsDigest: ballotsDigest(ballots),
		figures: voteFigures(turnout, ballots, voidBallots)
	};
}

export interface EvaluationFormValues {
	title: string;
	year: string;
	allowAbstain: string;
	opensAt: string;
	closesAt: string;
}
