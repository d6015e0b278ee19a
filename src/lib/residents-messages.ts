// The residents' area's failures in words: every code a proposal, review, merge, hide, support,
// round or mobile-verification service returns (src/lib/server/residents/) has its Paraglide message here, named by a
// typed key (its pages show messages through form data, where a key travels and a function does
// not). A code without a message does not compile; tests/unit/failure-messages.test.ts fails when
// a message lacks its Chinese or English text.
import type { HideProblem, MergeProblem, ProposalProblem } from '$lib/domain/proposals';
import type { RoundProblem, SupportFailure } from '$lib/domain/selection';
import type { MobileCodeCheckProblem, MobileCodeRequestProblem } from '$lib/domain/verification';
import type { MessageKey, MessageRef } from '$lib/i18n';

/** A resident saving or deleting their proposal. */
export const PROPOSAL_PROBLEM_MESSAGES = {
	not_found: 'residents_problem_not_found',
	not_draft: 'residents_problem_not_draft',
	campaign_closed: 'residents_problem_campaign_closed',
	category_not_found: 'residents_error_category_required'
} as const satisfies Record<ProposalProblem, MessageKey>;

/** Staff reviewing, merging and hiding proposals (input `ids`: the proposals concerned). */
export const REVIEW_PROBLEM_MESSAGES = {
	not_found: 'residents_review_problem_not_found',
	wrong_status: 'residents_review_problem_wrong_status',
	candidate_not_found: 'residents_error_merge_candidate_required',
	category_not_found: 'residents_error_category_required',
	title_taken: 'catalog_problem_title_taken',
	draft: 'residents_review_problem_draft',
	unchanged: 'residents_review_problem_unchanged'
} as const satisfies Record<MergeProblem | HideProblem, MessageKey>;

/** Staff's actions on a selection round. */
export const ROUND_PROBLEM_MESSAGES = {
	not_found: 'residents_round_not_found',
	candidate_not_found: 'error_candidate_not_found',
	not_open: 'residents_round_problem_not_open',
	not_closed: 'residents_round_problem_not_closed',
	too_few_candidates: 'error_seats_not_below_candidates',
	results_final: 'verification_problem_results_final',
	not_excluded: 'verification_problem_not_excluded'
} as const satisfies Record<RoundProblem, MessageKey>;

/** A resident verifying their mobile number: asking for a code (input `minutes`), typing it (input `attempts`). */
export const MOBILE_CODE_MESSAGES = {
	rate_limited: 'verification_error_rate_limited',
	taken: 'verification_error_taken',
	already_verified: 'verification_error_already_verified',
	not_sent: 'verification_error_not_sent',
	no_code: 'verification_error_no_code',
	expired: 'verification_error_expired',
	too_many_attempts: 'verification_error_too_many_attempts',
	wrong_code: 'verification_error_wrong_code'
} as const satisfies Record<MobileCodeRequestProblem | MobileCodeCheckProblem, MessageKey>;

/** A resident's refused choice in a round, with the numbers its message names. */
export function supportFailureMessage(failure: SupportFailure): MessageRef {
	switch (failure.code) {
		case 'over_limit':
			return { key: 'residents_error_over_limit', inputs: { chosen: failure.chosen, limit: failure.limit } };
		case 'unknown_candidate':
			return { key: 'error_candidate_unknown', inputs: {} };
		case 'duplicate_candidate':
			return { key: 'error_candidate_duplicate', inputs: {} };
		case 'not_resident':
			return { key: 'residents_error_residents_only', inputs: {} };
		case 'not_eligible':
			return {
				key:
					failure.eligibility === 'identity' ? 'verification_not_eligible_identity' : 'verification_not_eligible_phone',
				inputs: {}
			};
		case 'not_found':
		case 'not_open':
			return { key: 'residents_error_round_not_open', inputs: {} };
	}
}
