// Sessions after Lucia's design (lucia-auth/lucia code/auth_session.ts), on postgres.js:
// the token is "<id>.<secret>", the database keeps only SHA-256(secret), the secret is compared
// in constant time, sessions expire after inactivity and are re-verified at most once an interval.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { randomReadableString } from './password';

export const SESSION_COOKIE = 'piaojue_session';
export const INACTIVITY_TIMEOUT_SECONDS = 60 * 60 * 12; // 12 hours: a congress day
export const ACTIVITY_CHECK_INTERVAL_SECONDS = 60 * 5;

/** How an auth session was opened: a password, a password and a second factor, or a one-time access code. */
export type OpenedBy = 'password' | 'two_factor' | 'access_code';

export interface SessionUser {
	id: number;
	username: string;
	displayName: string;
	/** The roles this sign-in carries: all of the account's, or only 'delegate' for an access-code sign-in. */
	roles: Role[];
	/** Whether the user has a two-factor authenticator (TOTP) enrolled. */
	twoFactorEnrolled: boolean;
	/** An access-code sign-in votes only in these voting sessions; null for a password sign-in. */
	votingSessionScope: number[] | null;
}

export interface AuthSession {
	id: string;
	openedBy: OpenedBy;
	user: SessionUser;
}

/** The roles an access-code sign-in carries, whatever else the account holds. */
const ACCESS_CODE_ROLES: readonly Role[] = ['delegate'];

/**
 * Whether this sign-in is the user proving themself: a password, with the second factor when they
 * have one enrolled. What confirming a tally or a paper batch asks of a scrutineer.
 */
export function isPersonalSignIn(session: { openedBy: OpenedBy }, user: { twoFactorEnrolled: boolean }): boolean {
	return session.openedBy === 'two_factor' || (session.openedBy === 'password' && !user.twoFactorEnrolled);
}

function hashSecret(secret: string): Buffer {
	return createHash('sha256').update(secret).digest();
}

/** Creates a session for a user (opened with a password unless said otherwise); returns the token for the cookie. */
export async function createSession(
	sql: Sql | TransactionSql,
	userId: number,
	options: { openedBy?: OpenedBy; votingSessionScope?: number[] } = {}
): Promise<{ token: string; sessionId: string }> {
	const sessionId = randomReadableString(24);
	const secret = randomReadableString(24);
	const openedBy = options.openedBy ?? 'password';
	const scope = openedBy === 'access_code' ? (options.votingSessionScope ?? []) : null;
	await sql`
		insert into auth_session (id, secret_hash, user_id, opened_by, voting_session_scope)
		values (${sessionId}, ${hashSecret(secret)}, ${userId}, ${openedBy}, ${scope})`;
	return { token: `${sessionId}.${secret}`, sessionId };
}

/** The session and its (enabled) user for a token, or null. */
export async function validateSessionToken(sql: Sql, token: string): Promise<AuthSession | null> {
	const parts = token.split('.');
	if (parts.length !== 2) return null;
	const [sessionId, secret] = parts as [string, string];
	if (!/^[a-z2-9]{24}$/.test(sessionId) || !/^[a-z2-9]{24}$/.test(secret)) return null;
	const [row] = await sql<
		{
			secretHash: Buffer;
			userId: number;
			username: string;
			displayName: string;
			roles: Role[];
			idleSeconds: number;
			disabled: boolean;
			twoFactorEnrolled: boolean;
			openedBy: OpenedBy;
			votingSessionScope: number[] | null;
		}[]
	>`
		select s.secret_hash as "secretHash", u.id as "userId", u.username, u.display_name as "displayName",
		       s.opened_by as "openedBy", s.voting_session_scope as "votingSessionScope",
		       coalesce((select array_agg(r.role order by r.role) from user_role r where r.user_id = u.id), '{}') as roles,
		       extract(epoch from now() - s.last_verified_at)::float8 as "idleSeconds",
		       u.disabled_at is not null as disabled,
		       exists (select 1 from two_factor_credential c where c.user_id = u.id) as "twoFactorEnrolled"
		from auth_session s join app_user u on u.id = s.user_id
		where s.id = ${sessionId}`;
	if (!row) return null;
	if (!timingSafeEqual(row.secretHash, hashSecret(secret))) return null;
	if (row.disabled || row.idleSeconds >= INACTIVITY_TIMEOUT_SECONDS) {
		await invalidateSession(sql, sessionId);
		return null;
	}
	if (row.idleSeconds >= ACTIVITY_CHECK_INTERVAL_SECONDS) {
		await sql`update auth_session set last_verified_at = now() where id = ${sessionId}`;
	}
	const byCode = row.openedBy === 'access_code';
	return {
		id: sessionId,
		openedBy: row.openedBy,
		user: {
			id: row.userId,
			username: row.username,
			displayName: row.displayName,
			roles: byCode ? row.roles.filter((role) => ACCESS_CODE_ROLES.includes(role)) : row.roles,
			twoFactorEnrolled: row.twoFactorEnrolled,
			votingSessionScope: byCode ? (row.votingSessionScope ?? []) : null
		}
	};
}

export async function invalidateSession(sql: Sql, sessionId: string): Promise<void> {
	await sql`delete from auth_session where id = ${sessionId}`;
}

export async function invalidateUserSessions(sql: Sql | TransactionSql, userId: number): Promise<void> {
	await sql`delete from auth_session where user_id = ${userId}`;
}

/** Ends every session of the user but `keepSessionId` (the one making the change). */
export async function invalidateOtherUserSessions(
	sql: Sql | TransactionSql,
	userId: number,
	keepSessionId: string | null
): Promise<number> {
	const result = await sql`delete from auth_session where user_id = ${userId} and id is distinct from ${keepSessionId}`;
	return result.count;
}

/** Removes sessions idle past the timeout. */
export async function deleteExpiredSessions(sql: Sql): Promise<number> {
	const result = await sql`
		delete from auth_session where last_verified_at < now() - make_interval(secs => ${INACTIVITY_TIMEOUT_SECONDS})`;
	return result.count;
}
