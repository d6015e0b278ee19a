// Sessions idle past the timeout are refused when presented (validateSessionToken); this job also
// removes their rows, so the table holds only sessions that could still be used.
import type { Sql } from '../db/client';
import { runPeriodically } from '../jobs/periodic';
import { deleteExpiredSessions } from './session';

/** Every ten minutes by default; a removal is logged when there was something to remove. */
export function startSessionHousekeeping(
	sql: Sql,
	intervalMs = 10 * 60 * 1000,
	log: (line: string) => void = console.log
): () => void {
	return runPeriodically(
		{
			name: 'session housekeeping',
			intervalMs,
			firstRunAfterMs: Math.min(10_000, intervalMs),
			run: async () => {
				const removed = await deleteExpiredSessions(sql);
				if (removed > 0) log(`removed ${removed} expired sign-in sessions`);
			}
		},
		log
	);
}
