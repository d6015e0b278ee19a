// Receipts: after closing, the sorted list of receipt hashes of the electronic ballots and a
// check that a receipt code is among them. It proves inclusion, never content: the hashes are kept
// apart from the ballots (ballot_receipt), with no link to any of them.
import type { Sql } from '../db/client';
import { receiptHash } from './casting';

export interface ReceiptList {
	status: 'closed' | 'published';
	/** Hex SHA-256 of each receipt code, sorted: no order of casting. */
	receiptHashes: string[];
	electronicBallots: number;
	paperBallots: number;
}

/** Null when the session does not exist or is still draft/open. */
export async function listReceipts(sql: Sql, votingSessionId: number): Promise<ReceiptList | null> {
	const [session] = await sql<{ status: string }[]>`select status from voting_session where id = ${votingSessionId}`;
	if (!session || (session.status !== 'closed' && session.status !== 'published')) return null;
	const hashes = await sql<{ hash: string }[]>`
		select encode(receipt_hash, 'hex') as hash from ballot_receipt
		where voting_session_id = ${votingSessionId} order by receipt_hash`;
	const [counts] = await sql<{ electronic: number; paper: number }[]>`
		select count(*) filter (where channel = 'electronic')::int as electronic, count(*) filter (where channel = 'paper')::int as paper
		from ballot where voting_session_id = ${votingSessionId}`;
	return {
		status: session.status,
		receiptHashes: hashes.map((row) => row.hash),
		electronicBallots: counts?.electronic ?? 0,
		paperBallots: counts?.paper ?? 0
	};
}

export async function isReceiptIncluded(sql: Sql, votingSessionId: number, receiptCode: string): Promise<boolean> {
	const [row] = await sql`
		select 1 from ballot_receipt r join voting_session s on s.id = r.voting_session_id
		where r.voting_session_id = ${votingSessionId} and s.status in ('closed', 'published') and r.receipt_hash = ${receiptHash(receiptCode)}`;
	return row !== undefined;
}
