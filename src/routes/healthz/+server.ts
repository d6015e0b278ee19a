import { json } from '@sveltejs/kit';
import { db, replicaStatuses } from '$lib/server/db';
import { databaseAnswers } from '$lib/server/db/health';
import type { RequestHandler } from './$types';

/**
 * 200 while the primary answers, 503 otherwise (what a load balancer needs). Replicas are reported
 * (state ok, lagging, down, not_a_replica or unknown before the first check; lag in seconds) but
 * never make an instance unhealthy: without them reads go to the primary.
 */
export const GET: RequestHandler = async () => {
	const healthy = await databaseAnswers(db());
	const replicas = replicaStatuses();
	return json(
		{ status: healthy ? 'ok' : 'database_unavailable', ...(replicas.length > 0 ? { replicas } : {}) },
		{ status: healthy ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
};
