// Shared vocabulary of the vote. Pure types and constants, no I/O.

export const ROLES = ['resident', 'delegate', 'staff', 'scrutineer'] as const;
export type Role = (typeof ROLES)[number];

export const SESSION_STATUSES = ['draft', 'open', 'closed', 'published'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const BALLOT_METHODS = ['approval', 'for_against_abstain'] as const;
/** approval: tick at most N; for_against_abstain: a choice per candidate, at most N "for". */
export type BallotMethod = (typeof BALLOT_METHODS)[number];

export const THRESHOLD_BASES = ['enrolled', 'present', 'cast'] as const;
/** Whose majority a candidate must pass: all enrolled delegates (应到), those present (实到), or ballots cast. */
export type ThresholdBase = (typeof THRESHOLD_BASES)[number];

export const CHOICES = ['for', 'against', 'abstain'] as const;
export type Choice = (typeof CHOICES)[number];

export interface VotingRules {
	ballotMethod: BallotMethod;
	seats: number;
	thresholdBase: ThresholdBase;
}

export const CHANNELS = ['electronic', 'paper'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A ballot's content as counted: void or a choice per marked candidate; electronic unless said. */
export interface BallotContent {
	isVoid: boolean;
	choices: ReadonlyArray<{ candidateId: number; choice: Choice }>;
	channel?: Channel;
}
