// The audit chain's actions in words. An action this list does not know yet is shown as its code.
import { m } from '$lib/paraglide/messages';

const labels: Record<string, () => string> = {
	'demo.seeded': m.screen_audit_action_demo_seeded,
	'session.created': m.screen_audit_action_session_created,
	'electorate.added': m.screen_audit_action_electorate_added,
	'session.open': m.screen_audit_action_session_open,
	'session.close': m.screen_audit_action_session_close,
	'session.confirm': m.screen_audit_action_session_confirm,
	'session.publish': m.screen_audit_action_session_publish,
	'ballot.cast': m.screen_audit_action_ballot_cast,
	'audit.verified': m.screen_audit_action_audit_verified,
	'candidate.created': m.screen_audit_action_candidate_created,
	'candidate.updated': m.screen_audit_action_candidate_updated,
	'candidate.deleted': m.screen_audit_action_candidate_deleted,
	'category.created': m.screen_audit_action_category_created,
	'category.updated': m.screen_audit_action_category_updated,
	'category.deleted': m.screen_audit_action_category_deleted,
	'catalog.imported': m.screen_audit_action_catalog_imported,
	'credentials.issued': m.screen_audit_action_credentials_issued,
	'delegate.disabled': m.screen_audit_action_delegate_disabled,
	'delegate.enabled': m.screen_audit_action_delegate_enabled,
	'electorate.removed': m.screen_audit_action_electorate_removed,
	'presence.marked': m.screen_audit_action_presence_marked,
	'roster.imported': m.screen_audit_action_roster_imported,
	'session.updated': m.screen_audit_action_session_updated,
	'session.attendance_rules': m.attendance_audit_rules,
	'paper_batch.entered': m.screen_audit_action_paper_batch_entered,
	'two_factor.enrolled': m.screen_audit_action_two_factor_enrolled,
	'two_factor.disabled': m.screen_audit_action_two_factor_disabled,
	'two_factor.recovery_code_used': m.screen_audit_action_two_factor_recovery_code_used,
	'two_factor.reset': m.screen_audit_action_two_factor_reset,
	'account.password_changed': m.screen_audit_action_account_password_changed,
	'campaign.created': m.screen_audit_action_campaign_created,
	'campaign.updated': m.screen_audit_action_campaign_updated,
	'proposal.hidden': m.screen_audit_action_proposal_hidden,
	'proposal.unhidden': m.screen_audit_action_proposal_unhidden,
	'proposal.merged': m.screen_audit_action_proposal_merged,
	'selection.round_created': m.screen_audit_action_selection_round_created,
	'selection.round_closed': m.screen_audit_action_selection_round_closed,
	'delivery.demo_seeded': m.delivery_audit_demo_seeded,
	'delivery.department_created': m.delivery_audit_department_created,
	'delivery.member_added': m.delivery_audit_member_added,
	'delivery.member_removed': m.delivery_audit_member_removed,
	'delivery.note_posted': m.delivery_audit_note_posted,
	'delivery.note_reviewed': m.delivery_audit_note_reviewed,
	'delivery.update_posted': m.delivery_audit_update_posted,
	'selection.carried_over': m.screen_audit_action_selection_carried_over
};

export function auditActionLabel(action: string): string {
	return labels[action]?.() ?? action;
}
