// Proposals from the public (群众建议) and the collection campaigns (征集) they belong to: the
// statuses and who may move a proposal between them, the districts of Taizhou, and the search
// pattern. Pure: no I/O. The database trigger proposal_guard (migrations/00007_residents.sql)
// holds the same transitions.

export const PROPOSAL_STATUSES = ['draft', 'submitted', 'under_review', 'accepted', 'merged', 'declined'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The statuses the public sees (a draft is its author's alone). */
export const PUBLIC_PROPOSAL_STATUSES = [
	'submitted',
	'under_review',
	'accepted',
	'merged',
	'declined'
] as const satisfies readonly ProposalStatus[];

/** The outcomes of a review: final, each with a reason shown to the proposer and the public. */
export const DECISION_STATUSES = ['accepted', 'merged', 'declined'] as const satisfies readonly ProposalStatus[];
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

/** The districts (区县) of Taizhou, in the official order. */
export const DISTRICTS = [
	'椒江区',
	'黄岩区',
	'路桥区',
	'临海市',
	'温岭市',
	'玉环市',
	'天台县',
	'仙居县',
	'三门县'
] as const;
export type District = (typeof DISTRICTS)[number];

export type ProposalActor = 'author' | 'staff';

/** Each allowed move, and who makes it. Anything not listed is refused. */
const TRANSITIONS: ReadonlyArray<{ from: ProposalStatus; to: ProposalStatus; by: ProposalActor }> = [
	{ from: 'draft', to: 'submitted', by: 'author' },
	{ from: 'submitted', to: 'under_review', by: 'staff' },
	{ from: 'under_review', to: 'accepted', by: 'staff' },
	{ from: 'under_review', to: 'merged', by: 'staff' },
	{ from: 'under_review', to: 'declined', by: 'staff' }
];

/** The statuses a proposal in `from` may move to. */
export function nextStatuses(from: ProposalStatus): ProposalStatus[] {
	return TRANSITIONS.filter((transition) => transition.from === from).map((transition) => transition.to);
}

/** Who may move a proposal from `from` to `to`, or null when the move is not allowed at all. */
export function transitionActor(from: ProposalStatus, to: ProposalStatus): ProposalActor | null {
	return TRANSITIONS.find((transition) => transition.from === from && transition.to === to)?.by ?? null;
}

export function canTransition(from: ProposalStatus, to: ProposalStatus, actor: ProposalActor): boolean {
	return transitionActor(from, to) === actor;
}

export function isDecision(status: ProposalStatus): status is DecisionStatus {
	return (DECISION_STATUSES as readonly ProposalStatus[]).includes(status);
}

/** The staff's review actions (the review queue's buttons) and the status each leads to. */
export const REVIEW_ACTIONS = {
	start_review: 'under_review',
	accept: 'accepted',
	decline: 'declined'
} as const satisfies Record<string, ProposalStatus>;
export type ReviewAction = keyof typeof REVIEW_ACTIONS;

/** Whether a review action needs a reason: a decline always does (the proposer is told why). */
export function reasonRequired(to: ProposalStatus): boolean {
	return to === 'declined';
}

// ---------------------------------------------------------------- campaigns

export type CampaignPhase = 'upcoming' | 'open' | 'closed';

/** A campaign takes proposals from its opening (inclusive) to its closing (exclusive). */
export function campaignPhase(campaign: { opensAt: Date; closesAt: Date }, now: Date): CampaignPhase {
	if (now < campaign.opensAt) return 'upcoming';
	return now < campaign.closesAt ? 'open' : 'closed';
}

// ---------------------------------------------------------------- search

/**
 * An ILIKE pattern that finds `query` anywhere, with the pattern's own wildcards (% _ \) escaped.
 * Chinese has no spaces between words, so the whole query (trimmed, inner runs of white space
 * collapsed) is matched as one piece of text; null when there is nothing to search for.
 */
export function containsPattern(query: string): string | null {
	const text = query.trim().replace(/\s+/g, ' ');
	if (text === '') return null;
	return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** How many pages `total` items fill at `pageSize` a page (at least one, so page 1 always exists). */
export function pageCount(total: number, pageSize: number): number {
	return Math.max(1, Math.ceil(total / pageSize));
}

export interface ProposalSummary {
	id: number;
	status: ProposalStatus;
	/** Empty for the public when the proposal is hidden. */
	title: string;
	categoryId: number | null;
	categoryName: string | null;
	district: District | null;
	submittedAt: Date | null;
	decisionReason: string | null;
	mergedIntoCandidateId: number | null;
	mergedIntoCandidateTitle: string | null;
	hidden: boolean;
	hiddenReason: string | null;
}

// ---------------------------------------------------------------- what the services refuse
// (src/lib/server/residents/proposals.ts and merge.ts; their messages: src/lib/residents-messages.ts)

/** A resident's write: saving or deleting their proposal. */
export type ProposalProblem = 'not_found' | 'not_draft' | 'campaign_closed' | 'category_not_found';
/** Staff moving proposals on in the review. */
export type ReviewProblem = 'not_found' | 'wrong_status';
/** Staff merging proposals into a candidate. */
export type MergeProblem = ReviewProblem | 'candidate_not_found' | 'category_not_found' | 'title_taken';
/** Staff hiding a proposal or showing it again. */
export type HideProblem = 'not_found' | 'draft' | 'unchanged';
