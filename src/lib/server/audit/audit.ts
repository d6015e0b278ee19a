// Appending to the audit chain. The chain itself (sequence, previous hash, hash) is computed
// by the database trigger, which also refuses updates and deletes.
import type { Sql, TransactionSql } from '../db/client';

export interface AuditInput {
	actorUserId: number | null;
	action: string;
	votingSessionId?: number | null;
	details?: Record<string, string | number | boolean | null | string[] | number[]>;
}

export async function appendAudit(sql: Sql | TransactionSql, entry: AuditInput): Promise<void> {
	await sql`
		insert into audit_entry (seq, actor_user_id, action, voting_session_id, details, hash)
		values (0, ${entry.actorUserId}, ${entry.action}, ${entry.votingSessionId ?? null}, ${sql.json(entry.details ?? {})}, '\\x')`;
}

/** The newest entry of the chain: its sequence number and hash (shown on the announcement and the projector). */
export async function auditHead(sql: Sql): Promise<{ seq: number; hash: string } | null> {
	const [head] = await sql<{ seq: number; hash: string }[]>`
		select seq, encode(hash, 'hex') as hash from audit_entry order by seq desc limit 1`;
	return head ?? null;
}

export interface AuditCheckpoint {
	seq: number;
	hash: string;
	at: Date;
}

/**
 * The head of the audit chain when a session opened and when it closed: the hashes of its
 * `session.open` and `session.close` entries, shown on the projector and the results page as the
 * hall sees them, so a chain rewritten later (hashes recomputed) disagrees with what was shown.
 */
export async function auditCheckpoints(
	sql: Sql | TransactionSql,
	votingSessionId: number
): Promise<{ opened: AuditCheckpoint | null; closed: AuditCheckpoint | null }> {
	const rows = await sql<(AuditCheckpoint & { action: string })[]>`
		select action, seq, encode(hash, 'hex') as hash, at from audit_entry
		where voting_session_id = ${votingSessionId} and action in ('session.open', 'session.close')
		order by seq`;
	const find = (action: string) => {
		const row = rows.find((entry) => entry.action === action);
		return row ? { seq: row.seq, hash: row.hash, at: row.at } : null;
	};
	return { opened: find('session.open'), closed: find('session.close') };
}
