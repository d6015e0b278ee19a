// The result of any session: a vote's tally or an evaluation's, told apart by `ballotMethod`.
// One entry point counts both, so the closing transaction, `tally --verify`, the pages and the
// exports never choose the rule themselves.
import { tallyBallots, type Tally, type Turnout } from './counting';
import { tallyEvaluation, type EvaluationTally } from './satisfaction';
import type { BallotContent, VotingRules } from './types';

export type SessionTally = Tally | EvaluationTally;

export function isEvaluationTally(tally: SessionTally): tally is EvaluationTally {
	return tally.ballotMethod === 'evaluation';
}

export function countSession(
	rules: VotingRules,
	candidateIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
): SessionTally {
	return rules.ballotMethod === 'evaluation'
		? tallyEvaluation(rules, candidateIds, ballots, turnout)
		: tallyBallots(rules, candidateIds, ballots, turnout);
}

/** The tally of a vote; throws for an evaluation's (callers that only handle votes). */
export function voteTally(tally: SessionTally): Tally {
	if (isEvaluationTally(tally)) throw new Error('this is an evaluation, not a vote');
	return tally;
}
