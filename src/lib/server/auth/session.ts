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

export interface SessionUser {
	id: number;
	username: string;
	displayName: string;
	roles: Role[];
	/** Whether the user has a two-factor authenticator (TOTP) enrolled. */
	twoFactorEnrolled: boolean;
}

export interface AuthSession {
	id: string;
	user: SessionUser;
}

function hashSecret(secret: string): Buffer {
	return createHash('sha256').update(secret).digest();
}

/** Creates a session for a user; returns the token for the cookie. */
export async function createSession(
	sql: Sql | TransactionSql,
	userId: number
): Promise<{ token: string; sessionId: string }> {
	const sessionId = randomReadableString(24);
	const secret = randomReadableString(24);
	await sql`insert into auth_session (id, secret_hash, user_id) values (${sessionId}, ${hashSecret(secret)}, ${userId})`;
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
		}[]
	>`
		select s.secret_hash as "secretHash", u.id as "userId", u.username, u.display_name as "displayName",
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
	return {
		id: sessionId,
		user: {
			id: row.userId,
			username: row.username,
			displayName: row.displayName,
			roles: row.roles,
			twoFactorEnrolled: row.twoFactorEnrolled
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
