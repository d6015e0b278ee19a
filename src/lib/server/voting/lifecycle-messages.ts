// The user's-language message for each reason a session cannot move on (open, close, publish).
import { formatNumber } from '$lib/format';
import { m } from '$lib/paraglide/messages';
import type { LifecycleError, LifecycleResult } from './sessions';

const lifecycleErrorMessages: Record<Exclude<LifecycleError, 'below_quorum'>, () => string> = {
	not_found: m.error_session_not_found,
	wrong_status: m.error_lifecycle_wrong_status,
	no_candidates: m.error_lifecycle_no_candidates,
	no_electorate: m.error_lifecycle_no_electorate,
	seats_not_below_candidates: m.error_lifecycle_seats,
	not_confirmed: m.error_publish_not_confirmed,
	publisher_confirmed: m.error_publish_same_person,
	publisher_not_staff: m.error_forbidden,
	vote_void: m.attendance_error_vote_void,
	tally_mismatch: m.trust_error_tally_mismatch,
	paper_batch_pending: m.trust_error_paper_pending,
	rules_not_adopted: m.procedure_error_open_rules,
	review_not_recorded: m.procedure_error_open_review,
	scrutineers_not_named: m.procedure_error_open_scrutineers,
	scrutineer_not_enrolled: m.procedure_error_open_scrutineer_not_enrolled,
	ratio_needs_confirmation: m.procedure_error_open_ratio,
	announcement_number_taken: m.procedure_error_announcement_number_taken
};

/** The refusal in the user's language; below the quorum with the numbers ("应到 444 人，实到 280 人，不足法定人数 297 人"). */
export function lifecycleRefusal(result: Extract<LifecycleResult, { ok: false }>): string {
	if (result.error === 'below_quorum') {
		const quorum = result.quorum;
		return m.attendance_error_below_quorum({
			enrolled: formatNumber(quorum?.enrolled ?? 0),
			present: formatNumber(quorum?.present ?? 0),
			needed: formatNumber(quorum?.needed ?? 0)
		});
	}
	return lifecycleErrorMessages[result.error]();
}
