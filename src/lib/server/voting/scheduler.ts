// Scheduled opening and closing: every app instance looks for sessions whose time has come;
// the lifecycle's row lock and status check make sure each step happens once.
import type { LifecycleAction } from '$lib/domain/lifecycle';
import type { Sql } from '../db/client';
import { runPeriodically } from '../jobs/periodic';
import { applyLifecycle, type LifecycleResult } from './sessions';

export interface ScheduledTransition {
	votingSessionId: number;
	action: LifecycleAction;
	result: LifecycleResult;
}

export async function runDueTransitions(sql: Sql): Promise<ScheduledTransition[]> {
	const due = await sql<{ id: number; action: 'open' | 'close' }[]>`
		select id, 'open' as action from voting_session where status = 'draft' and opens_at <= now()
		union all
		select id, 'close' as action from voting_session where status = 'open' and closes_at <= now()
		order by id`;
	const transitions: ScheduledTransition[] = [];
	for (const session of due) {
		transitions.push({
			votingSessionId: session.id,
			action: session.action,
			result: await applyLifecycle(sql, session.id, session.action, null)
		});
	}
	return transitions;
}

/**
 * Runs the check every `intervalMs` until stopped; a refusal that repeats (a session that cannot
 * open, say) is logged once.
 */
export function startScheduler(sql: Sql, intervalMs = 5000, log: (line: string) => void = console.log): () => void {
	const reported = new Set<string>();
	return runPeriodically(
		{
			name: 'scheduler',
			intervalMs,
			run: async () => {
				for (const transition of await runDueTransitions(sql)) {
					const key = `${transition.votingSessionId}:${transition.action}:${transition.result.ok || transition.result.error}`;
					if (reported.has(key)) continue;
					if (!transition.result.ok) reported.add(key);
					log(
						transition.result.ok
							? `scheduled ${transition.action} of voting session ${transition.votingSessionId}: done`
							: `scheduled ${transition.action} of voting session ${transition.votingSessionId} not possible: ${transition.result.error}`
					);
				}
			}
		},
		log
	);
}
