// The one place a database error becomes a refusal the application understands. Every refusal a
// migration's trigger raises carries its own SQLSTATE (class PJ: PJ1xx trust, PJ2xx attendance,
// PJ3xx procedure, PJ4xx verification, PJ6xx the hall, PJ8xx the older refusals given codes by 00020); PostgreSQL's
// own integrity refusals (class 23) name the constraint that refused. Code elsewhere asks
// `refusalOf(error)` and compares the refusal's name (and, for class 23, the constraint's name),
// never the SQLSTATE by hand and never the text of a message (tests/unit/refusal.test.ts holds
// src/ to that, and every code a migration raises to having a name here).

/** Each SQLSTATE a migration raises, and the name of its refusal. */
export const REFUSAL_CODES = [
	// 00011, 00016: trust (issue 12)
	{ code: 'PJ100', refusal: 'runtime_role_missing' },
	{ code: 'PJ101', refusal: 'ballot_box_unbalanced' },
	{ code: 'PJ102', refusal: 'ballot_gains_choices' },
	{ code: 'PJ103', refusal: 'ballot_breaks_rules' },
	{ code: 'PJ110', refusal: 'access_code_for_privileged' },
	{ code: 'PJ120', refusal: 'paper_batch_fixed' },
	{ code: 'PJ121', refusal: 'paper_batch_awaits_confirmation' },
	{ code: 'PJ122', refusal: 'paper_batch_not_pending' },
	{ code: 'PJ123', refusal: 'paper_batch_incomplete' },
	{ code: 'PJ124', refusal: 'paper_batches_pending' },
	{ code: 'PJ130', refusal: 'session_rules_frozen' },
	// 00012: attendance (issue 13, part 1)
	{ code: 'PJ200', refusal: 'attendance_rules_frozen' },
	{ code: 'PJ201', refusal: 'below_quorum' },
	{ code: 'PJ202', refusal: 'not_checked_in' },
	{ code: 'PJ203', refusal: 'voted_stays_checked_in' },
	{ code: 'PJ204', refusal: 'vote_void' },
	{ code: 'PJ205', refusal: 'tally_figures_differ' },
	// 00013: the congress's procedure (issue 13, part 2)
	{ code: 'PJ301', refusal: 'rules_adopted' },
	{ code: 'PJ302', refusal: 'rules_not_adopted' },
	{ code: 'PJ303', refusal: 'review_not_recorded' },
	{ code: 'PJ304', refusal: 'scrutineer_panel_incomplete' },
	{ code: 'PJ305', refusal: 'scrutineer_not_in_electorate' },
	{ code: 'PJ306', refusal: 'ratio_not_confirmed' },
	{ code: 'PJ307', refusal: 'scrutineers_frozen' },
	{ code: 'PJ308', refusal: 'counter_not_staff' },
	{ code: 'PJ309', refusal: 'confirmation_fixed' },
	{ code: 'PJ310', refusal: 'confirmer_not_named' },
	{ code: 'PJ311', refusal: 'confirmation_rule_unmet' },
	{ code: 'PJ312', refusal: 'publication_unconfirmed' },
	{ code: 'PJ313', refusal: 'follow_up_invalid' },
	{ code: 'PJ314', refusal: 'procedure_fixed' },
	{ code: 'PJ315', refusal: 'candidate_list_reviewed' },
	{ code: 'PJ316', refusal: 'paper_batch_scrutineers_unnamed' },
	// 00014: verified residents (issue 14)
	{ code: 'PJ401', refusal: 'round_eligibility_frozen' },
	{ code: 'PJ402', refusal: 'round_results_final' },
	{ code: 'PJ410', refusal: 'not_phone_verified' },
	{ code: 'PJ411', refusal: 'not_identity_verified' },
	{ code: 'PJ420', refusal: 'exclusions_closed' },
	// 00017: the hall (issue 15)
	{ code: 'PJ601', refusal: 'paper_keying_not_open' },
	// 00020: the older refusals (issue 17), the catalog
	{ code: 'PJ801', refusal: 'candidate_frozen' },
	{ code: 'PJ802', refusal: 'category_not_empty' },
	{ code: 'PJ803', refusal: 'category_frozen' },
	// voting sessions and the ballot box
	{ code: 'PJ810', refusal: 'session_list_frozen' },
	{ code: 'PJ811', refusal: 'ballot_box_append_only' },
	{ code: 'PJ812', refusal: 'session_not_open' },
	{ code: 'PJ813', refusal: 'tally_fixed' },
	{ code: 'PJ814', refusal: 'tally_before_close' },
	{ code: 'PJ815', refusal: 'choice_not_allowed' },
	{ code: 'PJ816', refusal: 'evaluation_without_projects' },
	{ code: 'PJ817', refusal: 'session_not_deletable' },
	{ code: 'PJ818', refusal: 'session_status_step' },
	{ code: 'PJ819', refusal: 'tally_already_confirmed' },
	{ code: 'PJ820', refusal: 'confirm_before_close' },
	{ code: 'PJ821', refusal: 'confirmer_not_scrutineer' },
	{ code: 'PJ822', refusal: 'published_by_outside_publishing' },
	{ code: 'PJ823', refusal: 'too_few_candidates' },
	{ code: 'PJ824', refusal: 'no_electorate' },
	{ code: 'PJ825', refusal: 'no_tally' },
	{ code: 'PJ826', refusal: 'publish_unconfirmed' },
	{ code: 'PJ827', refusal: 'publisher_not_staff' },
	// paper batches
	{ code: 'PJ830', refusal: 'paper_batch_count_mismatch' },
	{ code: 'PJ831', refusal: 'paper_batch_without_scrutineer' },
	{ code: 'PJ832', refusal: 'not_scrutineer' },
	// the audit chain and the append-only tables
	{ code: 'PJ840', refusal: 'audit_append_only' },
	{ code: 'PJ841', refusal: 'truncate_refused' },
	// proposals
	{ code: 'PJ850', refusal: 'proposal_not_deletable' },
	{ code: 'PJ851', refusal: 'proposal_new_status' },
	{ code: 'PJ852', refusal: 'campaign_closed' },
	{ code: 'PJ853', refusal: 'proposal_identity_fixed' },
	{ code: 'PJ854', refusal: 'proposal_status_step' },
	{ code: 'PJ855', refusal: 'proposal_dates_by_status' },
	{ code: 'PJ856', refusal: 'proposal_content_fixed' },
	{ code: 'PJ857', refusal: 'proposal_decision_final' },
	{ code: 'PJ858', refusal: 'proposal_reason_without_decision' },
	{ code: 'PJ859', refusal: 'proposal_draft_hidden' },
	// the online public selection
	{ code: 'PJ860', refusal: 'round_not_deletable' },
	{ code: 'PJ861', refusal: 'round_rules_frozen' },
	{ code: 'PJ862', refusal: 'round_only_closed_earlier' },
	{ code: 'PJ863', refusal: 'round_candidates_frozen' },
	{ code: 'PJ864', refusal: 'not_resident' },
	{ code: 'PJ865', refusal: 'round_not_open' },
	{ code: 'PJ866', refusal: 'participant_fixed' },
	{ code: 'PJ867', refusal: 'support_fixed' },
	{ code: 'PJ868', refusal: 'selection_tally_fixed' },
	// delivery tracking
	{ code: 'PJ870', refusal: 'project_fixed' },
	{ code: 'PJ871', refusal: 'progress_update_fixed' },
	{ code: 'PJ872', refusal: 'progress_percentages' },
	{ code: 'PJ873', refusal: 'photo_fixed' },
	{ code: 'PJ874', refusal: 'monitor_not_delegate' },
	{ code: 'PJ875', refusal: 'inspection_note_kept' },
	{ code: 'PJ876', refusal: 'inspection_note_starts_pending' },
	{ code: 'PJ877', refusal: 'inspection_note_outside_group' },
	{ code: 'PJ878', refusal: 'inspection_note_text_fixed' },
	{ code: 'PJ879', refusal: 'inspection_note_reviewed' },
	{ code: 'PJ880', refusal: 'inspection_note_reviewer_not_staff' }
] as const;

/** PostgreSQL's integrity refusals (class 23): which constraint refused is in `constraint`. */
export const CONSTRAINT_REFUSALS = [
	{ code: '23502', refusal: 'not_null_violation' },
	{ code: '23503', refusal: 'foreign_key_violation' },
	{ code: '23505', refusal: 'unique_violation' },
	{ code: '23514', refusal: 'check_violation' },
	{ code: '23P01', refusal: 'exclusion_violation' }
] as const;

export type CodedRefusal = (typeof REFUSAL_CODES)[number]['refusal'];
export type ConstraintRefusal = (typeof CONSTRAINT_REFUSALS)[number]['refusal'];
export type RefusalName = CodedRefusal | ConstraintRefusal;

export interface Refusal {
	refusal: RefusalName;
	/** The SQLSTATE. */
	code: string;
	/** The constraint that refused (class 23), else null. */
	constraint: string | null;
}

const refusalByCode = new Map<string, RefusalName>(
	[...REFUSAL_CODES, ...CONSTRAINT_REFUSALS].map((entry) => [entry.code, entry.refusal])
);

/**
 * The refusal a database error carries, or null when it is no refusal (a lost connection, a bug, a
 * code no migration raises). Works on postgres.js's PostgresError and on anything with the same
 * fields (`code`, `constraint_name`).
 */
export function refusalOf(error: unknown): Refusal | null {
	if (error === null || typeof error !== 'object') return null;
	const { code, constraint_name: constraint } = error as { code?: unknown; constraint_name?: unknown };
	if (typeof code !== 'string') return null;
	const refusal = refusalByCode.get(code);
	if (!refusal) return null;
	return { refusal, code, constraint: typeof constraint === 'string' && constraint !== '' ? constraint : null };
}

/** Whether the error is one of the named refusals (for class 23, optionally by a named constraint). */
export function isRefusal(error: unknown, ...names: RefusalName[]): boolean {
	const found = refusalOf(error);
	return found !== null && names.includes(found.refusal);
}

/** Whether the error is the class-23 refusal `name` by the constraint `constraint`. */
export function isConstraintRefusal(error: unknown, name: ConstraintRefusal, constraint: string): boolean {
	const found = refusalOf(error);
	return found !== null && found.refusal === name && found.constraint === constraint;
}
