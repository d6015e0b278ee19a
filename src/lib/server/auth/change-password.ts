// Changing one's own password: the current password is checked (rate-limited per user, as the
// security page's other proofs are), and in one transaction the new hash is stored, every other session of the user ends,
// pending second steps are dropped and the audit records it (never a password).
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { hashPassword, verifyPassword } from './password';
import { accountProofKey, LOGIN_ACCOUNT_POLICY, withRateLimits } from './rate-limit';
import { invalidateOtherUserSessions } from './session';

export type ChangePasswordResult =
	| { ok: true; endedSessions: number }
	| { ok: false; error: 'wrong_password' }
	| { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

export async function changePassword(
	sql: Sql,
	input: {
		user: { id: number; username: string };
		sessionId: string | null;
		currentPassword: string;
		newPassword: string;
	}
): Promise<ChangePasswordResult> {
	const result = await withRateLimits(
		sql,
		[{ key: accountProofKey(input.user.id), policy: LOGIN_ACCOUNT_POLICY, lock: true }],
		async (tx): Promise<{ outcome: ChangePasswordResult; failed: boolean }> => {
			const [account] = await tx<{ passwordHash: string | null }[]>`
				select password_hash as "passwordHash" from app_user where id = ${input.user.id} and disabled_at is null for update`;
			if (!account?.passwordHash || !(await verifyPassword(account.passwordHash, input.currentPassword))) {
				return { outcome: { ok: false, error: 'wrong_password' }, failed: true };
			}
			await tx`update app_user set password_hash = ${await hashPassword(input.newPassword)} where id = ${input.user.id}`;
			const endedSessions = await invalidateOtherUserSessions(tx, input.user.id, input.sessionId);
			await tx`delete from two_factor_pending where user_id = ${input.user.id}`;
			await appendAudit(tx, {
				actorUserId: input.user.id,
				action: 'account.password_changed',
				details: { user: input.user.username, endedSessions }
			});
			return { outcome: { ok: true, endedSessions }, failed: false };
		}
	);
	return result.limited
		? { ok: false, error: 'rate_limited', retryAfterSeconds: result.retryAfterSeconds }
		: result.outcome;
}
