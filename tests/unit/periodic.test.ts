// The timer every instance's periodic jobs run on: runs on its interval, never overlaps itself,
// logs a failure and goes on, and stops when told.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPeriodically } from '../../src/lib/server/jobs/periodic';

describe('runPeriodically', () => {
	beforeEach(() => {
		vi.useFakeTimers();
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	it('runs the job first after firstRunAfterMs, then every interval, until stopped', async () => {
		let runs = 0;
		const stop = runPeriodically({
			name: 'count',
			intervalMs: 1000,
			firstRunAfterMs: 10,
			run: async () => {
				runs += 1;
			}
		});
		await vi.advanceTimersByTimeAsync(10);
		expect(runs).toBe(1);
		await vi.advanceTimersByTimeAsync(3000);
		expect(runs).toBe(4);
		stop();
		await vi.advanceTimersByTimeAsync(5000);
		expect(runs).toBe(4);
	});

	it('skips the ticks a slow run spans instead of starting a second run beside it', async () => {
		let running = 0;
		let most = 0;
		let runs = 0;
		const stop = runPeriodically({
			name: 'slow',
			intervalMs: 100,
			run: async () => {
				running += 1;
				runs += 1;
				most = Math.max(most, running);
				await new Promise((resolve) => setTimeout(resolve, 350));
				running -= 1;
			}
		});
		await vi.advanceTimersByTimeAsync(1000);
		stop();
		expect(most).toBe(1);
		expect(runs).toBeGreaterThanOrEqual(2);
		expect(runs).toBeLessThan(5);
	});

	it('logs a failure with the job’s name and runs again at the next interval', async () => {
		const lines: string[] = [];
		let runs = 0;
		const stop = runPeriodically(
			{
				name: 'session housekeeping',
				intervalMs: 100,
				run: async () => {
					runs += 1;
					if (runs === 1) throw new Error('the database is not answering');
				}
			},
			(line) => lines.push(line)
		);
		await vi.advanceTimersByTimeAsync(250);
		stop();
		expect(lines).toEqual(['session housekeeping: the database is not answering']);
		expect(runs).toBe(2);
	});
});
