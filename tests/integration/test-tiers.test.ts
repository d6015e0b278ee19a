// A newcomer without Chromium is told what to install: the browser tier fails at once with one line
// naming the package, instead of skipping its files silently.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the browser tier on a machine without Chromium', () => {
	it('fails with the line that says what to install', () => {
		const run = spawnSync(
			process.execPath,
			['node_modules/vitest/vitest.mjs', 'run', '--project', 'e2e', 'tests/e2e/roster.test.ts'],
			{ env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' }, encoding: 'utf8', timeout: 120_000 }
		);
		expect(run.status).not.toBe(0);
		expect(`${run.stdout}${run.stderr}`).toContain('apt-get install chromium');
		expect(`${run.stdout}${run.stderr}`).not.toMatch(/Test Files\s+\S*\s*1 passed/);
	});
});
