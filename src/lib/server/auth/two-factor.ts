// Two-factor sign-in: enrolling an authenticator, the one-time recovery codes, the pending second
// step of a sign-in, and turning it off. Every change is one transaction with its audit entry;
// the audit never holds a secret or a code.
import { createHash } from 'node:crypto';
import type { Role } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { randomReadableString, verifyPassword } from './password';
import {
	accountProofKey,
	LOGIN_ACCOUNT_POLICY,
	twoFactorKey,
	TWO_FACTOR_POLICY,
	withRateLimits,
	type RateLimited
} from './rate-limit';
import { createSession, invalidateOtherUserSessions } from './session';
import { decryptTotpSecret, encryptTotpSecret } from './totp-key';
import { formatTotpSecret, generateTotpSecret, matchTotpStep, normalizeTotpCode, totpQrSvg } from './totp';
import { isTwoFactorRequiredFor } from './two-factor-policy';

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_LENGTH = 10; // 50 bits each
const RECOVERY_CODE_PATTERN = /^[a-km-np-z2-9]{10}$/; // the alphabet of randomReadableString
/** How long a correct password waits for its second step. */
export const PENDING_SIGN_IN_SECONDS = 5 * 60;
const PENDING_TOKEN_LENGTH = 32; // 160 bits

function sha256(text: string): Buffer {
	return createHash('sha256').update(text).digest();
}

// ---------------------------------------------------------------- recovery codes

/** "abcde-fghij": ten letters of the unambiguous alphabet, shown once. */
export function generateRecoveryCodes(): string[] {
	return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
		randomReadableString(RECOVERY_CODE_LENGTH).replace(/^(.{5})/, '$1-')
	);
}

/** What was typed (any case, spaces or dashes) as a bare recovery code, or null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
	const code = input.replace(/[\s-]+/g, '').toLowerCase();
	return RECOVERY_CODE_PATTERN.test(code) ? code : null;
}

async function storeRecoveryCodes(tx: TransactionSql, userId: number): Promise<string[]> {
	const codes = generateRecoveryCodes();
	await tx`delete from two_factor_recovery_code where user_id = ${userId}`;
	await tx`insert into two_factor_recovery_code ${tx(
		codes.map((code) => ({ user_id: userId, code_hash: sha256(normalizeRecoveryCode(code)!) }))
	)}`;
	return codes;
}

// ---------------------------------------------------------------- checking a second factor

export type SecondFactorError = 'wrong' | 'reused' | 'recovery_used';
export type SecondFactorCheck = { ok: true; method: 'totp' | 'recovery' } | { ok: false; error: SecondFactorError };

/**
 * Accepts a current TOTP code (a step after the last one used) or an unused recovery code of the
 * user, and spends it: the step is remembered, the recovery code marked used (audited with the
 * number left). Locks the user's credential row, so two uses of one code cannot both pass.
 */
async function spendSecondFactor(tx: TransactionSql, userId: number, input: string): Promise<SecondFactorCheck> {
	const [credential] = await tx<{ secretCiphertext: Buffer; lastUsedStep: number }[]>`
		select secret_ciphertext as "secretCiphertext", last_used_step as "lastUsedStep"
		from two_factor_credential where user_id = ${userId} for update`;
	if (!credential) return { ok: false, error: 'wrong' };
	const totpCode = normalizeTotpCode(input);
	if (/^\d{6}$/.test(totpCode)) {
		const secret = decryptTotpSecret(credential.secretCiphertext, userId);
		const step = secret ? matchTotpStep(secret, totpCode) : null;
		if (step === null) return { ok: false, error: 'wrong' };
		if (step <= credential.lastUsedStep) return { ok: false, error: 'reused' };
		await tx`update two_factor_credential set last_used_step = ${step} where user_id = ${userId}`;
		return { ok: true, method: 'totp' };
	}
	const recoveryCode = normalizeRecoveryCode(input);
	if (!recoveryCode) return { ok: false, error: 'wrong' };
	const [spent] = await tx<{ used: boolean }[]>`
		select used_at is not null as used from two_factor_recovery_code
		where user_id = ${userId} and code_hash = ${sha256(recoveryCode)} for update`;
	if (!spent) return { ok: false, error: 'wrong' };
	if (spent.used) return { ok: false, error: 'recovery_used' };
	await tx`update two_factor_recovery_code set used_at = now() where user_id = ${userId} and code_hash = ${sha256(recoveryCode)}`;
	const [left] = await tx<{ count: number }[]>`
		select count(*)::int as count from two_factor_recovery_code where user_id = ${userId} and used_at is null`;
	await appendAudit(tx, {
		actorUserId: userId,
		action: 'two_factor.recovery_code_used',
		details: { remaining: left?.count ?? 0 }
	});
	return { ok: true, method: 'recovery' };
}

// ---------------------------------------------------------------- the pending second step of a sign-in

/** Starts the second step after a correct password: a token for the browser, only its hash kept. */
export async function createPendingSignIn(sql: Sql | TransactionSql, userId: number): Promise<string> {
	const token = randomReadableString(PENDING_TOKEN_LENGTH);
	// One pending sign-in per user; expired ones of anybody are removed on the way.
	await sql`delete from two_factor_pending where user_id = ${userId} or expires_at <= now()`;
	await sql`
		insert into two_factor_pending (token_hash, user_id, expires_at)
		values (${sha256(token)}, ${userId}, now() + make_interval(secs => ${PENDING_SIGN_IN_SECONDS}))`;
	return token;
}

export async function hasTwoFactor(sql: Sql | TransactionSql, userId: number): Promise<boolean> {
	const [row] = await sql<{ enrolled: boolean }[]>`
		select exists (select 1 from two_factor_credential where user_id = ${userId}) as enrolled`;
	return row?.enrolled ?? false;
}

/** Whether a pending token is still good (unexpired, unused, its user enabled and enrolled). */
export async function isPendingSignInValid(sql: Sql, token: string): Promise<boolean> {
	if (!/^[a-z2-9]{32}$/.test(token)) return false;
	const [row] = await sql`
		select 1 from two_factor_pending p join app_user u on u.id = p.user_id
		where p.token_hash = ${sha256(token)} and p.expires_at > now() and u.disabled_at is null`;
	return !!row;
}

export type SecondStepResult =
	| { ok: true; token: string; userId: number; method: 'totp' | 'recovery' }
	| { ok: false; error: SecondFactorError | 'expired' }
	| { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * The second step: a TOTP code or a recovery code for the user of a pending sign-in. On success, in
 * one transaction, the pending token is used up and a session starts. Wrong codes count against
 * the user (exponential back-off); the pending token stays until it expires.
 */
export async function completeSecondStep(
	sql: Sql,
	input: { pendingToken: string; code: string }
): Promise<SecondStepResult> {
	if (!/^[a-z2-9]{32}$/.test(input.pendingToken)) return { ok: false, error: 'expired' };
	const tokenHash = sha256(input.pendingToken);
	const [pending] = await sql<{ userId: number }[]>`
		select p.user_id as "userId" from two_factor_pending p join app_user u on u.id = p.user_id
		where p.token_hash = ${tokenHash} and p.expires_at > now() and u.disabled_at is null`;
	if (!pending) return { ok: false, error: 'expired' };
	const result = await withRateLimits<SecondStepResult>(
		sql,
		[{ key: twoFactorKey(pending.userId), policy: TWO_FACTOR_POLICY, resetOnSuccess: true, lock: true }],
		async (tx) => {
			// Locked, so a second request with the same token waits and then finds it used.
			const [locked] = await tx`
				select 1 from two_factor_pending where token_hash = ${tokenHash} and expires_at > now() for update`;
			if (!locked) return { outcome: { ok: false, error: 'expired' }, failed: false };
			const check = await spendSecondFactor(tx, pending.userId, input.code);
			if (!check.ok) return { outcome: { ok: false, error: check.error }, failed: true };
			await tx`delete from two_factor_pending where token_hash = ${tokenHash}`;
			const { token } = await createSession(tx, pending.userId, { openedBy: 'two_factor' });
			return { outcome: { ok: true, token, userId: pending.userId, method: check.method }, failed: false };
		}
	);
	return limitedOr(result);
}

function limitedOr<T>(result: RateLimited<T>): T | { ok: false; error: 'rate_limited'; retryAfterSeconds: number } {
	return result.limited
		? { ok: false, error: 'rate_limited', retryAfterSeconds: result.retryAfterSeconds }
		: result.outcome;
}

// ---------------------------------------------------------------- the security page

export interface TwoFactorStatus {
	enrolled: boolean;
	enrolledAt: Date | null;
	recoveryCodesLeft: number;
	/** An authenticator being set up: what to show so it can be added to an app. */
	enrolment: { secretText: string; qrSvg: string } | null;
}

export async function twoFactorStatus(sql: Sql, user: { id: number; username: string }): Promise<TwoFactorStatus> {
	const [row] = await sql<{ enrolledAt: Date | null; recoveryCodesLeft: number; enrolmentCiphertext: Buffer | null }[]>`
		select (select enrolled_at from two_factor_credential where user_id = ${user.id}) as "enrolledAt",
		       (select count(*)::int from two_factor_recovery_code where user_id = ${user.id} and used_at is null) as "recoveryCodesLeft",
		       (select secret_ciphertext from two_factor_enrolment where user_id = ${user.id}) as "enrolmentCiphertext"`;
	const secret = row?.enrolmentCiphertext ? decryptTotpSecret(row.enrolmentCiphertext, user.id) : null;
	return {
		enrolled: !!row?.enrolledAt,
		enrolledAt: row?.enrolledAt ?? null,
		recoveryCodesLeft: row?.recoveryCodesLeft ?? 0,
		enrolment: secret ? { secretText: formatTotpSecret(secret), qrSvg: await totpQrSvg(secret, user.username) } : null
	};
}

export type PasswordAndCodeError = 'wrong_password' | SecondFactorError;
export type ProofResult<T> =
	T | { ok: false; error: PasswordAndCodeError } | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Runs `change` after the user proved both factors again (password and a current code or a
 * recovery code), rate-limited like a sign-in of the account and like a second step.
 */
async function withPasswordAndCode<T>(
	sql: Sql,
	user: { id: number; username: string },
	proof: { password: string; code: string },
	change: (tx: TransactionSql) => Promise<T>
): Promise<ProofResult<T>> {
	const result = await withRateLimits<ProofResult<T>>(
		sql,
		[
			{ key: accountProofKey(user.id), policy: LOGIN_ACCOUNT_POLICY, lock: true },
			{ key: twoFactorKey(user.id), policy: TWO_FACTOR_POLICY, lock: true }
		],
		async (tx) => {
			const [account] = await tx<{ passwordHash: string | null }[]>`
				select password_hash as "passwordHash" from app_user where id = ${user.id} for update`;
			if (!account?.passwordHash || !(await verifyPassword(account.passwordHash, proof.password))) {
				return { outcome: { ok: false, error: 'wrong_password' }, failed: true };
			}
			const check = await spendSecondFactor(tx, user.id, proof.code);
			if (!check.ok) return { outcome: { ok: false, error: check.error }, failed: true };
			return { outcome: await change(tx), failed: false };
		}
	);
	return limitedOr(result);
}

/** Starts setting up an authenticator (replacing an unfinished one): a new secret, shown until confirmed. */
async function storeEnrolment(tx: Sql | TransactionSql, userId: number): Promise<void> {
	const sealed = encryptTotpSecret(generateTotpSecret(), userId);
	await tx`
		insert into two_factor_enrolment (user_id, secret_ciphertext) values (${userId}, ${sealed})
		on conflict (user_id) do update set secret_ciphertext = excluded.secret_ciphertext, started_at = now()`;
}

export type BeginEnrolmentResult = ProofResult<{ ok: true }>;

/**
 * The first enrolment needs nothing more than the signed-in session; replacing an enrolled
 * authenticator needs the password and a current code (or a recovery code).
 */
export async function beginEnrolment(
	sql: Sql,
	user: { id: number; username: string },
	proof: { password: string; code: string } | null
): Promise<BeginEnrolmentResult> {
	if (!(await hasTwoFactor(sql, user.id))) {
		await storeEnrolment(sql, user.id);
		return { ok: true };
	}
	if (!proof) return { ok: false, error: 'wrong_password' };
	return withPasswordAndCode(sql, user, proof, async (tx) => {
		await storeEnrolment(tx, user.id);
		return { ok: true as const };
	});
}

export async function cancelEnrolment(sql: Sql, userId: number): Promise<void> {
	await sql`delete from two_factor_enrolment where user_id = ${userId}`;
}

export type ConfirmEnrolmentResult =
	{ ok: true; recoveryCodes: string[]; endedSessions: number } | { ok: false; error: 'no_enrolment' | 'wrong' };

/**
 * Saves the authenticator being set up once a current code from it is entered: in one
 * transaction the credential is written (replacing an earlier one), ten new recovery codes are
 * made (returned once, kept hashed), the user's other sessions end, and the audit records it.
 */
export async function confirmEnrolment(
	sql: Sql,
	input: { user: { id: number; username: string }; code: string; keepSessionId: string | null }
): Promise<ConfirmEnrolmentResult> {
	const userId = input.user.id;
	return (await sql.begin(async (tx): Promise<ConfirmEnrolmentResult> => {
		const [enrolment] = await tx<{ secretCiphertext: Buffer }[]>`
			select secret_ciphertext as "secretCiphertext" from two_factor_enrolment where user_id = ${userId} for update`;
		const secret = enrolment ? decryptTotpSecret(enrolment.secretCiphertext, userId) : null;
		if (!enrolment || !secret) return { ok: false, error: 'no_enrolment' };
		const step = matchTotpStep(secret, normalizeTotpCode(input.code));
		if (step === null) return { ok: false, error: 'wrong' };
		const [previous] = await tx`select 1 from two_factor_credential where user_id = ${userId} for update`;
		await tx`
			insert into two_factor_credential (user_id, secret_ciphertext, last_used_step)
			values (${userId}, ${enrolment.secretCiphertext}, ${step})
			on conflict (user_id) do update set
				secret_ciphertext = excluded.secret_ciphertext, last_used_step = excluded.last_used_step, enrolled_at = now()`;
		await tx`delete from two_factor_enrolment where user_id = ${userId}`;
		const recoveryCodes = await storeRecoveryCodes(tx, userId);
		// Sessions opened with the password alone end: from now on every session passed both steps.
		const endedSessions = await invalidateOtherUserSessions(tx, userId, input.keepSessionId);
		// The session that enrolled has just shown a current code: it counts as a two-factor sign-in.
		if (input.keepSessionId)
			await tx`update auth_session set opened_by = 'two_factor' where id = ${input.keepSessionId} and user_id = ${userId} and opened_by = 'password'`;
		await tx`delete from two_factor_pending where user_id = ${userId}`;
		await appendAudit(tx, {
			actorUserId: userId,
			action: 'two_factor.enrolled',
			details: { user: input.user.username, replaced: !!previous, recoveryCodes: RECOVERY_CODE_COUNT }
		});
		return { ok: true, recoveryCodes, endedSessions };
	})) as ConfirmEnrolmentResult;
}

export type DisableResult =
	ProofResult<{ ok: true }> | { ok: false; error: 'required' } | { ok: false; error: 'not_enrolled' };

/** Turns two-factor sign-in off (password and a current code needed); refused where the deployment requires it. */
export async function disableTwoFactor(
	sql: Sql,
	user: { id: number; username: string; roles: readonly Role[] },
	proof: { password: string; code: string }
): Promise<DisableResult> {
	if (isTwoFactorRequiredFor(user)) return { ok: false, error: 'required' };
	if (!(await hasTwoFactor(sql, user.id))) return { ok: false, error: 'not_enrolled' };
	return withPasswordAndCode(sql, user, proof, async (tx) => {
		await tx`delete from two_factor_credential where user_id = ${user.id}`; // recovery codes go with it
		await tx`delete from two_factor_enrolment where user_id = ${user.id}`;
		await appendAudit(tx, { actorUserId: user.id, action: 'two_factor.disabled', details: { user: user.username } });
		return { ok: true as const };
	});
}

/**
 * An operator removes a user's authenticator (lost phone and recovery codes), from the CLI.
 * The user's sessions end; they sign in with the password and may enrol again.
 */
export async function resetTwoFactor(
	sql: Sql,
	input: { userId: number; username: string; actorUserId: number }
): Promise<boolean> {
	return (await sql.begin(async (tx) => {
		const removed = await tx`delete from two_factor_credential where user_id = ${input.userId}`;
		await tx`delete from two_factor_enrolment where user_id = ${input.userId}`;
		await tx`delete from two_factor_pending where user_id = ${input.userId}`;
		if (removed.count === 0) return false;
		await invalidateOtherUserSessions(tx, input.userId, null);
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: 'two_factor.reset',
			details: { user: input.username }
		});
		return true;
	})) as boolean;
}
