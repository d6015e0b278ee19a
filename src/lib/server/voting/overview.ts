// What is happening now: the session the home page leads with.
import type { Sql } from '../db/client';
import { getVotingSession, listVotingSessions, type VotingSession } from './sessions';

const STATUS_PRIORITY = { open: 0, closed: 1, published: 2, draft: 3 } as const;

/** The current session: an open one first, then the latest closed, published, or (for staff) draft. */
export async function currentVotingSession(sql: Sql, options: { drafts: boolean }): Promise<VotingSession | null> {
	const sessions = await listVotingSessions(sql, options);
	const current = [...sessions].sort(
		(a, b) => STATUS_PRIORITY[a.status] - STATUS_PRIORITY[b.status] || b.year - a.year || b.id - a.id
	)[0];
	return current ? getVotingSession(sql, current.id) : null;
}
