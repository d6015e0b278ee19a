// Which server a request's public reads go to (issue 18). Anyone's reads of public data may come
// from a replica, up to DATABASE_REPLICA_MAX_LAG seconds behind the primary; a reader who has
// just written (any form post or API write) reads from the primary for that long, through a
// short-lived cookie, so they never miss their own action in a public list or count (their new
// proposal in /proposals, their support in the ranking). Every instance sets and honours the
// cookie, so it holds behind a load balancer too. Own data (ballot state, supports, proposals)
// is read from the primary by the routes themselves.
import type { Handle, RequestEvent } from '@sveltejs/kit';
import { sessionCookieOptions } from '../auth/cookies';
import type { Sql } from './client';
import { readPublic } from './index';
import { replicaConfiguration } from './replicas';

export const RECENT_WRITE_COOKIE = 'piaojue_recent_write';

const { urls: replicaUrls, options: replicaOptions } = replicaConfiguration();
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A handle hook: a request that may write marks its reader for reads from the primary. */
export const rememberWrites: Handle = ({ event, resolve }) => {
	if (replicaUrls.length > 0 && !READ_ONLY_METHODS.has(event.request.method)) {
		event.cookies.set(RECENT_WRITE_COOKIE, '1', {
			...sessionCookieOptions(event.url),
			maxAge: Math.ceil(replicaOptions.maxLagSeconds) + 1
		});
	}
	return resolve(event);
};

/** `readPublic` for this request: from the primary when its reader has just written. */
export function readPublicFor<T>(event: Pick<RequestEvent, 'cookies'>, work: (sql: Sql) => Promise<T>): Promise<T> {
	return readPublic(work, { fromPrimary: event.cookies.get(RECENT_WRITE_COOKIE) !== undefined });
}
