// Presence (签到, 实到): staff mark a delegate present or not while the session is a draft or open;
// a delegate's own sign-in during an open session they are enrolled in marks them present.
// Presence is a public fact of the record, never shown beside ballot data.
import type { SessionStatus } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { notifyTurnout } from '../live/notify';

/**
 * Marks a delegate present in every open session they are enrolled in and not yet marked present
 * (one audit entry per session). Used by both sign-in paths: password and access code.
 * Returns the ids of the sessions where they were marked.
 */
export async function markPresentOnSignIn(sql: Sql | TransactionSql, delegateId: number): Promise<number[]> {
	const marked = await sql<{ votingSessionId: number; username: string }[]>`
		update electorate_member e set present = true
		from voting_session s, app_user u
		where e.delegate_id = ${delegateId} and not e.present
		  and s.id = e.voting_session_id and s.status = 'open'
		  and u.id = e.delegate_id
		returning e.voting_session_id as "votingSessionId", u.username`;
	for (const row of marked) {
		await appendAudit(sql, {
			actorUserId: delegateId,
			action: 'presence.marked',
			votingSessionId: row.votingSessionId,
			details: { delegate: row.username, present: true, by: 'sign_in' }
		});
		await notifyTurnout(sql, row.votingSessionId);
	}
	return marked.map((row) => row.votingSessionId);
}

export type PresenceResult =
	{ ok: true } | { ok: false; error: 'not_found' | 'not_enrolled' | 'wrong_status'; status?: SessionStatus };

/** Staff mark a delegate present (签到) or not, while the session is a draft or open. */
export async function setPresence(
	sql: Sql,
	input: { votingSessionId: number; delegateId: number; present: boolean; actorUserId: number }
): Promise<PresenceResult> {
	return sql.begin(async (tx): Promise<PresenceResult> => {
		const [votingSession] = await tx<{ status: SessionStatus }[]>`
			select status from voting_session where id = ${input.votingSessionId} for share`;
		if (!votingSession) return { ok: false, error: 'not_found' };
		if (votingSession.status !== 'draft' && votingSession.status !== 'open') {
			return { ok: false, error: 'wrong_status', status: votingSession.status };
		}
		const [member] = await tx<{ username: string; delegateNumber: string | null }[]>`
			update electorate_member e set present = ${input.present}
			from app_user u
			where e.voting_session_id = ${input.votingSessionId} and e.delegate_id = ${input.delegateId} and u.id = e.delegate_id
			returning u.username, u.delegate_number as "delegateNumber"`;
		if (!member) return { ok: false, error: 'not_enrolled' };
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: 'presence.marked',
			votingSessionId: input.votingSessionId,
			details: { delegate: member.username, delegateNumber: member.delegateNumber, present: input.present, by: 'staff' }
		});
		await notifyTurnout(tx, input.votingSessionId);
		return { ok: true };
	}) as Promise<PresenceResult>;
}
