// The operator CLI as an operator runs it (`npm run cli -- …`, i.e. scripts/run-cli.js), in a child process.
import { spawnSync } from 'node:child_process';

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	/** The command did not finish within its time (it was killed). */
	timedOut: boolean;
}

export function runCli(
	args: string[],
	options: { databaseUrl?: string; input?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}
): CliResult {
	const result = spawnSync(process.execPath, ['scripts/run-cli.js', ...args], {
		env: {
			...process.env,
			...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
			...options.env
		},
		input: options.input,
		encoding: 'utf8',
		timeout: options.timeoutMs ?? 60_000,
		maxBuffer: 64 * 1024 * 1024
	});
	return { code: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.error !== undefined };
}
