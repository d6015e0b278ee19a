// Who may act as a scrutineer (监票人) of a voting session, and how they prove themselves. The rule
// of WHO lives in `mayActAsScrutineer` alone: confirming a tally, confirming a paper batch and
// refusing access codes all ask it. HOW is the same for every act: a password sign-in (with the
// second factor where enrolled) by the scrutineer themself, never an access-code sign-in.
import type { Sql, TransactionSql } from '../db/client';
import { isPersonalSignIn, type OpenedBy } from '../auth/session';

/** As what a user acts as a scrutineer of a session: a named 总监票人 or 监票人, or a holder of the global role. */
export type ScrutineerStanding = 'chief' | 'member' | 'global';

/** Someone who may act as a scrutineer of a session. */
export interface SessionScrutineer {
	id: number;
	displayName: string;
	standing: ScrutineerStanding;
}

/**
 * Who may act as scrutineers of this voting session, and as what (all of them, or those among
 * `userIds`). The one place the rule lives: where the meeting named the session's scrutineers
 * (issue 13: a 总监票人 and 监票人, migrations/00013_procedure.sql), only they; where it named none
 * (the session's setting allows it), the holders of the global `scrutineer` role (places that
 * appoint non-delegates). Named powers hold for that session only; a disabled account has none.
 * Listed chief first, then the 监票人 in the order named (or the role's holders by name).
 */
export async function sessionScrutineers(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	userIds: readonly number[] | null = null
): Promise<SessionScrutineer[]> {
	return sql<SessionScrutineer[]>`
		with panel as (
			select user_id, duty, position from session_scrutineer
			where voting_session_id = ${votingSessionId} and duty in ('chief', 'member')
		), eligible as (
			select user_id as id, duty as standing, case duty when 'chief' then 0 else 1 end as rank, position from panel
			union all
			select r.user_id, 'global', 2, 0 from user_role r
			where r.role = 'scrutineer' and not exists (select 1 from panel)
		)
		select e.id, u.display_name as "displayName", e.standing
		from eligible e join app_user u on u.id = e.id
		where u.disabled_at is null and (${userIds === null} or e.id = any(${[...(userIds ?? [])]}::bigint[]))
		order by e.rank, e.position, u.display_name, e.id`;
}

/** Which of these users may act as scrutineers of this voting session, and as what (`sessionScrutineers`' rule). */
export async function scrutineersAmong(
	sql: Sql | TransactionSql,
	userIds: readonly number[],
	votingSessionId: number
): Promise<Map<number, ScrutineerStanding>> {
	if (userIds.length === 0) return new Map();
	const rows = await sessionScrutineers(sql, votingSessionId, userIds);
	return new Map(rows.map((row) => [row.id, row.standing]));
}

/** May this user act as a scrutineer of this voting session? */
export async function mayActAsScrutineer(
	sql: Sql | TransactionSql,
	userId: number,
	votingSessionId: number
): Promise<boolean> {
	return (await scrutineersAmong(sql, [userId], votingSessionId)).has(userId);
}

/**
 * May this user see a session's scrutiny pages (the session with its tally, its paper batches)?
 * Staff and holders of the global scrutineer role see every session's; a delegate named 总监票人 or
 * 监票人 sees their session's (`mayActAsScrutineer`). What they may do there is the act's own rule.
 */
export async function seesSessionScrutiny(
	sql: Sql | TransactionSql,
	user: { id: number; roles: readonly string[] },
	votingSessionId: number
): Promise<boolean> {
	if (user.roles.includes('staff') || user.roles.includes('scrutineer')) return true;
	return mayActAsScrutineer(sql, user.id, votingSessionId);
}

/** As what this user may act as a scrutineer of this voting session (`scrutineersAmong`'s rule), or null. */
export async function scrutineerDuty(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	userId: number
): Promise<ScrutineerStanding | null> {
	return (await scrutineersAmong(sql, [userId], votingSessionId)).get(userId) ?? null;
}

export type SignInProof = 'personal' | 'not_personal' | 'unknown';

/**
 * Whether the auth session `authSessionId` is the user's own sign-in with their password (and
 * second factor where enrolled), read in the caller's transaction.
 */
export async function signInProof(
	sql: Sql | TransactionSql,
	userId: number,
	authSessionId: string
): Promise<SignInProof> {
	const [row] = await sql<{ openedBy: OpenedBy; twoFactorEnrolled: boolean }[]>`
		select s.opened_by as "openedBy",
		       exists (select 1 from two_factor_credential c where c.user_id = s.user_id) as "twoFactorEnrolled"
		from auth_session s where s.id = ${authSessionId} and s.user_id = ${userId}`;
	if (!row) return 'unknown';
	return isPersonalSignIn(row, row) ? 'personal' : 'not_personal';
}
