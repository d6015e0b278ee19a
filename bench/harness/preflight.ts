// Before a run starts: every external program a scenario needs is looked up on PATH, so a missing
// one skips (and marks as skipped) only the scenarios that need it, with one line saying what to
// install, instead of ending the whole run with `spawn nginx ENOENT` halfway through (issue 19).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A program some scenarios start, and the Debian package that provides it. */
export interface ExternalProgram {
	program: string;
	install: string;
	/** The scenarios (keys of `--only`) that cannot run without it. */
	scenarios: readonly string[];
}

/**
 * What the benchmark starts besides Node and its own embedded PostgreSQL. No scenario drives a
 * browser (the ballot page's JavaScript is weighed over HTTP), so Chromium is not among them.
 */
export const EXTERNAL_PROGRAMS: readonly ExternalProgram[] = [
	{ program: 'nginx', install: 'apt-get install nginx', scenarios: ['scaleout', 'province'] },
	// The certificate of nginx's TLS listener (deploy/nginx/piaojue.conf) is made for each run.
	{ program: 'openssl', install: 'apt-get install openssl', scenarios: ['scaleout', 'province'] }
];

/** The full path of an executable `program` on `searchPath` (a PATH value), or null. */
export function findOnPath(program: string, searchPath = process.env.PATH ?? ''): string | null {
	for (const directory of searchPath.split(path.delimiter)) {
		if (!directory) continue;
		const candidate = path.join(directory, program);
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// not here
		}
	}
	return null;
}

export interface Preflight {
	/** Scenario key → why it cannot run (what to install). */
	skipped: Map<string, string>;
	/** One line per missing program: what to install and which scenarios need it. */
	messages: string[];
}

/**
 * Checks the programs the scenarios about to run need. `scenarioNames` names them for the message
 * (key → "6 scale-out").
 */
export function preflight(
	runs: (scenario: string) => boolean,
	scenarioNames: Record<string, string>,
	searchPath = process.env.PATH ?? '',
	programs: readonly ExternalProgram[] = EXTERNAL_PROGRAMS
): Preflight {
	const skipped = new Map<string, string>();
	const messages: string[] = [];
	for (const { program, install, scenarios } of programs) {
		const needing = scenarios.filter(runs);
		if (needing.length === 0 || findOnPath(program, searchPath)) continue;
		for (const scenario of needing) skipped.set(scenario, `${program} is not installed (${install})`);
		messages.push(
			`${program} is not installed: install it with \`${install}\` to run ${needing.map((scenario) => `scenario ${scenarioNames[scenario] ?? scenario}`).join(', ')}; ${needing.length === 1 ? 'it is' : 'they are'} skipped in this run, the others run.`
		);
	}
	return { skipped, messages };
}
