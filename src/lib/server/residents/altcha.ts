// Proof of work at registration (ALTCHA, self-hosted: no third party sees the visitor). The page's
// widget fetches a challenge from /register/challenge, solves it in the browser (PBKDF2, in a Web
// Worker) and sends the solution with the form; the server checks the signature, the expiry and
// the work, and accepts each challenge once (by its nonce, in the database, so every instance
// agrees). A visitor without JavaScript registers without it, under a stricter per-address limit.
import { createChallenge, randomInt, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { verify } from 'altcha-lib/frameworks/shared';
import type { Sql } from '../db/client';
import { altchaSignatureSecret } from './personal-data-key';

/** PBKDF2 iterations per try, and the range the hidden counter is drawn from: about a second of work in a phone's browser. */
const COST = 400;
const COUNTER_MIN = 500;
const COUNTER_MAX = 2_500;
/** A challenge must be solved and sent within 10 minutes. */
const CHALLENGE_TTL_SECONDS = 600;

export async function newRegistrationChallenge(): Promise<Challenge> {
	const secret = altchaSignatureSecret();
	return createChallenge({
		algorithm: 'PBKDF2/SHA-256',
		cost: COST,
		counter: randomInt(COUNTER_MAX, COUNTER_MIN),
		deriveKey,
		hmacSignatureSecret: secret,
		hmacKeySignatureSecret: secret,
		expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000)
	});
}

/** Whether the form carried a valid, unused solution (and marks it used). */
export async function checkRegistrationProof(sql: Sql, payload: string | null): Promise<boolean> {
	if (!payload) return false;
	const secret = altchaSignatureSecret();
	const store = {
		get: () => false,
		set: () => undefined,
		setIfAbsent: async (nonce: string) => {
			const rows = await sql`
				insert into altcha_used_challenge (nonce, expires_at)
				values (${nonce.slice(0, 200)}, now() + make_interval(secs => ${CHALLENGE_TTL_SECONDS}))
				on conflict do nothing returning 1`;
			return rows.length === 1;
		}
	};
	const result = await verify(payload, deriveKey, secret, secret, store);
	return result.error === null && result.verification?.verified === true;
}

/** Forgets challenges that can no longer be used (the scheduler calls this). */
export async function purgeUsedChallenges(sql: Sql): Promise<number> {
	const rows = await sql`delete from altcha_used_challenge where expires_at < now() returning 1`;
	return rows.length;
}
