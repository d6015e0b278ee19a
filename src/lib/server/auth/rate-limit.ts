// Token buckets kept in PostgreSQL so that every app instance shares them.
import type { Sql } from '../db/client';

export interface BucketPolicy {
	/** Most tokens a bucket holds (the burst). */
	capacity: number;
	/** Tokens regained per second. */
	refillPerSecond: number;
}

/** Login failures per account: 5 at once, then one more every 3 minutes. */
export const LOGIN_ACCOUNT_POLICY: BucketPolicy = { capacity: 5, refillPerSecond: 1 / 180 };
/** Login failures per address: a congress hall may share one address, so the burst is larger. */
export const LOGIN_ADDRESS_POLICY: BucketPolicy = { capacity: 50, refillPerSecond: 1 / 12 };

/** Seconds until a token is available (0 when one is). Does not consume. */
export async function secondsUntilAllowed(sql: Sql, key: string, policy: BucketPolicy): Promise<number> {
	const [row] = await sql<{ tokens: number }[]>`
		select least(${policy.capacity}::float8,
		             tokens + extract(epoch from now() - refilled_at)::float8 * ${policy.refillPerSecond}::float8) as tokens
		from rate_limit_bucket where key = ${key}`;
	if (!row || row.tokens >= 1) return 0;
	return Math.ceil((1 - row.tokens) / policy.refillPerSecond);
}

/** Takes one token (never below zero). */
export async function consumeToken(sql: Sql, key: string, policy: BucketPolicy): Promise<void> {
	await sql`
		insert into rate_limit_bucket (key, tokens, refilled_at)
		values (${key}, ${policy.capacity - 1}::float8, now())
		on conflict (key) do update set
			tokens = greatest(0, least(${policy.capacity}::float8,
				rate_limit_bucket.tokens + extract(epoch from now() - rate_limit_bucket.refilled_at)::float8 * ${policy.refillPerSecond}::float8) - 1),
			refilled_at = now()`;
}

export async function resetBucket(sql: Sql, key: string): Promise<void> {
	await sql`delete from rate_limit_bucket where key = ${key}`;
}
