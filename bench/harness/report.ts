// What a run reports: one object per scenario (the JSON file) and the table printed at the end.
import { round } from './http';

export interface ScenarioResult {
	name: string;
	requests: number;
	throughputPerSecond: number | null;
	p50Ms: number | null;
	p95Ms: number | null;
	p99Ms: number | null;
	maxMs?: number;
	errors: number;
	peakRssMb: number | null;
	/** Why the scenario did not run. */
	skipped?: string;
	/** One short line for the table. */
	notes: string;
	[extra: string]: unknown;
}

export function skippedScenario(name: string, reason: string): ScenarioResult {
	return {
		name,
		requests: 0,
		throughputPerSecond: null,
		p50Ms: null,
		p95Ms: null,
		p99Ms: null,
		errors: 0,
		peakRssMb: null,
		skipped: reason,
		notes: `skipped: ${reason}`
	};
}

export function mb(value: number | null | undefined): number | null {
	return value === null || value === undefined ? null : round(value, 0);
}

function cell(value: unknown): string {
	if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '–';
	return String(value);
}

/** A Markdown table: readable in a terminal, and the README's Performance section takes it as it is. */
export function formatTable(results: ScenarioResult[]): string {
	const header = ['scenario', 'requests', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'peak RSS MB', 'notes'];
	const rows = results.map((result) => [
		result.name,
		result.skipped ? '–' : result.requests,
		result.throughputPerSecond,
		result.p50Ms,
		result.p95Ms,
		result.p99Ms,
		result.skipped ? '–' : result.errors,
		result.peakRssMb,
		result.notes
	]);
	const lines = [header, header.map(() => '---'), ...rows.map((row) => row.map(cell))];
	return lines.map((line) => `| ${line.join(' | ')} |`).join('\n');
}
