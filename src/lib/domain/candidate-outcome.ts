// What became of a candidate project (issue 15), for the public list's filter and its badge:
// chosen (it is a livelihood project now), not chosen (its vote is published without it), awaiting
// its vote's result, or on no vote yet. Pure.
import type { SessionStatus } from './types';

export const CANDIDATE_OUTCOMES = ['chosen', 'not_chosen', 'pending', 'no_vote'] as const;
export type CandidateOutcome = (typeof CANDIDATE_OUTCOMES)[number];

export function candidateOutcome(votes: readonly { status: SessionStatus }[], chosen: boolean): CandidateOutcome {
	if (chosen) return 'chosen';
	if (votes.length === 0) return 'no_vote';
	return votes.every((vote) => vote.status === 'published') ? 'not_chosen' : 'pending';
}
