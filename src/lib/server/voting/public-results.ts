// The public view of a session's result: the tally only once published, nothing before.
import type { SessionTally } from '$lib/domain/tally';
import type { Sql } from '../db/client';
import { listSessionCandidates } from '../catalog/catalog';
import { getPublishedTally } from './results';
import { getVotingSession, type VotingSession, type VotingSessionSummary } from './sessions';

export interface PublicResult {
	votingSession: VotingSessionSummary & {
		ballotMethod: VotingSession['rules']['ballotMethod'];
		isDemo: boolean;
		publishedAt: Date | null;
		closedAt: Date | null;
		confirmedAt: Date | null;
		confirmedByName: string | null;
	};
	tally: SessionTally | null;
	candidateTitles: Record<string, string>;
}

/** Null when the session does not exist; `tally` null until published. */
export async function publishedResult(sql: Sql, votingSessionId: number): Promise<PublicResult | null> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return null;
	const tally = votingSession.status === 'published' ? await getPublishedTally(sql, votingSessionId) : null;
	const candidates = tally ? await listSessionCandidates(sql, votingSessionId) : [];
	return {
		votingSession: {
			id: votingSession.id,
			title: votingSession.title,
			year: votingSession.year,
			status: votingSession.status,
			ballotMethod: votingSession.rules.ballotMethod,
			isDemo: votingSession.isDemo,
			publishedAt: votingSession.publishedAt,
			closedAt: votingSession.closedAt,
			confirmedAt: votingSession.confirmedAt,
			confirmedByName: votingSession.confirmedByName
		},
		tally,
		candidateTitles: Object.fromEntries(candidates.map((candidate) => [candidate.id, candidate.title]))
	};
}
