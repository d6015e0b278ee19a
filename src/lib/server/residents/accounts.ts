// Residents register themselves: an account with the resident role, an optional mobile number
// (stored, not verified), and a session straight away. Registration is rate-limited per address.
import type { RegistrationForm } from '$lib/domain/residents-schemas';
import type { Sql, TransactionSql } from '../db/client';
import { hashPassword } from '../auth/password';
import { takeToken, type BucketPolicy } from '../auth/rate-limit';
import { createSession } from '../auth/session';
import { insertUser, UsernameTakenError } from '../users/users';

/** Registrations per address: a burst of 10 (a family, an office behind one address), then one every 6 minutes. */
export const REGISTRATION_ADDRESS_POLICY: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 360 };

export type RegistrationResult =
	| { ok: true; userId: number; token: string }
	| { ok: false; reason: 'username_taken' }
	| { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** Creates a resident account and signs it in, in one transaction. Every attempt from an address takes a token. */
export async function registerResident(
	sql: Sql,
	input: RegistrationForm & { address: string }
): Promise<RegistrationResult> {
	// Every attempt takes a token, decided in one statement: a burst gets the allowance, no more.
	const token = await takeToken(sql, `register:address:${input.address}`, REGISTRATION_ADDRESS_POLICY);
	if (!token.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: token.retryAfterSeconds };
	const passwordHash = await hashPassword(input.password);
	try {
		return (await sql.begin(async (tx: TransactionSql) => {
			const userId = await insertUser(tx, {
				username: input.username,
				displayName: input.displayName,
				passwordHash,
				roles: ['resident']
			});
			await tx`insert into resident_profile (user_id, mobile) values (${userId}, ${input.mobile})`;
			const { token } = await createSession(tx, userId);
			return { ok: true as const, userId, token };
		})) as RegistrationResult;
	} catch (error) {
		if (error instanceof UsernameTakenError) return { ok: false, reason: 'username_taken' };
		throw error;
	}
}

export interface ResidentProfile {
	mobile: string | null;
	mobileVerified: boolean;
	registeredAt: Date;
}

export async function getResidentProfile(sql: Sql, userId: number): Promise<ResidentProfile | null> {
	const [profile] = await sql<ResidentProfile[]>`
		select mobile, mobile_verified_at is not null as "mobileVerified", registered_at as "registeredAt"
		from resident_profile where user_id = ${userId}`;
	return profile ?? null;
}
