// The result of any session: a vote's tally or an evaluation's, told apart by `ballotMethod`.
// One entry point (countSession, by the session's method module) counts both, so the closing
// transaction, `tally --verify`, the pages and the exports never choose the rule themselves.
import type { Tally } from './counting';
import { methodOf } from './methods';
import type { EvaluationTally } from './satisfaction';

export { countSession } from './methods';

export type SessionTally = Tally | EvaluationTally;

export function isEvaluationTally(tally: SessionTally): tally is EvaluationTally {
	return methodOf(tally.ballotMethod).purpose === 'evaluation';
}

/** The tally of a vote; throws for an evaluation's (callers that only handle votes). */
export function voteTally(tally: SessionTally): Tally {
	if (isEvaluationTally(tally)) throw new Error('this is an evaluation, not a vote');
	return tally;
}
