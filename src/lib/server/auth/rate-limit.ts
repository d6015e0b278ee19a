// Rate limits with exponential back-off, kept in PostgreSQL so that every app instance shares them.
//
// Each key (an account, an address, a user's second step) has a token bucket of failures it may
// make at once (`capacity`), regained slowly (`refillPerSecond`). The failure that uses up the
// allowance blocks the key for `firstWaitSeconds`; while the key stays in back-off, every further
// failure doubles the wait, up to `maxWaitSeconds`. The strikes are forgotten once the key has been
// quiet long enough to regain its whole allowance, or when a sign-in on that account succeeds.
//
// The policy, in numbers (the constants below):
// - one account (password, and the password check of the security page): 5 failures, then waits
//   of 1, 2, 4, 8, 16, 32 and at most 60 minutes; one failure forgiven every 15 minutes. After the
//   first hour an attacker gets about one guess an hour. A correct sign-in clears the account.
// - one address: 50 failures at once and 5 a minute forgiven, because a congress hall puts
//   hundreds of delegates behind one NAT address: a hall's typing mistakes never reach the limit.
//   Only a flood does, and then the waits start at 12 seconds and stop at 15 minutes, so the hall
//   is never locked out for long; the per-account limit is what protects each account.
// - the second step (TOTP or recovery code) per user: as for one account.
// - access codes per address (ACCESS_CODE_ADDRESS_POLICY in electorate/access-codes.ts): 30 at
//   once, then waits of 10 seconds doubling; five quiet minutes forgive them (80-bit codes).
// The check, the attempt and the recording of its failure run in one transaction holding an
// advisory lock per account (not per address, so a hall's sign-ins do not queue behind each
// other): parallel guesses at one account are counted one after another, none slips through.
import type { Sql, TransactionSql } from '../db/client';

export interface BucketPolicy {
	/** Failures allowed at once before any wait (the bucket's capacity). */
	capacity: number;
	/** Allowance regained per second. */
	refillPerSecond: number;
	/** The wait after the failure that uses up the allowance; default: the time to regain one. */
	firstWaitSeconds?: number;
	/** The longest wait; default one hour. */
	maxWaitSeconds?: number;
}

/** Password failures per account. */
export const LOGIN_ACCOUNT_POLICY: BucketPolicy = {
	capacity: 5,
	refillPerSecond: 1 / 900,
	firstWaitSeconds: 60,
	maxWaitSeconds: 3600
};
/** Password failures per address: a congress hall shares one address, so the allowance is large and the waits short. */
export const LOGIN_ADDRESS_POLICY: BucketPolicy = {
	capacity: 50,
	refillPerSecond: 1 / 12,
	firstWaitSeconds: 12,
	maxWaitSeconds: 900
};
/** Wrong second-step codes per user. */
export const TWO_FACTOR_POLICY: BucketPolicy = LOGIN_ACCOUNT_POLICY;

const DEFAULT_MAX_WAIT_SECONDS = 3600;

export function loginAccountKey(username: string): string {
	return `login:account:${username.toLowerCase()}`;
}
export function loginAddressKey(address: string): string {
	return `login:address:${address}`;
}
export function twoFactorKey(userId: number): string {
	return `two-factor:user:${userId}`;
}

/** The wait after the n-th strike (1, 2, …): the first wait doubled n-1 times, capped. */
export function backoffSeconds(policy: BucketPolicy, strikes: number): number {
	const first = policy.firstWaitSeconds ?? 1 / policy.refillPerSecond;
	const max = policy.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
	return Math.min(max, first * 2 ** Math.min(strikes - 1, 30));
}

/** Seconds until the key may try again (0 when it may now). Does not record anything. */
export async function secondsUntilAllowed(
	sql: Sql | TransactionSql,
	key: string,
	_policy?: BucketPolicy
): Promise<number> {
	const [row] = await sql<{ wait: number }[]>`
		select extract(epoch from blocked_until - now())::float8 as wait
		from rate_limit_bucket where key = ${key} and blocked_until > now()`;
	return row ? Math.max(1, Math.ceil(row.wait)) : 0;
}

/** Records one failure: takes a token and, once the allowance is used up, blocks the key for a doubling wait. */
export async function recordFailure(sql: Sql | TransactionSql, key: string, policy: BucketPolicy): Promise<void> {
	// Read, decide and write under the row lock: inside the caller's transaction, or a transaction of its own.
	if ('savepoint' in sql) await recordFailureIn(sql, key, policy);
	else await sql.begin((tx) => recordFailureIn(tx, key, policy));
}

async function recordFailureIn(tx: TransactionSql, key: string, policy: BucketPolicy): Promise<void> {
	await tx`
		insert into rate_limit_bucket (key, tokens, refilled_at) values (${key}, ${policy.capacity}::float8, now())
		on conflict (key) do nothing`;
	const [row] = await tx<{ tokens: number; strikes: number }[]>`
		select least(${policy.capacity}::float8,
		             tokens + extract(epoch from now() - refilled_at)::float8 * ${policy.refillPerSecond}::float8) as tokens,
		       strikes
		from rate_limit_bucket where key = ${key} for update`;
	const regained = row?.tokens ?? policy.capacity;
	// Quiet long enough to regain the whole allowance: earlier strikes are forgotten.
	let strikes = regained >= policy.capacity ? 0 : (row?.strikes ?? 0);
	const tokens = Math.max(0, regained - 1);
	if (strikes > 0 || tokens < 1) strikes += 1;
	const waitSeconds = strikes > 0 ? backoffSeconds(policy, strikes) : 0;
	await tx`
		update rate_limit_bucket set
			tokens = ${tokens}::float8, refilled_at = now(), strikes = ${strikes},
			blocked_until = case when ${waitSeconds}::float8 > 0 then now() + make_interval(secs => ${waitSeconds}::float8) end
		where key = ${key}`;
}

/** The name the access-code sign-in uses (src/lib/server/electorate/access-codes.ts): a failure. */
export const consumeToken = recordFailure;

export async function resetBucket(sql: Sql | TransactionSql, key: string): Promise<void> {
	await sql`delete from rate_limit_bucket where key = ${key}`;
}

export interface RateLimit {
	key: string;
	policy: BucketPolicy;
	/** Forget this key's failures when the attempt succeeds (an account, never an address). */
	resetOnSuccess?: boolean;
	/**
	 * Serialise attempts on this key (an account, a user's second step). Not for an address: a hall
	 * signs in through one, and its sign-ins must not wait for each other's password checks.
	 */
	lock?: boolean;
}

export type RateLimited<T> = { limited: true; retryAfterSeconds: number } | { limited: false; outcome: T };

/**
 * Runs `attempt` if none of the keys is blocked, in one transaction that holds an advisory lock
 * per key marked `lock`: parallel attempts on such a key wait for each other, so each sees the
 * failures before it. `attempt` says whether it failed; a failure is recorded against every key.
 */
export async function withRateLimits<T>(
	sql: Sql,
	limits: RateLimit[],
	attempt: (tx: TransactionSql) => Promise<{ outcome: T; failed: boolean }>
): Promise<RateLimited<T>> {
	const ordered = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	return (await sql.begin(async (tx): Promise<RateLimited<T>> => {
		for (const limit of ordered.filter((candidate) => candidate.lock)) {
			await tx`select pg_advisory_xact_lock(hashtext('piaojue.rate_limit'), hashtext(${limit.key}))`;
		}
		let wait = 0;
		for (const limit of ordered) wait = Math.max(wait, await secondsUntilAllowed(tx, limit.key));
		if (wait > 0) return { limited: true, retryAfterSeconds: wait };
		const { outcome, failed } = await attempt(tx);
		for (const limit of ordered) {
			if (failed) await recordFailure(tx, limit.key, limit.policy);
			else if (limit.resetOnSuccess) await resetBucket(tx, limit.key);
		}
		return { limited: false, outcome };
	})) as RateLimited<T>;
}
