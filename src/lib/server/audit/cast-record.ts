// The audit chain's record of casting (issue 16, docs/decisions/0005-audit-chain.md): a cast
// appends nothing to the chain; the opening and closing entries carry the counts and digests of
// the has-voted marks and the receipts (src/lib/domain/cast-record.ts), and while voting a
// `ballots.checkpoint` entry records the counts at intervals. `audit:verify` compares them with
// the tables: the closing record exactly (and the ballots with the closing entry's digest), the
// checkpoints as never more than what followed them.
import {
	castRecord,
	checkpointDifferences,
	closingRecordDifferences,
	recordedCastRecord,
	recordedCounts,
	type CastCounts,
	type CastRecord
} from '$lib/domain/cast-record';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from './audit';

/** The audit action of a checkpoint taken while voting. */
export const CHECKPOINT_ACTION = 'ballots.checkpoint';

/** How often, at most, a checkpoint is taken of a session whose turnout changed. */
export const CHECKPOINT_INTERVAL_SECONDS = 30;

/** The marks and receipts of a session now, counted and digested (read in the caller's snapshot). */
export async function readCastRecord(sql: Sql | TransactionSql, votingSessionId: number): Promise<CastRecord> {
	const [marks, receipts] = await Promise.all([
		sql<{ delegateId: number; channel: string }[]>`
			select delegate_id as "delegateId", channel from ballot_mark where voting_session_id = ${votingSessionId}`,
		sql<{ hash: string }[]>`
			select encode(receipt_hash, 'hex') as hash from ballot_receipt where voting_session_id = ${votingSessionId}`
	]);
	return castRecord(
		marks,
		receipts.map((receipt) => receipt.hash)
	);
}

async function readCastCounts(sql: Sql | TransactionSql, votingSessionId: number): Promise<CastCounts> {
	const [counts] = await sql<CastCounts[]>`
		select count(*) filter (where channel = 'electronic')::int as "electronicMarks",
		       count(*) filter (where channel = 'paper')::int as "paperMarks",
		       (select count(*) from ballot_receipt r where r.voting_session_id = ${votingSessionId})::int as receipts
		from ballot_mark where voting_session_id = ${votingSessionId}`;
	return counts as CastCounts;
}

/**
 * A checkpoint of every open session whose turnout changed since its last one (or its opening),
 * at most one per session per interval. Every instance's scheduler calls this; the session row
 * (shared) and then the chain's own lock make the instances take turns, and each looks again
 * under them, so one checkpoint is written however many ask. Returns the sessions checkpointed.
 */
export async function writeCastCheckpoints(sql: Sql, intervalSeconds = CHECKPOINT_INTERVAL_SECONDS): Promise<number[]> {
	const open = await sql<{ id: number }[]>`
		select s.id from voting_session s
		where s.status = 'open' and not exists (
			select 1 from audit_entry a
			where a.voting_session_id = s.id and a.action in ('session.open', ${CHECKPOINT_ACTION})
			  and a.at > now() - make_interval(secs => ${intervalSeconds}))
		order by s.id`;
	const written: number[] = [];
	for (const { id } of open) {
		const wrote = await sql.begin(async (tx) => {
			const [session] = await tx<{ status: string }[]>`select status from voting_session where id = ${id} for share`;
			if (session?.status !== 'open') return false;
			await tx`select pg_advisory_xact_lock(hashtext('piaojue.audit_chain'))`;
			const [last] = await tx<{ details: Record<string, unknown>; recent: boolean }[]>`
				select details, at > now() - make_interval(secs => ${intervalSeconds}) as recent
				from audit_entry where voting_session_id = ${id} and action in ('session.open', ${CHECKPOINT_ACTION})
				order by seq desc limit 1`;
			if (last?.recent) return false;
			const counts = await readCastCounts(tx, id);
			const previous = last ? recordedCounts(last.details) : null;
			if (
				previous &&
				previous.electronicMarks === counts.electronicMarks &&
				previous.paperMarks === counts.paperMarks &&
				previous.receipts === counts.receipts
			)
				return false;
			await appendAudit(tx, {
				actorUserId: null,
				action: CHECKPOINT_ACTION,
				votingSessionId: id,
				details: { ...counts }
			});
			return true;
		});
		if (wrote) written.push(id);
	}
	return written;
}

/**
 * What `tally --verify` adds for a closed session: how the marks and receipts now differ from the
 * closing entry's record, and that entry's digest of the ballots (null when the session has no
 * closing entry with a record, e.g. one closed before issue 16: then only the ballots' digest).
 */
export async function closingRecordCheck(
	tx: TransactionSql,
	votingSessionId: number
): Promise<{ differences: string[]; ballotsDigest: string | null } | null> {
	const [closing] = await tx<{ details: Record<string, unknown> }[]>`
		select details from audit_entry where voting_session_id = ${votingSessionId} and action = 'session.close'
		order by seq limit 1`;
	if (!closing) return null;
	const recorded = recordedCastRecord(closing.details);
	return {
		differences: recorded ? closingRecordDifferences(recorded, await readCastRecord(tx, votingSessionId)) : [],
		ballotsDigest: typeof closing.details.ballotsDigest === 'string' ? closing.details.ballotsDigest : null
	};
}

export interface CastRecordBreak {
	/** The entry whose record the tables (or a later checkpoint) contradict. */
	seq: number;
	votingSessionId: number;
	differences: string[];
}

interface RecordEntry {
	seq: number;
	action: string;
	votingSessionId: number;
	details: Record<string, unknown>;
}

/**
 * Compares every session's record of casting in the chain with the tables, in the caller's
 * snapshot: a closing entry's marks, receipts and ballots exactly (each digest recomputed), the
 * checkpoints before it as never more than what followed them; for a session still open, its last
 * checkpoint as never more than the tables hold. Null when everything agrees, else the first
 * disagreement in chain order.
 */
export async function verifyCastRecords(
	tx: TransactionSql,
	/** The digest of a session's ballots now (counting's ballotsDigest over the stored ballots). */
	ballotsDigestOf: (votingSessionId: number) => Promise<string>
): Promise<CastRecordBreak | null> {
	const entries = await tx<RecordEntry[]>`
		select seq, action, voting_session_id as "votingSessionId", details from audit_entry
		where action in ('session.open', ${CHECKPOINT_ACTION}, 'session.close') and voting_session_id is not null
		order by seq`;
	const bySession = new Map<number, RecordEntry[]>();
	for (const entry of entries) {
		const list = bySession.get(entry.votingSessionId) ?? [];
		list.push(entry);
		bySession.set(entry.votingSessionId, list);
	}
	const breaks: CastRecordBreak[] = [];
	for (const [votingSessionId, list] of bySession) {
		const found = await sessionBreak(tx, votingSessionId, list, ballotsDigestOf);
		if (found) breaks.push(found);
	}
	breaks.sort((a, b) => a.seq - b.seq);
	return breaks[0] ?? null;
}

async function sessionBreak(
	tx: TransactionSql,
	votingSessionId: number,
	entries: RecordEntry[],
	ballotsDigestOf: (votingSessionId: number) => Promise<string>
): Promise<CastRecordBreak | null> {
	const current = await readCastRecord(tx, votingSessionId);
	const closing = entries.find((entry) => entry.action === 'session.close');
	// Checkpoints in chain order: each is never more than the next, the last never more than the tables.
	const counted = entries.flatMap((entry) => {
		const counts = recordedCounts(entry.details);
		return counts ? [{ entry, counts }] : [];
	});
	for (let index = 0; index < counted.length; index += 1) {
		const { entry, counts } = counted[index]!;
		const next = counted[index + 1];
		const differences = next
			? checkpointDifferences(counts, next.counts, `entry ${next.entry.seq}`)
			: checkpointDifferences(counts, current, 'the tables now');
		if (differences.length > 0) return { seq: entry.seq, votingSessionId, differences };
	}
	if (!closing) return null;
	const differences: string[] = [];
	const recorded = recordedCastRecord(closing.details);
	if (recorded) differences.push(...closingRecordDifferences(recorded, current));
	const recordedBallots = closing.details.ballotsDigest;
	if (typeof recordedBallots === 'string') {
		const recomputed = await ballotsDigestOf(votingSessionId);
		if (recomputed !== recordedBallots)
			differences.push(`ballotsDigest: the closing entry records ${recordedBallots}, the ballots give ${recomputed}`);
	}
	return differences.length > 0 ? { seq: closing.seq, votingSessionId, differences } : null;
}
