// Signing in with a username and password, rate-limited per account at each address, per account
// and per address (exponential back-off, src/lib/server/auth/rate-limit.ts). An account with an
// authenticator gets no session yet: a pending second step (src/lib/server/auth/two-factor.ts).
import type { Sql } from '../db/client';
import { findUserByUsername } from '../users/users';
import { decoyPasswordHash, verifyPassword } from './password';
import {
	loginAccountAddressKey,
	loginAccountKey,
	loginAddressKey,
	LOGIN_ACCOUNT_GLOBAL_POLICY,
	LOGIN_ACCOUNT_POLICY,
	LOGIN_ADDRESS_POLICY,
	withRateLimits
} from './rate-limit';
import { createSession } from './session';
import { createPendingSignIn, hasTwoFactor } from './two-factor';

export type SignInResult =
	| { ok: true; token: string; userId: number }
	| { ok: false; reason: 'invalid' }
	/** The password was right; the account asks for a second step (a code). */
	| { ok: false; reason: 'second_step'; pendingToken: string; userId: number }
	| { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export async function signIn(
	sql: Sql,
	input: { username: string; password: string; address: string }
): Promise<SignInResult> {
	const user = await findUserByUsername(sql, input.username);
	const accountAddressKey = loginAccountAddressKey(input.username, input.address);
	// The account's own limit holds only an address that has already failed on it: a right password
	// from anywhere else is never refused because others guess.
	const [failedHere] = await sql<{ failed: boolean }[]>`
		select exists (select 1 from rate_limit_bucket where key = ${accountAddressKey}) as failed`;
	const result = await withRateLimits(
		sql,
		[
			{ key: accountAddressKey, policy: LOGIN_ACCOUNT_POLICY, resetOnSuccess: true, lock: true },
			{
				key: loginAccountKey(input.username),
				policy: LOGIN_ACCOUNT_GLOBAL_POLICY,
				mode: failedHere?.failed ? 'gate' : 'failure'
			},
			{ key: loginAddressKey(input.address), policy: LOGIN_ADDRESS_POLICY }
		],
		async (tx): Promise<{ outcome: SignInResult; failed: boolean }> => {
			const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
			if (!user || !user.passwordHash || !valid || user.disabled)
				return { outcome: { ok: false, reason: 'invalid' }, failed: true };
			if (await hasTwoFactor(tx, user.id)) {
				return {
					outcome: {
						ok: false,
						reason: 'second_step',
						pendingToken: await createPendingSignIn(tx, user.id),
						userId: user.id
					},
					failed: false
				};
			}
			const { token } = await createSession(tx, user.id);
			return { outcome: { ok: true, token, userId: user.id }, failed: false };
		}
	);
	return result.limited
		? { ok: false, reason: 'rate_limited', retryAfterSeconds: result.retryAfterSeconds }
		: result.outcome;
}
