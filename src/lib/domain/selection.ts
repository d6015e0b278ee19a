// The online public selection (网上评选): when a round takes supports, when its ranking may be
// shown, what a resident's choice may hold (at most K candidates of the round, each once), the
// ranking by supports, and the top of it that staff carry into a voting session. Pure: no I/O.
// The database holds the same limits (migrations/00007_residents.sql).
import type { Eligibility } from './verification';

export type RoundPhase = 'upcoming' | 'open' | 'closed';

export interface RoundTiming {
	opensAt: Date;
	closesAt: Date;
	liveRanking: boolean;
}

/** A round takes supports from its opening (inclusive) to its closing (exclusive). */
export function roundPhase(round: Pick<RoundTiming, 'opensAt' | 'closesAt'>, now: Date): RoundPhase {
	if (now < round.opensAt) return 'upcoming';
	return now < round.closesAt ? 'open' : 'closed';
}

/** The ranking is public after closing, and during the round only when the round says so. */
export function resultsVisible(round: RoundTiming, now: Date): boolean {
	const phase = roundPhase(round, now);
	return phase === 'closed' || (phase === 'open' && round.liveRanking);
}

export type SupportProblem =
	| { code: 'unknown_candidate' }
	| { code: 'duplicate_candidate' }
	| { code: 'over_limit'; chosen: number; limit: number };

/** Every reason a resident's choice is refused: the checks above, and the round and the resident. */
export type SupportFailure =
	| SupportProblem
	| { code: 'not_found' }
	| { code: 'not_open' }
	| { code: 'not_resident' }
	| { code: 'not_eligible'; eligibility: Eligibility };

/** What staff's round actions can refuse (src/lib/server/residents/selection.ts). */
export type RoundProblem =
	| 'not_found'
	| 'candidate_not_found'
	| 'not_open'
	| 'not_closed'
	| 'too_few_candidates'
	| 'results_final'
	| 'not_excluded';

/** Checks a resident's whole choice in a round: candidates of the round, each once, at most K. */
export function checkSupportChoice(
	candidateIds: readonly number[],
	roundCandidateIds: readonly number[],
	maxSupports: number
): SupportProblem | null {
	const known = new Set(roundCandidateIds);
	if (candidateIds.some((id) => !known.has(id))) return { code: 'unknown_candidate' };
	if (new Set(candidateIds).size !== candidateIds.length) return { code: 'duplicate_candidate' };
	if (candidateIds.length > maxSupports) return { code: 'over_limit', chosen: candidateIds.length, limit: maxSupports };
	return null;
}

export interface CandidateSupports {
	candidateId: number;
	supports: number;
	/** The candidate's place in the round's list (orders equal ranks). */
	position: number;
}

export interface RankedCandidate extends CandidateSupports {
	/** Competition ranking by supports: equal supports share a rank (1, 2, 2, 4). */
	rank: number;
}

/** The candidates by supports (most first), equal supports in list order, with their ranks. */
export function rankBySupports(rows: readonly CandidateSupports[]): RankedCandidate[] {
	const ordered = [...rows].sort(
		(a, b) => b.supports - a.supports || a.position - b.position || a.candidateId - b.candidateId
	);
	return ordered.map((row) => ({ ...row, rank: 1 + ordered.filter((other) => other.supports > row.supports).length }));
}

/**
 * The top `count` of a ranking to carry into a voting session. Candidates tied with the last
 * place are carried too (staff do not pick between equals), and `tiedAtCutoff` says so.
 */
export function topOfRanking(
	ranking: readonly RankedCandidate[],
	count: number
): { candidateIds: number[]; tiedAtCutoff: boolean } {
	if (count <= 0 || ranking.length === 0) return { candidateIds: [], tiedAtCutoff: false };
	const last = ranking[Math.min(count, ranking.length) - 1] as RankedCandidate;
	const carried = ranking.filter((row) => row.rank <= last.rank);
	return { candidateIds: carried.map((row) => row.candidateId), tiedAtCutoff: carried.length > count };
}
