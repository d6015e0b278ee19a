// The residents' statuses and phases in words, with the badge class each is shown with
// (shared by the public pages, /me and the admin pages).
import type { CampaignPhase, ProposalStatus } from '$lib/domain/proposals';
import type { RoundPhase } from '$lib/domain/selection';
import { m } from '$lib/paraglide/messages';

const statusLabels: Record<ProposalStatus, () => string> = {
	draft: m.residents_status_draft,
	submitted: m.residents_status_submitted,
	under_review: m.residents_status_under_review,
	accepted: m.residents_status_accepted,
	merged: m.residents_status_merged,
	declined: m.residents_status_declined
};

const statusBadges: Record<ProposalStatus, string> = {
	draft: 'status-draft',
	submitted: 'status-open',
	under_review: 'status-open',
	accepted: 'status-published',
	merged: 'status-published',
	declined: 'status-closed'
};

export function proposalStatusLabel(status: ProposalStatus): string {
	return statusLabels[status]();
}

export function proposalStatusBadge(status: ProposalStatus): string {
	return `badge ${statusBadges[status]}`;
}

const phaseLabels: Record<CampaignPhase | RoundPhase, () => string> = {
	upcoming: m.residents_phase_upcoming,
	open: m.residents_phase_open,
	closed: m.residents_phase_closed
};

const phaseBadges: Record<CampaignPhase | RoundPhase, string> = {
	upcoming: 'status-draft',
	open: 'status-open',
	closed: 'status-closed'
};

export function phaseLabel(phase: CampaignPhase | RoundPhase): string {
	return phaseLabels[phase]();
}

export function phaseBadge(phase: CampaignPhase | RoundPhase): string {
	return `badge ${phaseBadges[phase]}`;
}
