// Verifying a resident's mobile number by SMS code. A resident asks for a code for a number (with
// their consent to what is kept, recorded); a six-digit code is sent through the configured sender
// and kept only as a keyed hash, valid 5 minutes and 5 tries. The right code makes the number the
// resident's verified number: encrypted, with its keyed hash unique in the database, so one number
// verifies one resident however many ask at once. Sending is rate-limited per number and per
// address through the shared rate-limit module.
import { log } from '../observability/log';
import { randomInt } from 'node:crypto';
import {
	CONSENT_TEXT_VERSIONS,
	maskMobile,
	SMS_CODE_LENGTH,
	SMS_CODE_MAX_ATTEMPTS,
	SMS_CODE_TTL_SECONDS,
	type MobileCodeCheckProblem,
	type MobileCodeRequestProblem
} from '$lib/domain/verification';
import type { Sql, TransactionSql } from '../db/client';
import { isConstraintRefusal } from '../db/refusal';
import { withRateLimits, type BucketPolicy } from '../auth/rate-limit';
import { mobileHash, openMobile, sameHash, sealMobile, smsCodeHash } from './personal-data-key';
import { smsSender, SmsNotSentError, type SmsSender } from './sms';

/** Codes sent to one number: 3 at once, then one every 10 minutes (waits double while it goes on). */
export const SMS_NUMBER_POLICY: BucketPolicy = { capacity: 3, refillPerSecond: 1 / 600, maxWaitSeconds: 24 * 3600 };
/** Codes asked for from one address: 10 at once (a family, an office), then one every 2 minutes. */
export const SMS_ADDRESS_POLICY: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 120, maxWaitSeconds: 3600 };

export function smsNumberKey(mobile: string): string {
	// The keyed hash, never the number: the rate-limit table is not encrypted.
	return `sms:number:${mobileHash(mobile).toString('hex')}`;
}
export function smsAddressKey(address: string): string {
	return `sms:address:${address}`;
}

export type CodeRequestResult =
	| { ok: true; masked: string; expiresInSeconds: number }
	| { ok: false; problem: 'rate_limited'; retryAfterSeconds: number }
	| { ok: false; problem: Exclude<MobileCodeRequestProblem, 'rate_limited'> };

/** A random six-digit code (leading zeros kept). */
function newCode(): string {
	return String(randomInt(0, 10 ** SMS_CODE_LENGTH)).padStart(SMS_CODE_LENGTH, '0');
}

/** Whether another resident has verified this number. */
async function numberTakenByOther(sql: Sql | TransactionSql, mobile: string, userId: number): Promise<boolean> {
	const [row] =
		await sql`select 1 from resident_profile where mobile_hash = ${mobileHash(mobile)} and user_id <> ${userId}`;
	return !!row;
}

/**
 * Sends a new code to `mobile` for the resident (replacing any earlier code) and records their
 * consent to the verification's processing. Every request takes a token per number and per address.
 */
export async function requestMobileCode(
	sql: Sql,
	input: { userId: number; mobile: string; address: string },
	sender: SmsSender = smsSender()
): Promise<CodeRequestResult> {
	const code = newCode();
	const limited = await withRateLimits(
		sql,
		[
			{ key: smsNumberKey(input.mobile), policy: SMS_NUMBER_POLICY, lock: true },
			{ key: smsAddressKey(input.address), policy: SMS_ADDRESS_POLICY }
		],
		async (tx) => {
			const [profile] = await tx<{ mobileHash: Buffer | null }[]>`
				select mobile_hash as "mobileHash" from resident_profile where user_id = ${input.userId}`;
			if (profile?.mobileHash && sameHash(profile.mobileHash, mobileHash(input.mobile))) {
				return { outcome: 'already_verified' as const, failed: false };
			}
			if (await numberTakenByOther(tx, input.mobile, input.userId)) return { outcome: 'taken' as const, failed: true };
			await tx`
				insert into mobile_verification_code (user_id, mobile_ciphertext, mobile_hash, code_hash, sent_at, expires_at, attempts)
				values (${input.userId}, ${sealMobile(input.mobile, input.userId)}, ${mobileHash(input.mobile)},
				        ${smsCodeHash(code, input.userId, input.mobile)}, now(), now() + make_interval(secs => ${SMS_CODE_TTL_SECONDS}), 0)
				on conflict (user_id) do update set
					mobile_ciphertext = excluded.mobile_ciphertext, mobile_hash = excluded.mobile_hash,
					code_hash = excluded.code_hash, sent_at = excluded.sent_at, expires_at = excluded.expires_at, attempts = 0`;
			await tx`
				insert into personal_data_consent (user_id, purpose, text_version)
				values (${input.userId}, 'mobile', ${CONSENT_TEXT_VERSIONS.mobile})`;
			return { outcome: 'stored' as const, failed: true };
		}
	);
	if (limited.limited) return { ok: false, problem: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };
	if (limited.outcome !== 'stored') return { ok: false, problem: limited.outcome };
	try {
		await sender.send({ to: input.mobile, code });
	} catch (error) {
		if (!(error instanceof SmsNotSentError)) throw error;
		log.warn(`SMS to ${maskMobile(input.mobile)} not sent: ${error.message}`);
		await sql`delete from mobile_verification_code where user_id = ${input.userId} and code_hash = ${smsCodeHash(code, input.userId, input.mobile)}`;
		return { ok: false, problem: 'not_sent' };
	}
	return { ok: true, masked: maskMobile(input.mobile), expiresInSeconds: SMS_CODE_TTL_SECONDS };
}

export type CodeCheckResult =
	| { ok: true; masked: string }
	| { ok: false; problem: Exclude<MobileCodeCheckProblem, 'wrong_code'> }
	| { ok: false; problem: 'wrong_code'; attemptsLeft: number };

/** Checks a code; the right one verifies the number, in one transaction (the database keeps it unique). */
export async function confirmMobileCode(sql: Sql, userId: number, code: string): Promise<CodeCheckResult> {
	try {
		return (await sql.begin(async (tx): Promise<CodeCheckResult> => {
			const [pending] = await tx<
				{ mobileCiphertext: Buffer; mobileHash: Buffer; codeHash: Buffer; attempts: number; expired: boolean }[]
			>`
				select mobile_ciphertext as "mobileCiphertext", mobile_hash as "mobileHash", code_hash as "codeHash",
				       attempts, expires_at <= now() as expired
				from mobile_verification_code where user_id = ${userId} for update`;
			if (!pending) return { ok: false, problem: 'no_code' };
			if (pending.expired) {
				await tx`delete from mobile_verification_code where user_id = ${userId}`;
				return { ok: false, problem: 'expired' };
			}
			if (pending.attempts >= SMS_CODE_MAX_ATTEMPTS) return { ok: false, problem: 'too_many_attempts' };
			const mobile = openMobile(pending.mobileCiphertext, userId);
			if (mobile === null) {
				await tx`delete from mobile_verification_code where user_id = ${userId}`;
				return { ok: false, problem: 'no_code' };
			}
			if (!sameHash(pending.codeHash, smsCodeHash(code, userId, mobile))) {
				const attempts = pending.attempts + 1;
				await tx`update mobile_verification_code set attempts = ${attempts} where user_id = ${userId}`;
				if (attempts >= SMS_CODE_MAX_ATTEMPTS) return { ok: false, problem: 'too_many_attempts' };
				return { ok: false, problem: 'wrong_code', attemptsLeft: SMS_CODE_MAX_ATTEMPTS - attempts };
			}
			await recordVerifiedMobiles(tx, [{ userId, mobile }]);
			await tx`delete from mobile_verification_code where user_id = ${userId}`;
			return { ok: true, masked: maskMobile(mobile) };
		})) as CodeCheckResult;
	} catch (error) {
		if (isConstraintRefusal(error, 'unique_violation', 'resident_profile_mobile_hash_key'))
			return { ok: false, problem: 'taken' };
		throw error;
	}
}

/**
 * Records numbers as verified (encrypted, with their unique keyed hash): what a right code does,
 * and what an import of residents verified elsewhere (or the benchmark's seeding) does in bulk.
 * A number verified by another resident is refused by the database (resident_profile_mobile_hash_key).
 */
export async function recordVerifiedMobiles(
	tx: TransactionSql,
	entries: readonly { userId: number; mobile: string }[]
): Promise<void> {
	if (entries.length === 0) return;
	const [clock] = await tx<{ now: Date }[]>`select now()`;
	const now = (clock as { now: Date }).now;
	const rows = entries.map(({ userId, mobile }) => ({
		user_id: userId,
		mobile_ciphertext: sealMobile(mobile, userId),
		mobile_hash: mobileHash(mobile),
		mobile_verified_at: now
	}));
	await tx`
		insert into resident_profile ${tx(rows, 'user_id', 'mobile_ciphertext', 'mobile_hash', 'mobile_verified_at')}
		on conflict (user_id) do update set
			mobile_ciphertext = excluded.mobile_ciphertext, mobile_hash = excluded.mobile_hash,
			mobile_verified_at = excluded.mobile_verified_at`;
}

/** The resident's verified number in full (only ever shown to the resident), or null. */
export async function ownMobile(sql: Sql | TransactionSql, userId: number): Promise<string | null> {
	const [row] = await sql<{ sealed: Buffer | null }[]>`
		select mobile_ciphertext as sealed from resident_profile where user_id = ${userId}`;
	return row?.sealed ? openMobile(row.sealed, userId) : null;
}

/** A number as staff see it: masked (138****1234), or null. */
export function maskedMobile(sealed: Buffer | null, userId: number): string | null {
	if (!sealed) return null;
	const mobile = openMobile(sealed, userId);
	return mobile ? maskMobile(mobile) : null;
}

/** Whether a code is waiting for the resident (for the page: show the code field). */
export async function pendingCode(
	sql: Sql,
	userId: number
): Promise<{ masked: string; expiresAt: Date; attemptsLeft: number } | null> {
	const [row] = await sql<{ sealed: Buffer; expiresAt: Date; attempts: number }[]>`
		select mobile_ciphertext as sealed, expires_at as "expiresAt", attempts
		from mobile_verification_code where user_id = ${userId} and expires_at > now()`;
	if (!row) return null;
	const masked = maskedMobile(row.sealed, userId);
	return masked
		? { masked, expiresAt: row.expiresAt, attemptsLeft: Math.max(0, SMS_CODE_MAX_ATTEMPTS - row.attempts) }
		: null;
}
