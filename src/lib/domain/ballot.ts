// Checking a ballot a delegate submits against the session's rules.
import { EVALUATION_CHOICES, type BallotContent, type Choice, type EvaluationChoice, type VotingRules } from './types';

export type BallotProblem =
	| { code: 'unknown_candidate'; candidateId: number }
	| { code: 'duplicate_candidate'; candidateId: number }
	| { code: 'over_limit'; marked: number; seats: number }
	| { code: 'missing_choice'; candidateIds: number[]; evaluation?: true }
	| { code: 'choice_not_allowed'; candidateId: number };

export type BallotCheck = { ok: true; ballot: BallotContent } | { ok: false; problem: BallotProblem };

/** The submitted selection: approval ticks, or a choice per candidate. */
export type Selection =
	| { method: 'approval'; candidateIds: number[] }
	| { method: 'for_against_abstain'; choices: Record<number, Choice> }
	| { method: 'evaluation'; choices: Record<number, EvaluationChoice> };

export function countFor(ballot: BallotContent): number {
	return ballot.choices.filter((entry) => entry.choice === 'for').length;
}

/**
 * Validates a selection for a session whose candidates are `sessionCandidateIds`.
 * Electronic ballots are never void: an invalid one is refused with the reason.
 */
export function checkBallot(
	rules: VotingRules,
	sessionCandidateIds: readonly number[],
	selection: Selection
): BallotCheck {
	const allowed = new Set(sessionCandidateIds);
	if (rules.ballotMethod === 'evaluation') return checkEvaluationBallot(rules, sessionCandidateIds, selection);
	if (rules.ballotMethod === 'approval') {
		if (selection.method !== 'approval') return { ok: false, problem: { code: 'choice_not_allowed', candidateId: 0 } };
		const seen = new Set<number>();
		for (const candidateId of selection.candidateIds) {
			if (!allowed.has(candidateId)) return { ok: false, problem: { code: 'unknown_candidate', candidateId } };
			if (seen.has(candidateId)) return { ok: false, problem: { code: 'duplicate_candidate', candidateId } };
			seen.add(candidateId);
		}
		if (seen.size > rules.seats) {
			return { ok: false, problem: { code: 'over_limit', marked: seen.size, seats: rules.seats } };
		}
		const choices = [...seen].sort((a, b) => a - b).map((candidateId) => ({ candidateId, choice: 'for' as const }));
		return { ok: true, ballot: { isVoid: false, choices } };
	}

	if (selection.method !== 'for_against_abstain') {
		return { ok: false, problem: { code: 'choice_not_allowed', candidateId: 0 } };
	}
	for (const key of Object.keys(selection.choices)) {
		const candidateId = Number(key);
		if (!allowed.has(candidateId)) return { ok: false, problem: { code: 'unknown_candidate', candidateId } };
	}
	const missing = sessionCandidateIds.filter((candidateId) => selection.choices[candidateId] === undefined);
	if (missing.length > 0) return { ok: false, problem: { code: 'missing_choice', candidateIds: missing } };
	const choices = [...sessionCandidateIds]
		.sort((a, b) => a - b)
		.map((candidateId) => ({ candidateId, choice: selection.choices[candidateId] as Choice }));
	const marked = choices.filter((entry) => entry.choice === 'for').length;
	if (marked > rules.seats) return { ok: false, problem: { code: 'over_limit', marked, seats: rules.seats } };
	return { ok: true, ballot: { isVoid: false, choices } };
}

/** An evaluation ballot: one of its choices for every project; 弃权 only where the session allows it. */
function checkEvaluationBallot(rules: VotingRules, projectIds: readonly number[], selection: Selection): BallotCheck {
	if (selection.method !== 'evaluation') return { ok: false, problem: { code: 'choice_not_allowed', candidateId: 0 } };
	const allowed = new Set(projectIds);
	const permitted = new Set<string>(EVALUATION_CHOICES.filter((choice) => choice !== 'abstain' || rules.allowAbstain));
	for (const [key, choice] of Object.entries(selection.choices)) {
		const candidateId = Number(key);
		if (!allowed.has(candidateId)) return { ok: false, problem: { code: 'unknown_candidate', candidateId } };
		if (!permitted.has(choice)) return { ok: false, problem: { code: 'choice_not_allowed', candidateId } };
	}
	const missing = projectIds.filter((candidateId) => selection.choices[candidateId] === undefined);
	if (missing.length > 0)
		return { ok: false, problem: { code: 'missing_choice', candidateIds: missing, evaluation: true } };
	const choices = [...projectIds]
		.sort((a, b) => a - b)
		.map((candidateId) => ({ candidateId, choice: selection.choices[candidateId] as EvaluationChoice }));
	return { ok: true, ballot: { isVoid: false, choices } };
}

/** A ballot that marks more "for" than seats is void (无效票); used when counting any ballot. */
export function isVoidUnderRules(rules: VotingRules, ballot: BallotContent): boolean {
	return ballot.isVoid || countFor(ballot) > rules.seats;
}
