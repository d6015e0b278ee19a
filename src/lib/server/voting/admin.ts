// What staff and scrutineers see of a session: turnout always, the tally once closed.
import type { SessionTally } from '$lib/domain/tally';
import type { Sql } from '../db/client';
import { listSessionCandidates } from '../catalog/catalog';
import { getStoredTally } from './results';
import { getVotingSession, listVotingSessions, type VotingSession } from './sessions';

export async function listSessionsWithTurnout(sql: Sql): Promise<VotingSession[]> {
	const sessions = await listVotingSessions(sql, { drafts: true });
	const detailed = await Promise.all(sessions.map((session) => getVotingSession(sql, session.id)));
	return detailed.filter((session): session is VotingSession => session !== null);
}

export async function sessionForStaff(sql: Sql, votingSessionId: number) {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return null;
	const showTally = votingSession.status === 'closed' || votingSession.status === 'published';
	const tally: SessionTally | null = showTally ? await getStoredTally(sql, votingSessionId) : null;
	const candidates = await listSessionCandidates(sql, votingSessionId);
	return {
		votingSession,
		tally,
		candidateTitles: Object.fromEntries(candidates.map((candidate) => [candidate.id, candidate.title]))
	};
}
