// Turnout changes are announced with NOTIFY so that every app instance hears them.
import type { Sql, TransactionSql } from '../db/client';

export const TURNOUT_CHANNEL = 'piaojue_turnout';

export async function notifyTurnout(sql: Sql | TransactionSql, votingSessionId: number): Promise<void> {
	await sql`select pg_notify(${TURNOUT_CHANNEL}, ${String(votingSessionId)})`;
}
