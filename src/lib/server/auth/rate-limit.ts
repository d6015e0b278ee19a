// Rate limits with exponential back-off, kept in PostgreSQL so that every app instance shares them.
//
// Each key (an account at an address, an account, an address, a user's second step) has a token
// bucket (`capacity`), regained slowly (`refillPerSecond`). Taking a token and deciding happen in one
// statement under the bucket row's lock (rate_limit_take, migrations/00016): a burst of parallel
// requests gets exactly the allowance. Where a limit counts failures only (sign-ins: a hall's
// delegates must not use up its allowance by signing in), the token is taken before the attempt
// and given back when the attempt succeeds. The take that uses up the allowance blocks the key for
// `firstWaitSeconds`; while the key stays in back-off, every further take doubles the wait, up to
// `maxWaitSeconds`; a taker that then succeeds lifts its strike again. The strikes are forgotten
// once the key has been quiet long enough to regain its whole allowance, or when a sign-in on that
// account at that address succeeds.
//
// The policy, in numbers (the constants below):
// - one account at one address (password): 5 failures, then waits of 1, 2, 4, 8, 16, 32 and at
//   most 60 minutes; one failure forgiven every 15 minutes. A stranger's guesses lock only the
//   stranger out: the owner, at another address, signs in.
// - one account, whatever the address: 20 failures, one forgiven every 3 minutes, then waits of one
//   minute at most. It holds only addresses that have already failed on the account (a right password
//   from an address without failures always goes through), so it never refuses a right password
//   for more than a minute, and it slows guessing spread over many addresses.
// - one address: 50 attempts at once and 5 a minute forgiven, because a congress hall puts hundreds
//   of delegates behind one NAT address: a hall's typing mistakes never reach the limit. Only a
//   flood does, and then the waits start at 12 seconds and stop at 15 minutes.
// - the second step (TOTP or recovery code) per user: as for one account at one address.
// - access codes per address (ACCESS_CODE_ADDRESS_POLICY in electorate/access-codes.ts): 30 at
//   once, then waits of 10 seconds doubling; five quiet minutes forgive them (80-bit codes).
// - registrations per address (residents/accounts.ts): every attempt counts, 10 at once.
// Attempts on one account at one address (and on a user's second step) run one after another under
// an advisory lock; an address's are not serialised (a hall's sign-ins must not queue behind each
// other's password checks): its token is taken in a statement of its own.
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

/** Password failures of one account at one address. */
export const LOGIN_ACCOUNT_POLICY: BucketPolicy = {
	capacity: 5,
	refillPerSecond: 1 / 900,
	firstWaitSeconds: 60,
	maxWaitSeconds: 3600
};
/** Password failures of one account from every address: slower, and never more than a minute's wait. */
export const LOGIN_ACCOUNT_GLOBAL_POLICY: BucketPolicy = {
	capacity: 20,
	refillPerSecond: 1 / 180,
	firstWaitSeconds: 60,
	maxWaitSeconds: 60
};
/** Password failures per address: a congress hall shares one address, so the allowance is large and the waits short. */
export const LOGIN_ADDRESS_POLICY: BucketPolicy = {
	capacity: 50,
	refillPerSecond: 1 / 12,
	firstWaitSeconds: 12,
	maxWaitSeconds: 900
};
/**
 * Wrong second-step codes per user: the same policy under its own name.
 * @alias
 */
export const TWO_FACTOR_POLICY: BucketPolicy = LOGIN_ACCOUNT_POLICY;

const DEFAULT_MAX_WAIT_SECONDS = 3600;

/** One account, from every address (LOGIN_ACCOUNT_GLOBAL_POLICY). */
export function loginAccountKey(username: string): string {
	return `login:account:${username.toLowerCase()}`;
}
/** One account at one address (LOGIN_ACCOUNT_POLICY). */
export function loginAccountAddressKey(username: string, address: string): string {
	return `login:account-address:${username.toLowerCase()}:${address}`;
}
/** The password check of a signed-in user's security page (LOGIN_ACCOUNT_POLICY). */
export function accountProofKey(userId: number): string {
	return `account-proof:user:${userId}`;
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

export interface TakenToken {
	allowed: boolean;
	/** When refused: seconds until the key may try again. */
	retryAfterSeconds: number;
	/** This take started a (provisional) block: giving the token back lifts it. */
	provisional: boolean;
}

/** Takes a token and decides, in one statement under the bucket row's lock. */
export async function takeToken(sql: Sql | TransactionSql, key: string, policy: BucketPolicy): Promise<TakenToken> {
	const first = policy.firstWaitSeconds ?? 1 / policy.refillPerSecond;
	const max = policy.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
	const [row] = await sql<{ allowed: boolean; waitSeconds: number; provisional: boolean }[]>`
		select allowed, wait_seconds as "waitSeconds", provisional
		from rate_limit_take(${key}, ${policy.capacity}::float8, ${policy.refillPerSecond}::float8, ${first}::float8, ${max}::float8)`;
	const taken = row as { allowed: boolean; waitSeconds: number; provisional: boolean };
	return {
		allowed: taken.allowed,
		retryAfterSeconds: taken.allowed ? 0 : Math.max(1, Math.ceil(taken.waitSeconds)),
		provisional: taken.provisional
	};
}

/** An attempt that took a token succeeded: the token goes back (and the block it started, if any, lifts). */
export async function giveTokenBack(
	sql: Sql | TransactionSql,
	key: string,
	policy: BucketPolicy,
	token: TakenToken
): Promise<void> {
	await sql`select rate_limit_give_back(${key}, ${policy.capacity}::float8, ${token.provisional})`;
}

/** Records one failure (a token taken and kept). */
export async function recordFailure(sql: Sql | TransactionSql, key: string, policy: BucketPolicy): Promise<void> {
	await takeToken(sql, key, policy);
}

export async function resetBucket(sql: Sql | TransactionSql, key: string): Promise<void> {
	await sql`delete from rate_limit_bucket where key = ${key}`;
}

/**
 * Runs `attempt` with a token of `key` (taken first; given back when the attempt says it
 * succeeded). Refused with the wait when the key has none.
 */
export async function withToken<T>(
	sql: Sql,
	key: string,
	policy: BucketPolicy,
	attempt: () => Promise<{ outcome: T; failed: boolean }>
): Promise<RateLimited<T>> {
	const token = await takeToken(sql, key, policy);
	if (!token.allowed) return { limited: true, retryAfterSeconds: token.retryAfterSeconds };
	const { outcome, failed } = await attempt();
	if (!failed) await giveTokenBack(sql, key, policy, token);
	return { limited: false, outcome };
}

export interface RateLimit {
	key: string;
	policy: BucketPolicy;
	/** Forget this key's failures when the attempt succeeds (an account, never an address). */
	resetOnSuccess?: boolean;
	/**
	 * Serialise attempts on this key (an account at an address, a user's second step). Not for an
	 * address: a hall signs in through one, and its sign-ins must not wait for each other's password
	 * checks.
	 */
	lock?: boolean;
	/**
	 * 'gate' (default): a token is taken before the attempt (refused when there is none) and given
	 * back when it succeeds. 'failure': the attempt is not held; a failure takes a token.
	 */
	mode?: 'gate' | 'failure';
}

export type RateLimited<T> = { limited: true; retryAfterSeconds: number } | { limited: false; outcome: T };

/**
 * Runs `attempt` if every gating key gives a token, in one transaction that holds an advisory lock
 * per key marked `lock` (parallel attempts on such a key wait for each other, so each sees the
 * failures before it). Tokens of keys that are not locked are taken in statements of their own,
 * before the transaction, so their row locks are never held during the attempt. `attempt` says
 * whether it failed: then the tokens stay taken and 'failure' keys take one; on success they are
 * given back, or the key forgotten where `resetOnSuccess`.
 */
export async function withRateLimits<T>(
	sql: Sql,
	limits: RateLimit[],
	attempt: (tx: TransactionSql) => Promise<{ outcome: T; failed: boolean }>
): Promise<RateLimited<T>> {
	const ordered = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	const gates = ordered.filter((limit) => (limit.mode ?? 'gate') === 'gate');
	const taken: { limit: RateLimit; token: TakenToken }[] = [];
	const giveBackAll = async (runner: Sql | TransactionSql) => {
		for (const { limit, token } of taken) await giveTokenBack(runner, limit.key, limit.policy, token);
		taken.length = 0;
	};
	for (const limit of gates.filter((gate) => !gate.lock)) {
		const token = await takeToken(sql, limit.key, limit.policy);
		if (!token.allowed) {
			await giveBackAll(sql);
			return { limited: true, retryAfterSeconds: token.retryAfterSeconds };
		}
		taken.push({ limit, token });
	}
	try {
		return (await sql.begin(async (tx): Promise<RateLimited<T>> => {
			for (const limit of ordered.filter((candidate) => candidate.lock)) {
				await tx`select pg_advisory_xact_lock(hashtext('piaojue.rate_limit'), hashtext(${limit.key}))`;
			}
			for (const limit of gates.filter((gate) => gate.lock)) {
				const token = await takeToken(tx, limit.key, limit.policy);
				if (!token.allowed) {
					await giveBackAll(tx);
					return { limited: true, retryAfterSeconds: token.retryAfterSeconds };
				}
				taken.push({ limit, token });
			}
			const { outcome, failed } = await attempt(tx);
			if (failed) {
				for (const limit of ordered.filter((candidate) => candidate.mode === 'failure'))
					await recordFailure(tx, limit.key, limit.policy);
				taken.length = 0;
			} else {
				for (const { limit, token } of taken) {
					if (limit.resetOnSuccess) await resetBucket(tx, limit.key);
					else await giveTokenBack(tx, limit.key, limit.policy, token);
				}
				taken.length = 0;
			}
			return { limited: false, outcome };
		})) as RateLimited<T>;
	} catch (error) {
		// The attempt never ran to an answer: its tokens were not spent on a failure.
		await giveBackAll(sql).catch(() => {});
		throw error;
	}
}
