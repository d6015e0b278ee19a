// The public view of a session's result: the tally only once published, nothing before.
import type { SessionTally } from '$lib/domain/tally';
import type { VotingRules } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { auditCheckpoints } from '../audit/audit';
import { listSessionCandidates } from '../catalog/catalog';
import { getPublishedTally } from './results';
import { getVotingSession, type VotingSessionSummary } from './sessions';

export interface PublicResult {
	votingSession: VotingSessionSummary & {
		rules: VotingRules;
		isDemo: boolean;
		publishedAt: Date | null;
		closedAt: Date | null;
		confirmedAt: Date | null;
		confirmedByName: string | null;
	};
	tally: SessionTally | null;
	candidateTitles: Record<string, string>;
	/** The audit chain's head when the session opened and closed, as the projector showed it. */
	auditCheckpoints: Awaited<ReturnType<typeof auditCheckpoints>>;
}

/** Null when the session does not exist; `tally` null until published. */
export async function publishedResult(sql: Sql, votingSessionId: number): Promise<PublicResult | null> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return null;
	const tally = votingSession.status === 'published' ? await getPublishedTally(sql, votingSessionId) : null;
	const [candidates, checkpoints] = await Promise.all([
		tally ? listSessionCandidates(sql, votingSessionId) : [],
		auditCheckpoints(sql, votingSessionId)
	]);
	return {
		votingSession: {
			id: votingSession.id,
			title: votingSession.title,
			year: votingSession.year,
			status: votingSession.status,
			rules: votingSession.rules,
			isDemo: votingSession.isDemo,
			publishedAt: votingSession.publishedAt,
			closedAt: votingSession.closedAt,
			confirmedAt: votingSession.confirmedAt,
			confirmedByName: votingSession.confirmedByName
		},
		tally,
		candidateTitles: Object.fromEntries(candidates.map((candidate) => [candidate.id, candidate.title])),
		auditCheckpoints: checkpoints
	};
}
