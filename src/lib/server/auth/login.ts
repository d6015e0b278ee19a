// Signing in with a username and password, rate-limited per account and per address.
import type { Sql } from '../db/client';
import { findUserByUsername } from '../users/users';
import { decoyPasswordHash, verifyPassword } from './password';
import { consumeToken, LOGIN_ACCOUNT_POLICY, LOGIN_ADDRESS_POLICY, secondsUntilAllowed } from './rate-limit';
import { createSession } from './session';

export type SignInResult =
	| { ok: true; token: string; userId: number }
	| { ok: false; reason: 'invalid' }
	| { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export async function signIn(
	sql: Sql,
	input: { username: string; password: string; address: string }
): Promise<SignInResult> {
	const accountKey = `login:account:${input.username.toLowerCase()}`;
	const addressKey = `login:address:${input.address}`;
	const wait = Math.max(
		await secondsUntilAllowed(sql, accountKey, LOGIN_ACCOUNT_POLICY),
		await secondsUntilAllowed(sql, addressKey, LOGIN_ADDRESS_POLICY)
	);
	if (wait > 0) return { ok: false, reason: 'rate_limited', retryAfterSeconds: wait };

	const user = await findUserByUsername(sql, input.username);
	const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
	if (!user || !user.passwordHash || !valid || user.disabled) {
		await consumeToken(sql, accountKey, LOGIN_ACCOUNT_POLICY);
		await consumeToken(sql, addressKey, LOGIN_ADDRESS_POLICY);
		return { ok: false, reason: 'invalid' };
	}
	const { token } = await createSession(sql, user.id);
	return { ok: true, token, userId: user.id };
}
