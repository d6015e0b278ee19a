// `npm run bench` on a machine without nginx (issue 19): the run says in one line what to install
// and which scenario needs it, runs the others and writes their results, the nginx scenario marked
// as skipped (never as passed). A quick run of the 444-delegate storm and the scale-out scenario.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** PATH without the folders that hold an nginx executable. */
function pathWithoutNginx(): string {
	return (process.env.PATH ?? '')
		.split(path.delimiter)
		.filter((directory) => {
			try {
				accessSync(path.join(directory, 'nginx'), constants.X_OK);
				return false;
			} catch {
				return true;
			}
		})
		.join(path.delimiter);
}

let scratch: string | null = null;
afterAll(async () => {
	if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Report {
	quick: boolean;
	missingPrograms: string[];
	scenarios: { name: string; skipped?: string; requests: number; errors: number; correct?: boolean }[];
}

describe('the benchmark without nginx', () => {
	it('says what to install, skips only the scale-out scenario and writes the others’ results', async () => {
		scratch = await mkdtemp(path.join(tmpdir(), 'piaojue-bench-preflight-'));
		await chmod(scratch, 0o711); // PostgreSQL, run as 'postgres' under root, passes through to its data
		const resultsFile = path.join(scratch, 'results.json');
		const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutNginx() };
		delete env.DATABASE_URL; // its own embedded PostgreSQL, in its own folder
		const child = spawn(
			process.execPath,
			[
				'node_modules/tsx/dist/cli.mjs',
				'bench/run.ts',
				'--quick',
				'--only',
				'storm444,scaleout',
				'--dir',
				path.join(scratch, 'bench'),
				'--results',
				resultsFile
			],
			{ env, stdio: ['ignore', 'pipe', 'pipe'] }
		);
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk));
		const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
		expect(output).not.toContain('ENOENT');
		expect(code, output).toBe(0);
		const line =
			'nginx is not installed: install it with `apt-get install nginx` to run scenario 6 scale-out; it is skipped in this run, the others run.';
		// Said before the run starts, and again under the table.
		expect(output.indexOf(line)).toBeLessThan(output.indexOf('machine:'));
		expect(output.lastIndexOf(line)).toBeGreaterThan(output.indexOf('| scenario |'));

		const report = JSON.parse(await readFile(resultsFile, 'utf8')) as Report;
		expect(report.quick).toBe(true);
		expect(report.missingPrograms).toEqual([line]);
		const storm = report.scenarios.find((scenario) => scenario.name.startsWith('1 vote storm'));
		expect(storm).toMatchObject({ requests: 444, errors: 0, correct: true });
		expect(storm?.skipped).toBeUndefined();
		const scaleOut = report.scenarios.find((scenario) => scenario.name.startsWith('6 scale-out'));
		expect(scaleOut).toMatchObject({ skipped: 'nginx is not installed (apt-get install nginx)', requests: 0 });
		expect(scaleOut?.correct).toBeUndefined();
	}, 300_000);
});
