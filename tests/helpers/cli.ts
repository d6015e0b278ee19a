// The operator CLI as an operator runs it (`npm run cli -- …`, i.e. scripts/run-cli.js), in a child process.
import { spawnSync } from 'node:child_process';

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export function runCli(
	args: string[],
	options: { databaseUrl?: string; input?: string; env?: Record<string, string | undefined> } = {}
): CliResult {
	const result = spawnSync(process.execPath, ['scripts/run-cli.js', ...args], {
		env: {
			...process.env,
			...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
			...options.env
		},
		input: options.input,
		encoding: 'utf8',
		timeout: 60_000
	});
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
