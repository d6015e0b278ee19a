// Presence (签到, 实到): staff check a delegate in at the hall (or undo it) while the session is a
// draft or open. A delegate's own sign-in marks them present only in the open sessions whose
// setting says so (off by default: 实到 comes from 签到 at the hall, not from signing in anywhere).
// Presence is a public fact of the record, never shown beside ballot data.
import type { PresenceError } from '$lib/domain/electorate';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { isRefusal } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import { notifyTurnout } from '../live/notify';

/**
 * Marks a delegate present in every open session they are enrolled in, not yet marked present and
 * set to count a sign-in as presence (one audit entry per session). Used by both sign-in paths:
 * password and access code. Returns the ids of the sessions where they were marked.
 */
export async function markPresentOnSignIn(sql: Sql | TransactionSql, delegateId: number): Promise<number[]> {
	const marked = await sql<{ votingSessionId: number; username: string }[]>`
		update electorate_member e set present = true
		from voting_session s, app_user u
		where e.delegate_id = ${delegateId} and not e.present
		  and s.id = e.voting_session_id and s.status = 'open' and s.sign_in_marks_present
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

/** How a check-in was made: a tap in a list, a scanned or typed credential code, the CLI. */
export type CheckInMethod = 'staff' | 'code' | 'cli';

export interface CheckedDelegate {
	delegateId: number;
	username: string;
	displayName: string;
	delegateNumber: string | null;
	/** False when the delegate already was as asked (nothing written). */
	changed: boolean;
}

export type PresenceResult =
	| ({ ok: true } & CheckedDelegate)
	| { ok: false; error: PresenceError; status?: SessionStatus; delegate?: string; delegateId?: number };

export type PresenceManyResult =
	| { ok: true; delegates: CheckedDelegate[] }
	| { ok: false; error: PresenceError; status?: SessionStatus; delegate?: string; delegateId?: number };

class PresenceRefused extends Error {
	constructor(
		readonly error: PresenceError,
		readonly detail: { status?: SessionStatus; delegate?: string; delegateId?: number } = {}
	) {
		super(error);
	}
}

/**
 * Checks delegates in (签到) or undoes it, all or none, in one transaction with an audit entry per
 * change. A delegate who has voted stays checked in: their ballot was issued and returned (the
 * database holds this, electorate_presence_after_vote).
 */
export async function setPresenceOfMany(
	sql: Sql,
	input: {
		votingSessionId: number;
		delegateIds: number[];
		present: boolean;
		actorUserId: number;
		method?: CheckInMethod;
	}
): Promise<PresenceManyResult> {
	let current: string | undefined;
	try {
		const delegates = (await sql.begin(async (tx) => {
			const [votingSession] = await tx<{ status: SessionStatus }[]>`
				select status from voting_session where id = ${input.votingSessionId} for share`;
			if (!votingSession) throw new PresenceRefused('not_found');
			if (votingSession.status !== 'draft' && votingSession.status !== 'open')
				throw new PresenceRefused('wrong_status', { status: votingSession.status });
			const checked: CheckedDelegate[] = [];
			for (const delegateId of input.delegateIds) {
				current = undefined;
				const [member] = await tx<(Omit<CheckedDelegate, 'changed'> & { wasPresent: boolean; hasVoted: boolean })[]>`
					select u.id as "delegateId", u.username, u.display_name as "displayName", u.delegate_number as "delegateNumber",
					       e.present as "wasPresent",
					       exists (select 1 from ballot_mark m where m.voting_session_id = e.voting_session_id and m.delegate_id = e.delegate_id) as "hasVoted"
					from electorate_member e join app_user u on u.id = e.delegate_id
					where e.voting_session_id = ${input.votingSessionId} and e.delegate_id = ${delegateId}
					for no key update of e`;
				if (!member) throw new PresenceRefused('not_enrolled', { delegateId });
				const { wasPresent, hasVoted, ...delegate } = member;
				current = delegate.username;
				if (wasPresent === input.present) {
					checked.push({ ...delegate, changed: false });
					continue;
				}
				if (!input.present && hasVoted) throw new PresenceRefused('has_voted', { delegate: delegate.username });
				await tx`
					update electorate_member set present = ${input.present}
					where voting_session_id = ${input.votingSessionId} and delegate_id = ${delegateId}`;
				await appendAudit(tx, {
					actorUserId: input.actorUserId,
					action: 'presence.marked',
					votingSessionId: input.votingSessionId,
					details: {
						delegate: delegate.username,
						delegateNumber: delegate.delegateNumber,
						present: input.present,
						by: input.method ?? 'staff'
					}
				});
				checked.push({ ...delegate, changed: true });
			}
			if (checked.some((delegate) => delegate.changed)) await notifyTurnout(tx, input.votingSessionId);
			return checked;
		})) as CheckedDelegate[];
		return { ok: true, delegates };
	} catch (error) {
		if (error instanceof PresenceRefused) return { ok: false, error: error.error, ...error.detail };
		// A ballot committed between the read and the update: the database keeps the check-in.
		if (isRefusal(error, 'voted_stays_checked_in'))
			return { ok: false, error: 'has_voted', ...(current ? { delegate: current } : {}) };
		throw error;
	}
}

/** One delegate checked in (签到) or undone. */
export async function setPresence(
	sql: Sql,
	input: { votingSessionId: number; delegateId: number; present: boolean; actorUserId: number; method?: CheckInMethod }
): Promise<PresenceResult> {
	const result = await setPresenceOfMany(sql, { ...input, delegateIds: [input.delegateId] });
	return result.ok ? { ok: true, ...(result.delegates[0] as CheckedDelegate) } : result;
}
