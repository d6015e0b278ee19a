// Verifying the audit chain: walk every entry in sequence order, in batches (never the whole chain
// in memory), recompute each hash with the database's own audit_entry_hash (migrations/00002, the
// function the trigger uses), and check that each entry names the previous entry's hash and that
// no sequence number is missing; then, in the same snapshot, compare the chain's record of casting
// (opening, checkpoints, closing: cast-record.ts) with the marks, receipts and ballots. One
// function for the admin page and `audit:verify`.
import type { Sql } from '../db/client';
import { appendAudit } from './audit';
import { ballotsDigest } from '$lib/domain/counting';
import { readBallots } from '../voting/results';
import { verifyCastRecords } from './cast-record';

export type AuditBreak =
	/** The entry's contents do not give its stored hash: it was changed after it was written. */
	| 'hash_mismatch'
	/** The entry's previous-hash is not the hash of the entry before it (or the first entry names one). */
	| 'link_mismatch'
	/** A sequence number is missing: an entry was deleted (`seq` is the first missing number). */
	| 'missing_entry'
	/**
	 * The entry's record of casting (a checkpoint, or the closing entry's marks, receipts and ballots)
	 * disagrees with the tables or with the checkpoint after it: a mark, a receipt or a ballot was
	 * added, removed or changed after it was recorded.
	 */
	| 'records_differ';

export type AuditVerification =
	| { ok: true; entries: number; head: { seq: number; hash: string } | null }
	| {
			ok: false;
			/** The first sequence number where the chain breaks. */
			seq: number;
			problem: AuditBreak;
			/** Entries checked and found sound before the break. */
			entriesChecked: number;
			/** For a hash or link mismatch: the hash expected and the one found (hex). */
			expected?: string | null;
			found?: string | null;
			/** For records that differ: the voting session, and what differs (in English, technical). */
			votingSessionId?: number;
			differences?: string[];
	  };

export interface VerifyOptions {
	/** Entries read per query. */
	batchSize?: number;
	/** Called after each batch with the entries checked so far and the highest sequence number at the start. */
	onProgress?: (checked: number, lastSeq: number) => void;
}

interface CheckedRow {
	seq: number;
	hash: string;
	prevHash: string | null;
	recomputed: string;
}

export async function verifyAuditChain(sql: Sql, options: VerifyOptions = {}): Promise<AuditVerification> {
	const batchSize = options.batchSize ?? 1000;
	// One snapshot for the whole walk: entries appended meanwhile are left for the next check.
	return sql.begin('isolation level repeatable read read only', async (tx): Promise<AuditVerification> => {
		const [top] = await tx<{ lastSeq: number | null }[]>`select max(seq) as "lastSeq" from audit_entry`;
		const lastSeq = top?.lastSeq ?? 0;
		let previous = null as { seq: number; hash: string } | null;
		let checked = 0;
		for (;;) {
			const rows: CheckedRow[] = await tx<CheckedRow[]>`
				select seq, encode(hash, 'hex') as hash, encode(prev_hash, 'hex') as "prevHash",
				       encode(audit_entry_hash(prev_hash, seq, at, actor_user_id, action, voting_session_id, details), 'hex') as recomputed
				from audit_entry
				where seq > ${previous?.seq ?? 0}
				order by seq
				limit ${batchSize}`;
			for (const row of rows) {
				const expectedSeq: number = (previous?.seq ?? 0) + 1;
				if (row.seq !== expectedSeq) {
					return { ok: false, seq: expectedSeq, problem: 'missing_entry', entriesChecked: checked };
				}
				const expectedPrevious = previous?.hash ?? null;
				if (row.prevHash !== expectedPrevious) {
					return {
						ok: false,
						seq: row.seq,
						problem: 'link_mismatch',
						entriesChecked: checked,
						expected: expectedPrevious,
						found: row.prevHash
					};
				}
				if (row.recomputed !== row.hash) {
					return {
						ok: false,
						seq: row.seq,
						problem: 'hash_mismatch',
						entriesChecked: checked,
						expected: row.recomputed,
						found: row.hash
					};
				}
				previous = { seq: row.seq, hash: row.hash };
				checked += 1;
			}
			options.onProgress?.(checked, lastSeq);
			if (rows.length < batchSize) break;
		}
		const records = await verifyCastRecords(tx, async (votingSessionId) =>
			ballotsDigest(await readBallots(tx, votingSessionId))
		);
		if (records)
			return {
				ok: false,
				seq: records.seq,
				problem: 'records_differ',
				entriesChecked: checked,
				votingSessionId: records.votingSessionId,
				differences: records.differences
			};
		return { ok: true, entries: checked, head: previous };
	}) as Promise<AuditVerification>;
}

/**
 * A staff member's or scrutineer's check from the admin page: verifies, then appends what was found
 * to the chain (the next check covers that entry too).
 */
export async function verifyAuditChainAs(
	sql: Sql,
	actorUserId: number,
	options: VerifyOptions = {}
): Promise<AuditVerification> {
	const verification = await verifyAuditChain(sql, options);
	await appendAudit(sql, {
		actorUserId,
		action: 'audit.verified',
		details: verification.ok
			? {
					intact: true,
					entries: verification.entries,
					headSeq: verification.head?.seq ?? null,
					headHash: verification.head?.hash ?? null
				}
			: {
					intact: false,
					brokenSeq: verification.seq,
					problem: verification.problem,
					...(verification.votingSessionId === undefined ? {} : { votingSessionId: verification.votingSessionId })
				}
	});
	return verification;
}
