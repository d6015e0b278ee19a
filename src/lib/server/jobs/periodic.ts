// Work every app instance does on a timer (scheduled opening and closing, removing expired
// sessions, the residents' housekeeping). Each job is safe to run on several instances at once:
// its SQL takes the row locks that make each change happen once.

export interface PeriodicJob {
	/** Named in the log line of a failure. */
	name: string;
	intervalMs: number;
	/** The first run, sooner than a whole interval after start (default: one interval). */
	firstRunAfterMs?: number;
	run: () => Promise<void>;
}

/**
 * Runs the job every `intervalMs` until the returned function is called. A run never overlaps the
 * previous one (a slow run skips the ticks it spans); a failure is logged, never thrown. The timers
 * do not keep the process alive.
 */
export function runPeriodically(job: PeriodicJob, log: (line: string) => void = console.log): () => void {
	let running = false;
	const tick = () => {
		if (running) return;
		running = true;
		job
			.run()
			.catch((error: unknown) => log(`${job.name}: ${error instanceof Error ? error.message : String(error)}`))
			.finally(() => {
				running = false;
			});
	};
	const first = job.firstRunAfterMs === undefined ? null : setTimeout(tick, job.firstRunAfterMs);
	first?.unref();
	const timer = setInterval(tick, job.intervalMs);
	timer.unref();
	return () => {
		if (first) clearTimeout(first);
		clearInterval(timer);
	};
}
