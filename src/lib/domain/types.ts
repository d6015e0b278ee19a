// Shared vocabulary of the vote. Pure types and constants, no I/O.

export const ROLES = ['resident', 'delegate', 'staff', 'scrutineer', 'department'] as const;
export type Role = (typeof ROLES)[number];

export const SESSION_STATUSES = ['draft', 'open', 'closed', 'published'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const BALLOT_METHODS = ['approval', 'for_against_abstain'] as const;
/** approval: tick at most N; for_against_abstain: a choice per candidate, at most N "for". */
export type BallotMethod = (typeof BALLOT_METHODS)[number];

/**
 * A session is a vote (one of the ballot methods) or a satisfaction evaluation (满意度测评):
 * a choice per project among 满意 / 基本满意 / 不满意 (and 弃权 where allowed), no seats.
 */
export const EVALUATION_METHOD = 'evaluation' as const;
export type SessionMethod = BallotMethod | typeof EVALUATION_METHOD;

export const THRESHOLD_BASES = ['enrolled', 'present', 'cast'] as const;
/** Whose majority a candidate must pass: all enrolled delegates (应到), those present (实到), or ballots cast. */
export type ThresholdBase = (typeof THRESHOLD_BASES)[number];

export const CHOICES = ['for', 'against', 'abstain'] as const;
export type Choice = (typeof CHOICES)[number];

export interface VotingRules {
	ballotMethod: SessionMethod;
	/** Seats to fill; 0 for an evaluation, which has none (NULL in the database). */
	seats: number;
	thresholdBase: ThresholdBase;
	/** An evaluation's 弃权 option; always false for a vote. */
	allowAbstain?: boolean;
}

export const CHANNELS = ['electronic', 'paper'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A ballot's content as counted: void or a choice per marked candidate; electronic unless said. */
export const EVALUATION_CHOICES = ['satisfied', 'basically_satisfied', 'unsatisfied', 'abstain'] as const;
export type EvaluationChoice = (typeof EVALUATION_CHOICES)[number];
/** A choice on any ballot: a vote's (for/against/abstain) or an evaluation's. */
export type BallotChoice = Choice | EvaluationChoice;

export interface BallotContent {
	isVoid: boolean;
	choices: ReadonlyArray<{ candidateId: number; choice: BallotChoice }>;
	channel?: Channel;
}
