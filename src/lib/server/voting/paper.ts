// Paper ballots beside electronic ones: a batch entered by staff in ONE transaction. The
// delegates it covers get has-voted marks on the paper channel (so they cannot also vote
// electronically, and an electronic voter cannot be entered on paper: the mark's primary key);
// the ballots carry only the channel, never the batch or a delegate.
import { randomInt } from 'node:crypto';
import type { BallotContent, BallotMethod, SessionStatus } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { notifyTurnout } from '../live/notify';

export type PaperBatchError =
	| { code: 'session_not_found' }
	| { code: 'not_open'; status: SessionStatus }
	| { code: 'unknown_delegates'; references: string[] }
	| { code: 'already_voted'; references: string[] }
	| { code: 'count_mismatch'; delegates: number; ballots: number }
	| { code: 'no_scrutineer' }
	| { code: 'not_scrutineers' }
	| { code: 'too_few_scrutineers' }
	| { code: 'empty' };

export interface PaperBatchInput {
	votingSessionId: number;
	enteredBy: number;
	/** Usernames or delegate numbers of the delegates who voted on paper. */
	delegateReferences: string[];
	ballots: BallotContent[];
	scrutineerIds: number[];
	note: string;
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

			const lowered = input.delegateReferences.map((reference) => reference.toLowerCase());
			const members = await tx<{ id: number; username: string; delegateNumber: string | null; hasVoted: boolean }[]>`
				select u.id, lower(u.username) as username, lower(u.delegate_number) as "delegateNumber",
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

			// The session's named 总监票人 and 监票人 where the meeting named them (two of them at least), else holders of the role.
			const eligible = new Set((await listScrutineers(tx, input.votingSessionId)).map((scrutineer) => scrutineer.id));
			const scrutineers = [...new Set(input.scrutineerIds)].map((id) => ({ id }));
			if (scrutineers.some((scrutineer) => !eligible.has(scrutineer.id)))
				throw new Refused({ code: 'not_scrutineers' });
			if (scrutineers.length < 2 && (await procedureHasPanel(tx, input.votingSessionId)))
				throw new Refused({ code: 'too_few_scrutineers' });

			const [inserted] = await tx<{ id: number }[]>`
				insert into paper_batch (voting_session_id, entered_by, ballot_count, note)
				values (${input.votingSessionId}, ${input.enteredBy}, ${input.ballots.length}, ${input.note})
				returning id`;
			const batchId = (inserted as { id: number }).id;
			await tx`insert into paper_batch_scrutineer ${tx(scrutineers.map((scrutineer) => ({ paper_batch_id: batchId, scrutineer_id: scrutineer.id })))}`;
			await tx`insert into ballot_mark ${tx(
				covered.map((delegateId) => ({
					voting_session_id: input.votingSessionId,
					delegate_id: delegateId,
					channel: 'paper',
					paper_batch_id: batchId
				}))
			)}`;
			await tx`update electorate_member set present = true
				where voting_session_id = ${input.votingSessionId} and delegate_id = any(${covered}) and not present`;
			// Inserted in a random order, so that not even the physical order of rows follows the order typed.
			for (const ballot of shuffled(input.ballots)) {
				const [row] = await tx<{ id: string }[]>`
					insert into ballot (voting_session_id, is_void, channel) values (${input.votingSessionId}, ${ballot.isVoid}, 'paper') returning id`;
				if (!ballot.isVoid && ballot.choices.length > 0) {
					await tx`insert into ballot_choice ${tx(
						ballot.choices.map((entry) => ({
							ballot_id: (row as { id: string }).id,
							voting_session_id: input.votingSessionId,
							candidate_id: entry.candidateId,
							choice: entry.choice
						}))
					)}`;
				}
			}
			const voidCount = input.ballots.filter((ballot) => ballot.isVoid).length;
			await appendAudit(tx, {
				actorUserId: input.enteredBy,
				action: 'paper_batch.entered',
				votingSessionId: input.votingSessionId,
				details: {
					batchId,
					ballots: input.ballots.length,
					void: voidCount,
					scrutineers: scrutineers.map((scrutineer) => scrutineer.id)
				}
			});
			await notifyTurnout(tx, input.votingSessionId);
			return { batchId, voidCount };
		});
		return { ok: true, batchId: batch.batchId, ballots: input.ballots.length, void: batch.voidCount };
	} catch (error) {
		if (error instanceof Refused) return { ok: false, error: error.batchError };
		// An electronic cast for one of these delegates won the race for the mark.
		if ((error as { code?: string }).code === '23505')
			return { ok: false, error: { code: 'already_voted', references: [] } };
		throw error;
	}
}

export interface PaperBatchSummary {
	id: number;
	enteredAt: Date;
	enteredBy: string;
	ballotCount: number;
	scrutineers: string[];
	note: string;
}

export async function listPaperBatches(sql: Sql, votingSessionId: number): Promise<PaperBatchSummary[]> {
	return sql<PaperBatchSummary[]>`
		select b.id, b.entered_at as "enteredAt", u.display_name as "enteredBy", b.ballot_count as "ballotCount", b.note,
		       coalesce((select array_agg(s.display_name order by s.display_name)
		                 from paper_batch_scrutineer p join app_user s on s.id = p.scrutineer_id where p.paper_batch_id = b.id), '{}') as scrutineers
		from paper_batch b join app_user u on u.id = b.entered_by
		where b.voting_session_id = ${votingSessionId}
		order by b.id`;
}

/**
 * Who may count a batch of paper ballots with staff: the session's named 总监票人 and 监票人 where the
 * meeting named them, else the holders of the global scrutineer role.
 */
export async function listScrutineers(
	sql: Sql | TransactionSql,
	votingSessionId: number
): Promise<{ id: number; displayName: string }[]> {
	if (await procedureHasPanel(sql, votingSessionId))
		return sql<{ id: number; displayName: string }[]>`
			select u.id, u.display_name as "displayName" from session_scrutineer s join app_user u on u.id = s.user_id
			where s.voting_session_id = ${votingSessionId} and s.duty in ('chief', 'member')
			order by case s.duty when 'chief' then 0 else 1 end, s.position`;
	return sql<{ id: number; displayName: string }[]>`
		select u.id, u.display_name as "displayName" from app_user u join user_role r on r.user_id = u.id and r.role = 'scrutineer'
		where u.disabled_at is null order by u.display_name`;
}

async function procedureHasPanel(sql: Sql | TransactionSql, votingSessionId: number): Promise<boolean> {
	const [row] = await sql<{ hasPanel: boolean }[]>`select procedure_has_panel(${votingSessionId}) as "hasPanel"`;
	return row?.hasPanel ?? false;
}
