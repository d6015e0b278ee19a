// Residents register themselves: an account with the resident role, their consent to what is kept
// (recorded with the text's version and time), and a session straight away. A mobile number is
// given and verified afterwards (mobile-verification.ts). Registration is rate-limited per address;
// without the proof of work (a browser without JavaScript) under a stricter limit.
import type { RegistrationForm } from '$lib/domain/residents-schemas';
import { CONSENT_TEXT_VERSIONS, type ResidentVerification } from '$lib/domain/verification';
import type { Sql, TransactionSql } from '../db/client';
import { hashPassword } from '../auth/password';
import { takeToken, type BucketPolicy } from '../auth/rate-limit';
import { createSession } from '../auth/session';
import { insertUser, UsernameTakenError } from '../users/users';
import { openMobile } from './personal-data-key';

/** Registrations per address: a burst of 10 (a family, an office behind one address), then one every 6 minutes. */
export const REGISTRATION_ADDRESS_POLICY: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 360 };
/** Registrations per address without the proof of work (no JavaScript): 3 at once, then one an hour. */
export const REGISTRATION_WITHOUT_PROOF_POLICY: BucketPolicy = { capacity: 3, refillPerSecond: 1 / 3600 };

export type RegistrationResult =
	| { ok: true; userId: number; token: string }
	| { ok: false; error: 'username_taken' }
	| { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Creates a resident account and signs it in, in one transaction. Every attempt from an address
 * takes a token; one without a solved proof of work also takes one of the stricter allowance.
 */
export async function registerResident(
	sql: Sql,
	input: RegistrationForm & { address: string; provedWork: boolean }
): Promise<RegistrationResult> {
	// Every attempt takes a token, decided in one statement: a burst gets the allowance, no more.
	// Without a solved proof of work it also takes one of the stricter allowance.
	const limits: [string, BucketPolicy][] = [[`register:address:${input.address}`, REGISTRATION_ADDRESS_POLICY]];
	if (!input.provedWork) limits.push([`register:without-proof:${input.address}`, REGISTRATION_WITHOUT_PROOF_POLICY]);
	for (const [key, policy] of limits) {
		const token = await takeToken(sql, key, policy);
		if (!token.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: token.retryAfterSeconds };
	}
	const passwordHash = await hashPassword(input.password);
	try {
		return (await sql.begin(async (tx: TransactionSql) => {
			const userId = await insertUser(tx, {
				username: input.username,
				displayName: input.displayName,
				passwordHash,
				roles: ['resident']
			});
			await tx`insert into resident_profile (user_id) values (${userId})`;
			await tx`
				insert into personal_data_consent (user_id, purpose, text_version)
				values (${userId}, 'registration', ${CONSENT_TEXT_VERSIONS.registration})`;
			const { token } = await createSession(tx, userId);
			return { ok: true as const, userId, token };
		})) as RegistrationResult;
	} catch (error) {
		if (error instanceof UsernameTakenError) return { ok: false, error: 'username_taken' };
		throw error;
	}
}

export interface ResidentProfile {
	/** The verified number in full: for the resident's own eyes only. */
	mobile: string | null;
	mobileVerified: boolean;
	mobileVerifiedAt: Date | null;
	identityVerified: boolean;
	registeredAt: Date;
}

/** The resident's own profile (their number in full). */
export async function getResidentProfile(sql: Sql, userId: number): Promise<ResidentProfile | null> {
	const [profile] = await sql<(Omit<ResidentProfile, 'mobile'> & { sealed: Buffer | null })[]>`
		select mobile_ciphertext as sealed, mobile_verified_at is not null as "mobileVerified",
		       mobile_verified_at as "mobileVerifiedAt", identity_verified_at is not null as "identityVerified",
		       registered_at as "registeredAt"
		from resident_profile where user_id = ${userId}`;
	if (!profile) return null;
	const { sealed, ...rest } = profile;
	return { ...rest, mobile: sealed ? openMobile(sealed, userId) : null };
}

/** Whether a resident is verified by phone and by the identity provider (no profile: neither). */
export async function residentVerification(sql: Sql | TransactionSql, userId: number): Promise<ResidentVerification> {
	const [row] = await sql<ResidentVerification[]>`
		select mobile_verified_at is not null as "mobileVerified", identity_verified_at is not null as "identityVerified"
		from resident_profile where user_id = ${userId}`;
	return row ?? { mobileVerified: false, identityVerified: false };
}
