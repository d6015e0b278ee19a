// Who may act as a scrutineer (监票人) of a voting session, and how they prove themselves. The rule
// of WHO lives in `mayActAsScrutineer` alone: confirming a tally, confirming a paper batch and
// refusing access codes all ask it. HOW is the same for every act: a password sign-in (with the
// second factor where enrolled) by the scrutineer themself, never an access-code sign-in.
import type { Sql, TransactionSql } from '../db/client';
import { isPersonalSignIn, type OpenedBy } from '../auth/session';

/**
 * Which of these (enabled) users may act as scrutineers of this voting session. The one place the
 * rule lives; today: they hold the scrutineer role (a session's own scrutineers are named per
 * session later, here).
 */
export async function scrutineersAmong(
	sql: Sql | TransactionSql,
	userIds: readonly number[],
	votingSessionId: number
): Promise<Set<number>> {
	void votingSessionId; // the role is global today
	if (userIds.length === 0) return new Set();
	const rows = await sql<{ id: number }[]>`
		select u.id from app_user u
		where u.id = any(${[...userIds]}) and u.disabled_at is null
		  and exists (select 1 from user_role r where r.user_id = u.id and r.role = 'scrutineer')`;
	return new Set(rows.map((row) => row.id));
}

/** May this user act as a scrutineer of this voting session? */
export async function mayActAsScrutineer(
	sql: Sql | TransactionSql,
	userId: number,
	votingSessionId: number
): Promise<boolean> {
	return (await scrutineersAmong(sql, [userId], votingSessionId)).has(userId);
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
