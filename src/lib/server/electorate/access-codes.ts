// Personal one-time access codes: 16 characters of a 32-letter alphabet (80 bits), shown once on
// the credential sheet, kept only as SHA-256. Re-issuing replaces a delegate's code; signing in
// with it consumes it in the same transaction that starts the auth session.
import { createHash } from 'node:crypto';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { hashPassword, randomReadableString } from '../auth/password';
import { withToken, type BucketPolicy } from '../auth/rate-limit';
import { createSession } from '../auth/session';
import { markPresentOnSignIn } from './presence';
import { scrutineersAmong } from '../voting/scrutiny';

export const ACCESS_CODE_LENGTH = 16;
const ACCESS_CODE_PATTERN = /^[A-KMNP-Z2-9]{16}$/; // the alphabet of randomReadableString, upper case (no L, O, 0, 1)

/**
 * Code sign-ins per address: each attempt takes a token, a right code gives it back. A hall's
 * tablets may share one address, so the burst is generous; guessing stays hopeless at 80 bits and
 * six tries a minute.
 */
export const ACCESS_CODE_ADDRESS_POLICY: BucketPolicy = { capacity: 30, refillPerSecond: 1 / 10 };

/** A new code, upper case, without separators. */
export function generateAccessCode(): string {
	return randomReadableString(ACCESS_CODE_LENGTH).toUpperCase();
}

/** "ABCDEFGHJKMNPQRS" → "ABCD-EFGH-JKMN-PQRS" (as printed). */
export function formatAccessCode(code: string): string {
	return code.replace(/(.{4})(?!$)/g, '$1-');
}

/** What the delegate typed (any case, spaces or dashes) as a bare code, or null if it cannot be one. */
export function normalizeAccessCode(input: string): string | null {
	const code = input.replace(/[\s-]+/g, '').toUpperCase();
	return ACCESS_CODE_PATTERN.test(code) ? code : null;
}

export function hashAccessCode(code: string): Buffer {
	return createHash('sha256').update(code).digest();
}

function addressKey(address: string): string {
	return `login-code:address:${address}`;
}

// ---------------------------------------------------------------- issuing

export interface IssuedCredential {
	delegateId: number;
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string | null;
	/** The code in print form (groups of four). Never stored. */
	code: string;
}

export type IssueResult =
	| {
			ok: true;
			votingSessionTitle: string;
			credentials: IssuedCredential[];
			/** Delegates who hold a staff or scrutineer role: no code, they sign in with their password. */
			skipped: Omit<IssuedCredential, 'code'>[];
			/** Sign-ins made with the codes these replace, ended now. */
			endedSessions: number;
	  }
	| {
			ok: false;
			error: 'not_found' | 'wrong_status' | 'not_enrolled' | 'none_to_issue' | 'privileged' | 'reason_required';
	  };

/**
 * Issues codes to a session's electorate (every enrolled, enabled delegate, or one of them),
 * replacing any earlier code, in one transaction with the audit entry (the count, never the codes).
 * Accounts that hold a staff or scrutineer role get none (they prove themselves with their
 * password). Replacing codes while the session is open needs a reason; the sign-ins made with the
 * replaced codes end, and the audit records the reason and how many ended.
 */
export async function issueAccessCodes(
	sql: Sql,
	input: { votingSessionId: number; delegateId?: number | null; actorUserId: number; reason?: string | null }
): Promise<IssueResult> {
	return sql.begin(async (tx): Promise<IssueResult> => {
		const [votingSession] = await tx<{ title: string; status: string }[]>`
			select title, status from voting_session where id = ${input.votingSessionId} for share`;
		if (!votingSession) return { ok: false, error: 'not_found' };
		if (votingSession.status !== 'draft' && votingSession.status !== 'open')
			return { ok: false, error: 'wrong_status' };
		const reason = input.reason?.trim() || null;
		const delegateId = input.delegateId ?? null;
		const delegates = await tx<(Omit<IssuedCredential, 'code'> & { staff: boolean })[]>`
			select u.id as "delegateId", u.username, u.display_name as "displayName", u.delegation,
			       u.delegate_number as "delegateNumber",
			       exists (select 1 from user_role r where r.user_id = u.id and r.role in ('staff', 'scrutineer')) as staff
			from electorate_member e join app_user u on u.id = e.delegate_id
			where e.voting_session_id = ${input.votingSessionId} and u.disabled_at is null
			  and (${delegateId}::bigint is null or u.id = ${delegateId})
			order by u.delegation nulls last, u.delegate_number nulls last, u.username
			for update of u`;
		if (delegates.length === 0) return { ok: false, error: delegateId === null ? 'none_to_issue' : 'not_enrolled' };
		const scrutineers = await scrutineersAmong(
			tx,
			delegates.map((delegate) => delegate.delegateId),
			input.votingSessionId
		);
		const isPrivileged = (delegate: (typeof delegates)[number]) =>
			delegate.staff || scrutineers.has(delegate.delegateId);
		const skipped = delegates.filter(isPrivileged).map(({ staff: _staff, ...delegate }) => delegate);
		const eligible = delegates
			.filter((delegate) => !isPrivileged(delegate))
			.map(({ staff: _staff, ...delegate }) => delegate);
		if (eligible.length === 0) return { ok: false, error: delegateId === null ? 'none_to_issue' : 'privileged' };
		const credentials = eligible.map((delegate) => ({ ...delegate, code: generateAccessCode() }));
		const ids = credentials.map((credential) => credential.delegateId);
		// Replacing a code while voting is open is an exception the audit must explain.
		const [existing] = await tx<{ replaced: number }[]>`
			select count(*)::int as replaced from access_code where user_id = any(${ids})`;
		const replaced = existing?.replaced ?? 0;
		if (votingSession.status === 'open' && replaced > 0 && !reason) return { ok: false, error: 'reason_required' };
		// Sign-ins made with an earlier code of these delegates end with it.
		const ended = await tx`delete from auth_session where user_id = any(${ids}) and opened_by = 'access_code'`;
		await tx`
			insert into access_code ${tx(
				credentials.map((credential) => ({
					user_id: credential.delegateId,
					code_hash: hashAccessCode(credential.code),
					issued_by: input.actorUserId,
					voting_session_id: input.votingSessionId
				}))
			)}
			on conflict (user_id) do update set
				code_hash = excluded.code_hash, issued_at = now(), issued_by = excluded.issued_by, used_at = null,
				voting_session_id = excluded.voting_session_id`;
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: 'credentials.issued',
			votingSessionId: input.votingSessionId,
			details: {
				...(delegateId === null
					? { count: credentials.length, scope: 'all' }
					: { count: 1, scope: 'one', delegate: credentials[0]!.username }),
				skipped: skipped.length,
				replaced,
				endedSessions: ended.count,
				reason
			}
		});
		return {
			ok: true,
			votingSessionTitle: votingSession.title,
			credentials: credentials.map((credential) => ({ ...credential, code: formatAccessCode(credential.code) })),
			skipped,
			endedSessions: ended.count
		};
	}) as Promise<IssueResult>;
}

// ---------------------------------------------------------------- signing in

export type CodeError = 'malformed' | 'wrong' | 'used' | 'disabled' | 'privileged';
export type CodeCheck =
	| {
			ok: true;
			delegate: { username: string; displayName: string; delegation: string | null; delegateNumber: string | null };
	  }
	| { ok: false; error: CodeError }
	| { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

interface CodeRow {
	userId: number;
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string | null;
	used: boolean;
	disabled: boolean;
	/** The account holds a staff or scrutineer role (given after the code was issued): codes do not sign it in. */
	privileged: boolean;
	votingSessionId: number | null;
}

async function findCode(sql: Sql | TransactionSql, code: string, lock: boolean): Promise<CodeRow | null> {
	const [row] = await sql<CodeRow[]>`
		select c.user_id as "userId", u.username, u.display_name as "displayName", u.delegation, u.delegate_number as "delegateNumber",
		       c.used_at is not null as used, u.disabled_at is not null as disabled,
		       exists (select 1 from user_role r where r.user_id = u.id and r.role in ('staff', 'scrutineer')) as privileged,
		       c.voting_session_id as "votingSessionId"
		from access_code c join app_user u on u.id = c.user_id
		where c.code_hash = ${hashAccessCode(code)}
		${lock ? sql`for update of c` : sql``}`;
	return row ?? null;
}

/**
 * The delegate a credential code names, whether or not it was used to sign in (the check-in at the
 * hall reads the code from the credential sheet); null when no current code matches.
 */
export async function delegateOfAccessCode(
	sql: Sql | TransactionSql,
	input: string
): Promise<{ userId: number; username: string; displayName: string } | null> {
	const code = normalizeAccessCode(input);
	const row = code ? await findCode(sql, code, false) : null;
	return row ? { userId: row.userId, username: row.username, displayName: row.displayName } : null;
}

function refusal(row: CodeRow | null): CodeError | null {
	if (!row) return 'wrong';
	if (row.disabled) return 'disabled';
	if (row.privileged) return 'privileged';
	if (row.used) return 'used';
	return null;
}

/**
 * Looks a code up without consuming it (the first step of the sign-in page). Each look-up takes a
 * token of the address, given back when the code was right: failures count, decided in one
 * statement, so a burst of guesses gets the allowance and no more.
 */
export async function checkAccessCode(sql: Sql, input: { code: string; address: string }): Promise<CodeCheck> {
	const code = normalizeAccessCode(input.code);
	const checked = await withToken<CodeCheck>(sql, addressKey(input.address), ACCESS_CODE_ADDRESS_POLICY, async () => {
		const row = code ? await findCode(sql, code, false) : null;
		const error = code ? refusal(row) : 'malformed';
		if (error || !row) return { outcome: { ok: false as const, error: error ?? 'wrong' }, failed: true };
		return {
			outcome: {
				ok: true as const,
				delegate: {
					username: row.username,
					displayName: row.displayName,
					delegation: row.delegation,
					delegateNumber: row.delegateNumber
				}
			},
			failed: false
		};
	});
	return checked.limited
		? { ok: false, error: 'rate_limited', retryAfterSeconds: checked.retryAfterSeconds }
		: checked.outcome;
}

export type CodeSignInResult =
	| { ok: true; token: string; userId: number; votingSessionScope: number[] }
	| { ok: false; error: CodeError }
	| { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Signs a delegate in with their code: in one transaction the code is consumed, the new password
 * (if one is given) is set, an auth session is created and the delegate is marked present in the
 * open sessions they are enrolled in.
 */
export async function signInWithAccessCode(
	sql: Sql,
	input: { code: string; address: string; newPassword?: string | null }
): Promise<CodeSignInResult> {
	const code = normalizeAccessCode(input.code);
	const passwordHash = code && input.newPassword ? await hashPassword(input.newPassword) : null;
	const signedIn = await withToken<CodeSignInResult>(
		sql,
		addressKey(input.address),
		ACCESS_CODE_ADDRESS_POLICY,
		async () => {
			if (!code) return { outcome: { ok: false as const, error: 'malformed' as const }, failed: true };
			const outcome = (await sql.begin(async (tx): Promise<CodeSignInResult> => {
				const row = await findCode(tx, code, true);
				const error = refusal(row);
				if (error || !row) return { ok: false, error: error ?? 'wrong' };
				if (row.votingSessionId !== null && (await scrutineersAmong(tx, [row.userId], row.votingSessionId)).size > 0)
					return { ok: false, error: 'privileged' };
				await tx`update access_code set used_at = now() where user_id = ${row.userId}`;
				if (passwordHash) await tx`update app_user set password_hash = ${passwordHash} where id = ${row.userId}`;
				// createSession runs one insert; inside this transaction it commits or rolls back with the code.
				// The sign-in carries the delegate role only, for the vote the code was issued for (a code
				// issued before codes named their vote: the votes of this delegate that are not closed yet).
				const scope =
					row.votingSessionId !== null
						? [row.votingSessionId]
						: (
								await tx<{ id: number }[]>`
								select e.voting_session_id as id from electorate_member e join voting_session s on s.id = e.voting_session_id
								where e.delegate_id = ${row.userId} and s.status in ('draft', 'open')`
							).map((session) => session.id);
				const { token } = await createSession(tx, row.userId, { openedBy: 'access_code', votingSessionScope: scope });
				await markPresentOnSignIn(tx, row.userId);
				return { ok: true, token, userId: row.userId, votingSessionScope: scope };
			})) as CodeSignInResult;
			return { outcome, failed: !outcome.ok };
		}
	);
	return signedIn.limited
		? { ok: false, error: 'rate_limited', retryAfterSeconds: signedIn.retryAfterSeconds }
		: signedIn.outcome;
}

/** Per delegate of a session: whether a code was issued and whether it was used (for the credentials page). */
export async function listCodeStatus(
	sql: Sql,
	votingSessionId: number
): Promise<{ delegateId: number; issuedAt: Date | null; usedAt: Date | null }[]> {
	return sql<{ delegateId: number; issuedAt: Date | null; usedAt: Date | null }[]>`
		select e.delegate_id as "delegateId", c.issued_at as "issuedAt", c.used_at as "usedAt"
		from electorate_member e left join access_code c on c.user_id = e.delegate_id
		where e.voting_session_id = ${votingSessionId}`;
}
