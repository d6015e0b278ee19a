// Paper ballots beside electronic ones: a batch entered by staff in ONE transaction. The
// delegates it covers get has-voted marks on the paper channel (so they cannot also vote
// electronically, and an electronic voter cannot be entered on paper: the mark's primary key).
// The batch is pending until every scrutineer it names confirms it with their own sign-in: only
// then are its ballots counted (the database moves them into the ballot box, carrying only the
// channel, never the batch or a delegate) and its delegates recorded present. A named scrutineer,
// or staff, may refuse a pending batch with a reason: its ballots and marks go.
import { randomInt } from 'node:crypto';
import type { BallotChoice, BallotContent, BallotMethod, SessionStatus } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { isConstraintRefusal, refusalOf } from '../db/refusal';
import { mayActAsScrutineer, sessionScrutineers, signInProof } from './scrutiny';
import { appendAudit } from '../audit/audit';
import { notifyTurnout } from '../live/notify';

export type PaperBatchError =
	| { code: 'session_not_found' }
	| { code: 'not_open'; status: SessionStatus }
	| { code: 'unknown_delegates'; references: string[] }
	| { code: 'already_voted'; references: string[] }
	| { code: 'not_checked_in'; references: string[] }
	| { code: 'count_mismatch'; delegates: number; ballots: number }
	| { code: 'no_scrutineer' }
	| { code: 'not_scrutineers' }
	| { code: 'too_few_scrutineers' }
	| { code: 'empty' }
	| { code: 'keying_gone' }
	| { code: 'same_keyer' };

export interface PaperBatchInput {
	votingSessionId: number;
	enteredBy: number;
	/** Usernames or delegate numbers of the delegates who voted on paper. */
	delegateReferences: string[];
	ballots: BallotContent[];
	scrutineerIds: number[];
	note: string;
	/** Paper ballots issued (发出) for this batch; as many as returned when not given. */
	issuedCount?: number;
	/**
	 * The batch is the second keying of a grid (issue 15): its first keying is consumed in the same
	 * transaction (so one stack goes in once), and who keyed it twice is recorded.
	 */
	firstKeying?: { id: number; keyedBy: number };
}

export type PaperBatchResult =
	{ ok: true; batchId: number; ballots: number; void: number } | { ok: false; error: PaperBatchError };

function shuffled<T>(items: readonly T[]): T[] {
	const copy = [...items];
	for (let index = copy.length - 1; index > 0; index -= 1) {
		const other = randomInt(index + 1);
		[copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
	}
	return copy;
}

class Refused extends Error {
	constructor(readonly batchError: PaperBatchError) {
		super(batchError.code);
	}
}

export async function enterPaperBatch(sql: Sql, input: PaperBatchInput): Promise<PaperBatchResult> {
	if (input.ballots.length === 0 || input.delegateReferences.length === 0)
		return { ok: false, error: { code: 'empty' } };
	if (input.delegateReferences.length !== input.ballots.length) {
		return {
			ok: false,
			error: { code: 'count_mismatch', delegates: input.delegateReferences.length, ballots: input.ballots.length }
		};
	}
	if (input.scrutineerIds.length === 0) return { ok: false, error: { code: 'no_scrutineer' } };
	try {
		const batch = await sql.begin(async (tx) => {
			const [session] = await tx<{ status: SessionStatus; ballotMethod: BallotMethod }[]>`
				select status, ballot_method as "ballotMethod" from voting_session where id = ${input.votingSessionId} for share`;
			if (!session) throw new Refused({ code: 'session_not_found' });
			if (session.status !== 'open') throw new Refused({ code: 'not_open', status: session.status });
			if (input.firstKeying) {
				const [consumed] = await tx<{ id: number }[]>`
					delete from paper_keying
					where id = ${input.firstKeying.id} and voting_session_id = ${input.votingSessionId}
					  and keyed_by = ${input.firstKeying.keyedBy}
					returning id`;
				if (!consumed) throw new Refused({ code: 'keying_gone' });
			}

			const lowered = input.delegateReferences.map((reference) => reference.toLowerCase());
			const members = await tx<
				{ id: number; username: string; delegateNumber: string | null; hasVoted: boolean; present: boolean }[]
			>`
				select u.id, lower(u.username) as username, lower(u.delegate_number) as "delegateNumber", e.present,
				       exists (select 1 from ballot_mark m where m.voting_session_id = e.voting_session_id and m.delegate_id = u.id) as "hasVoted"
				from electorate_member e join app_user u on u.id = e.delegate_id
				where e.voting_session_id = ${input.votingSessionId}
				  and (lower(u.username) = any(${lowered}) or lower(u.delegate_number) = any(${lowered}))`;
			const byReference = new Map<string, (typeof members)[number]>();
			for (const member of members) {
				byReference.set(member.username, member);
				if (member.delegateNumber) byReference.set(member.delegateNumber, member);
			}
			const unknown = input.delegateReferences.filter((reference) => !byReference.has(reference.toLowerCase()));
			if (unknown.length) throw new Refused({ code: 'unknown_delegates', references: unknown });
			const covered = [
				...new Set(lowered.map((reference) => (byReference.get(reference) as (typeof members)[number]).id))
			];
			if (covered.length !== input.ballots.length) {
				throw new Refused({ code: 'count_mismatch', delegates: covered.length, ballots: input.ballots.length });
			}
			const voted = input.delegateReferences.filter((reference) => byReference.get(reference.toLowerCase())?.hasVoted);
			if (voted.length) throw new Refused({ code: 'already_voted', references: voted });
			// A paper ballot is handed out at the hall: only to delegates checked in (the database holds this too).
			const absent = input.delegateReferences.filter((reference) => !byReference.get(reference.toLowerCase())?.present);
			if (absent.length) throw new Refused({ code: 'not_checked_in', references: absent });

			// The session's named 总监票人 and 监票人 where the meeting named them (two of them at least), else holders of the role.
			const eligible = new Set((await listScrutineers(tx, input.votingSessionId)).map((scrutineer) => scrutineer.id));
			const scrutineers = [...new Set(input.scrutineerIds)].map((id) => ({ id }));
			if (scrutineers.some((scrutineer) => !eligible.has(scrutineer.id)))
				throw new Refused({ code: 'not_scrutineers' });
			if (scrutineers.length < 2 && (await procedureHasPanel(tx, input.votingSessionId)))
				throw new Refused({ code: 'too_few_scrutineers' });

			const [inserted] = await tx<{ id: number }[]>`
				insert into paper_batch (voting_session_id, entered_by, ballot_count, issued_count, note)
				values (${input.votingSessionId}, ${input.enteredBy}, ${input.ballots.length},
				        ${input.issuedCount ?? input.ballots.length}, ${input.note})
				returning id`;
			const batchId = (inserted as { id: number }).id;
			await tx`insert into paper_batch_scrutineer ${tx(scrutineers.map((scrutineer) => ({ paper_batch_id: batchId, scrutineer_id: scrutineer.id })))}`;
			if (input.firstKeying)
				await tx`insert into paper_batch_double_keying (paper_batch_id, first_keyed_by, second_keyed_by)
					values (${batchId}, ${input.firstKeying.keyedBy}, ${input.enteredBy})`;
			await tx`insert into ballot_mark ${tx(
				covered.map((delegateId) => ({
					voting_session_id: input.votingSessionId,
					delegate_id: delegateId,
					channel: 'paper',
					paper_batch_id: batchId
				}))
			)}`;
			// The ballots wait for the named scrutineers (paper_batch_ballot), in a random order so that not
			// even the physical order of rows follows the order typed; confirmed, they are counted.
			await tx`insert into paper_batch_ballot ${tx(
				shuffled(input.ballots).map((ballot) => ({
					paper_batch_id: batchId,
					voting_session_id: input.votingSessionId,
					is_void: ballot.isVoid,
					choices: tx.json(
						ballot.isVoid
							? []
							: ballot.choices.map((entry) => ({ candidateId: entry.candidateId, choice: entry.choice }))
					)
				}))
			)}`;
			const voidCount = input.ballots.filter((ballot) => ballot.isVoid).length;
			await appendAudit(tx, {
				actorUserId: input.enteredBy,
				action: 'paper_batch.entered',
				votingSessionId: input.votingSessionId,
				details: {
					batchId,
					ballots: input.ballots.length,
					issued: input.issuedCount ?? input.ballots.length,
					void: voidCount,
					scrutineers: scrutineers.map((scrutineer) => scrutineer.id),
					status: 'pending'
				}
			});
			await notifyTurnout(tx, input.votingSessionId);
			return { batchId, voidCount };
		});
		return { ok: true, batchId: batch.batchId, ballots: input.ballots.length, void: batch.voidCount };
	} catch (error) {
		if (error instanceof Refused) return { ok: false, error: error.batchError };
		switch (refusalOf(error)?.refusal) {
			// An electronic cast for one of these delegates won the race for the mark.
			case 'unique_violation':
				return { ok: false, error: { code: 'already_voted', references: [] } };
			// A check-in undone while the batch was entered.
			case 'not_checked_in':
				return { ok: false, error: { code: 'not_checked_in', references: [] } };
			// Both keyings by one person (the database's check, paper_batch_keyed_by_two).
			case 'check_violation':
				if (isConstraintRefusal(error, 'check_violation', 'paper_batch_keyed_by_two'))
					return { ok: false, error: { code: 'same_keyer' } };
				throw error;
			default:
				throw error;
		}
	}
}

export type PaperBatchStatus = 'pending' | 'counted' | 'rejected';

export interface PaperBatchSummary {
	id: number;
	votingSessionId: number;
	enteredAt: Date;
	enteredBy: string;
	ballotCount: number;
	/** Paper ballots issued for the batch (发出); ballotCount is those returned (收回). */
	issuedCount: number;
	note: string;
	status: PaperBatchStatus;
	/** The named scrutineers, each with when they confirmed (null: not yet). */
	scrutineers: { id: number; name: string; confirmedAt: Date | null }[];
	rejection: { by: string; at: Date; reason: string } | null;
}

interface BatchRow extends Omit<PaperBatchSummary, 'scrutineers' | 'rejection'> {
	scrutineers: { id: number; name: string; confirmedAt: string | null }[];
	rejection: { by: string; at: string; reason: string } | null;
}

function batchSummary(row: BatchRow): PaperBatchSummary {
	return {
		...row,
		scrutineers: row.scrutineers.map((scrutineer) => ({
			...scrutineer,
			confirmedAt: scrutineer.confirmedAt ? new Date(scrutineer.confirmedAt) : null
		})),
		rejection: row.rejection ? { ...row.rejection, at: new Date(row.rejection.at) } : null
	};
}

async function readBatches(sql: Sql | TransactionSql, where: { votingSessionId?: number; batchId?: number }) {
	const rows = await sql<BatchRow[]>`
		select b.id, b.voting_session_id as "votingSessionId", b.entered_at as "enteredAt", u.display_name as "enteredBy",
		       b.ballot_count as "ballotCount", b.issued_count as "issuedCount", b.note, b.status,
		       coalesce((select json_agg(json_build_object('id', s.id, 'name', s.display_name, 'confirmedAt', c.confirmed_at)
		                                 order by s.display_name, s.id)
		                 from paper_batch_scrutineer p join app_user s on s.id = p.scrutineer_id
		                 left join paper_batch_confirmation c on c.paper_batch_id = p.paper_batch_id and c.scrutineer_id = p.scrutineer_id
		                 where p.paper_batch_id = b.id), '[]') as scrutineers,
		       (select json_build_object('by', ru.display_name, 'at', r.rejected_at, 'reason', r.reason)
		        from paper_batch_rejection r join app_user ru on ru.id = r.rejected_by where r.paper_batch_id = b.id) as rejection
		from paper_batch b join app_user u on u.id = b.entered_by
		where (${where.votingSessionId ?? null}::bigint is null or b.voting_session_id = ${where.votingSessionId ?? null})
		  and (${where.batchId ?? null}::bigint is null or b.id = ${where.batchId ?? null})
		order by b.id`;
	return rows.map(batchSummary);
}

export async function listPaperBatches(sql: Sql, votingSessionId: number): Promise<PaperBatchSummary[]> {
	return readBatches(sql, { votingSessionId });
}

export async function getPaperBatch(sql: Sql, votingSessionId: number, batchId: number) {
	const [batch] = await readBatches(sql, { votingSessionId, batchId });
	return batch ?? null;
}

/**
 * What a named scrutineer checks against the paper before confirming a pending batch: the
 * delegates it covers and its ballots as entered (in stored order, which is random). Null unless
 * the batch is pending.
 */
export async function pendingBatchContent(
	sql: Sql,
	batchId: number
): Promise<{ delegates: { name: string; delegateNumber: string | null }[]; ballots: BallotContent[] } | null> {
	const [batch] = await sql<{ status: PaperBatchStatus }[]>`select status from paper_batch where id = ${batchId}`;
	if (batch?.status !== 'pending') return null;
	const [delegates, ballots] = await Promise.all([
		sql<{ name: string; delegateNumber: string | null }[]>`
			select u.display_name as name, u.delegate_number as "delegateNumber"
			from ballot_mark m join app_user u on u.id = m.delegate_id
			where m.paper_batch_id = ${batchId} order by u.delegate_number nulls last, u.display_name`,
		sql<{ isVoid: boolean; choices: { candidateId: number; choice: BallotChoice }[] }[]>`
			select is_void as "isVoid", choices from paper_batch_ballot where paper_batch_id = ${batchId}`
	]);
	return {
		delegates: [...delegates],
		ballots: ballots.map((ballot) => ({ isVoid: ballot.isVoid, choices: ballot.choices, channel: 'paper' as const }))
	};
}

export type BatchDecisionError =
	| 'not_found'
	/** Counted or refused already, or its session is no longer open. */
	| 'not_pending'
	/** Not a scrutineer the batch names (confirming), nor staff (refusing). */
	| 'not_named'
	| 'already_confirmed'
	/** The acting sign-in was not the scrutineer's own password (and second factor) sign-in. */
	| 'sign_in_again';
export type BatchDecisionResult = { ok: true; status: PaperBatchStatus } | { ok: false; error: BatchDecisionError };

function decisionRefusal(error: unknown): BatchDecisionError {
	switch (refusalOf(error)?.refusal) {
		case 'paper_batch_not_pending':
			return 'not_pending';
		case 'foreign_key_violation':
			return 'not_named'; // the confirmation's foreign key: not named on the batch
		case 'unique_violation':
			return 'already_confirmed';
		default:
			throw error;
	}
}

/**
 * A scrutineer the batch names confirms it, through their own password sign-in. The database
 * counts the batch once every named scrutineer has confirmed (paper_batch_count_when_confirmed).
 */
export async function confirmPaperBatch(
	sql: Sql,
	input: { batchId: number; scrutineerId: number; authSessionId: string }
): Promise<BatchDecisionResult> {
	try {
		return (await sql.begin(async (tx): Promise<BatchDecisionResult> => {
			const [batch] = await tx<{ votingSessionId: number; named: boolean }[]>`
				select b.voting_session_id as "votingSessionId",
				       exists (select 1 from paper_batch_scrutineer p where p.paper_batch_id = b.id and p.scrutineer_id = ${input.scrutineerId}) as named
				from paper_batch b where b.id = ${input.batchId}`;
			if (!batch) return { ok: false, error: 'not_found' };
			if (!batch.named || !(await mayActAsScrutineer(tx, input.scrutineerId, batch.votingSessionId)))
				return { ok: false, error: 'not_named' };
			if ((await signInProof(tx, input.scrutineerId, input.authSessionId)) !== 'personal')
				return { ok: false, error: 'sign_in_again' };
			await tx`insert into paper_batch_confirmation (paper_batch_id, scrutineer_id) values (${input.batchId}, ${input.scrutineerId})`;
			const [after] = await tx<
				{ status: PaperBatchStatus }[]
			>`select status from paper_batch where id = ${input.batchId}`;
			const status = (after as { status: PaperBatchStatus }).status;
			await appendAudit(tx, {
				actorUserId: input.scrutineerId,
				action: 'paper_batch.confirmed',
				votingSessionId: batch.votingSessionId,
				details: { batchId: input.batchId, counted: status === 'counted' }
			});
			if (status === 'counted') await notifyTurnout(tx, batch.votingSessionId);
			return { ok: true, status };
		})) as BatchDecisionResult;
	} catch (error) {
		return { ok: false, error: decisionRefusal(error) };
	}
}

/**
 * A named scrutineer (through their own password sign-in) or a staff member refuses a pending
 * batch, with a reason: the database removes its waiting ballots and its delegates' marks.
 */
export async function rejectPaperBatch(
	sql: Sql,
	input: { batchId: number; userId: number; authSessionId: string; reason: string }
): Promise<BatchDecisionResult> {
	try {
		return (await sql.begin(async (tx): Promise<BatchDecisionResult> => {
			const [batch] = await tx<{ votingSessionId: number; named: boolean; staff: boolean }[]>`
				select b.voting_session_id as "votingSessionId",
				       exists (select 1 from paper_batch_scrutineer p where p.paper_batch_id = b.id and p.scrutineer_id = ${input.userId}) as named,
				       exists (select 1 from user_role r where r.user_id = ${input.userId} and r.role = 'staff') as staff
				from paper_batch b where b.id = ${input.batchId}`;
			if (!batch) return { ok: false, error: 'not_found' };
			const asScrutineer = batch.named && (await mayActAsScrutineer(tx, input.userId, batch.votingSessionId));
			if (!asScrutineer && !batch.staff) return { ok: false, error: 'not_named' };
			if (asScrutineer && !batch.staff && (await signInProof(tx, input.userId, input.authSessionId)) !== 'personal')
				return { ok: false, error: 'sign_in_again' };
			await tx`insert into paper_batch_rejection (paper_batch_id, rejected_by, reason) values (${input.batchId}, ${input.userId}, ${input.reason})`;
			await appendAudit(tx, {
				actorUserId: input.userId,
				action: 'paper_batch.rejected',
				votingSessionId: batch.votingSessionId,
				details: { batchId: input.batchId, reason: input.reason }
			});
			await notifyTurnout(tx, batch.votingSessionId);
			return { ok: true, status: 'rejected' };
		})) as BatchDecisionResult;
	} catch (error) {
		return { ok: false, error: decisionRefusal(error) };
	}
}

/**
 * Who may count a batch of paper ballots with staff: those who may act as the session's scrutineers
 * (`sessionScrutineers`: its named 总监票人 and 监票人 where the meeting named them, else the holders
 * of the global scrutineer role).
 */
export async function listScrutineers(
	sql: Sql | TransactionSql,
	votingSessionId: number
): Promise<{ id: number; displayName: string }[]> {
	return (await sessionScrutineers(sql, votingSessionId)).map(({ id, displayName }) => ({ id, displayName }));
}

async function procedureHasPanel(sql: Sql | TransactionSql, votingSessionId: number): Promise<boolean> {
	const [row] = await sql<{ hasPanel: boolean }[]>`select procedure_has_panel(${votingSessionId}) as "hasPanel"`;
	return row?.hasPanel ?? false;
}
