// Reading why the embedded PostgreSQL did not start (issue 19): its log lines → one reason, and
// whatever was thrown → a message (never a TypeError for `undefined`).
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/lib/error-message';
import { classifyStartFailure, EmbeddedPostgresStartError, LogTail } from '../../src/lib/server/db/embedded-start';

const log = (...lines: string[]) => lines.map((line) => `2026-12-03 10:12:00.803 UTC [29039] ${line}`);

describe('why the embedded PostgreSQL did not start', () => {
	it.each([
		[
			'port_in_use',
			log(
				'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
				'HINT:  Is another postmaster already running on port 45313? If not, wait a few seconds and retry.',
				'FATAL:  could not create any TCP/IP sockets'
			)
		],
		[
			'data_directory',
			log(
				'FATAL:  data directory "/x/postgres" has invalid permissions',
				'DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).'
			)
		],
		['data_directory', log('FATAL:  data directory "/x/postgres" has wrong ownership')],
		['data_directory', log('FATAL:  could not create lock file "postmaster.pid": No space left on device')],
		[
			'shared_memory',
			log(
				'FATAL:  could not map anonymous shared memory: Cannot allocate memory',
				"HINT:  This error usually means that PostgreSQL's request for a shared memory segment exceeded available memory"
			)
		],
		['shared_memory', log('FATAL:  could not create semaphores: No space left on device')],
		[
			'stale_lock',
			log(
				'FATAL:  lock file "postmaster.pid" already exists',
				'HINT:  Is another postmaster (PID 4242) running in data directory "/x/postgres"?'
			)
		],
		['stale_lock', log('FATAL:  pre-existing shared memory block (key 5432001, ID 3) is still in use')],
		['unknown', log('FATAL:  invalid value for parameter "max_connections": "many"')]
	] as const)('recognises %s', (reason, lines) => {
		expect(classifyStartFailure([...lines])).toBe(reason);
	});

	it('treats a file-system refusal before PostgreSQL ran as the data directory', () => {
		const refusal = Object.assign(new Error("EACCES: permission denied, mkdir '/root/x'"), { code: 'EACCES' });
		expect(classifyStartFailure([], refusal)).toBe('data_directory');
	});

	it('keeps the last whole lines of a log that arrives in pieces', () => {
		const tail = new LogTail();
		tail.add('first li');
		tail.add('ne\nsecond line\n');
		for (let index = 0; index < 30; index += 1) tail.add(`line ${index}\n`);
		tail.add('unfinished');
		const lines = tail.lines();
		expect(lines).toHaveLength(21);
		expect(lines[0]).toBe('line 10');
		expect(lines.at(-1)).toBe('unfinished');
	});

	it('reports a rejection with undefined (what the package does) without a TypeError', () => {
		expect(errorMessage(undefined)).toBe('rejected with undefined (no reason given)');
		expect(errorMessage('plain text')).toBe('plain text');
		expect(errorMessage({ message: 'from an object' })).toBe('from an object');
		const failure = new EmbeddedPostgresStartError('unknown', [], '/x/postgres', null, { cause: undefined });
		expect(failure.report('en')).toContain('rejected with undefined');
		expect(failure.report('en')).toContain(
			"The embedded PostgreSQL did not start: the reason is in PostgreSQL's own log"
		);
	});
});
