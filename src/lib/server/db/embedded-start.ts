// What can go wrong when the embedded PostgreSQL starts, and what to tell the person who ran
// `npm start`, the CLI or the tests (issue 19):
// - the server's own log is kept (its last lines), so a failed start says why instead of the
//   package's bare `undefined` rejection;
// - the reason is recognised from that log (port in use, data directory, shared memory, an earlier
//   server's lock) and explained in one line in the user's language;
// - ports are chosen below the ephemeral range, where outgoing connections never land;
// - a postmaster.pid left by a killed server is recognised (its process is gone, or is a zombie,
//   or the pid now belongs to another program) and removed once none of the old server's
//   processes remain. Only lock files are removed, never data.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, errorMessage } from '../../error-message';
import { m } from '../../paraglide/messages';
import type { Locale } from '../../paraglide/runtime';

export type StartFailureReason = 'port_in_use' | 'data_directory' | 'shared_memory' | 'stale_lock' | 'unknown';

/** How many of the server's last log lines a failure report shows. */
const LOG_TAIL_LINES = 20;

/** The last lines the server wrote (its log arrives in chunks of any size). */
export class LogTail {
	readonly #lines: string[] = [];
	#partial = '';

	add(chunk: string): void {
		const parts = (this.#partial + chunk).split('\n');
		this.#partial = parts.pop() ?? '';
		for (const line of parts) this.#push(line);
	}

	lines(): string[] {
		return this.#partial ? [...this.#lines, this.#partial] : [...this.#lines];
	}

	#push(line: string): void {
		const trimmed = line.replace(/\s+$/, '');
		if (!trimmed) return;
		this.#lines.push(trimmed);
		if (this.#lines.length > LOG_TAIL_LINES) this.#lines.shift();
	}
}

// PostgreSQL's own words (its log is in English: the package sets LC_MESSAGES), most specific first.
const REASONS: [StartFailureReason, RegExp][] = [
	[
		'stale_lock',
		/lock file ".*" already exists|pre-existing shared memory block .* is still in use|Is another postmaster .* running in data directory/i
	],
	[
		'shared_memory',
		/shared memory|semaphore|shmget|shmat|could not map anonymous|could not create (?:unnamed )?semaphores/i
	],
	['port_in_use', /Address already in use|could not bind IPv4 address|could not create any TCP\/IP sockets/i],
	[
		'data_directory',
		/data directory .* has (?:invalid permissions|wrong ownership)|Permission denied|Read-only file system|No space left on device|is not a database cluster directory|could not (?:open|create|write|read|access|change directory to|stat)|database files are incompatible|EACCES|EROFS|ENOSPC|ENOTDIR|EPERM/i
	]
];

/** The reason a start failed, read from the server's log (or a file-system error before it ran). */
export function classifyStartFailure(logLines: string[], error?: unknown): StartFailureReason {
	const code = errorCode(error);
	if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EEXIST'].includes(code)) return 'data_directory';
	const text = [...logLines, error === undefined ? '' : errorMessage(error)].join('\n');
	for (const [reason, pattern] of REASONS) if (pattern.test(text)) return reason;
	return 'unknown';
}

/** A start of the embedded server that failed, with the server's last log lines. */
export class EmbeddedPostgresStartError extends Error {
	constructor(
		readonly reason: StartFailureReason,
		readonly logLines: string[],
		readonly databaseDir: string,
		readonly port: number | null,
		options: { cause?: unknown; attempts?: number } = {}
	) {
		super(
			`the embedded PostgreSQL did not start (${reason}${port === null ? '' : `, port ${port}`}): ${logLines.at(-1) ?? errorMessage(options.cause)}`,
			{ cause: options.cause }
		);
		this.name = 'EmbeddedPostgresStartError';
		this.attempts = options.attempts ?? 1;
	}

	readonly attempts: number;

	/** The one-line explanation in `locale`. */
	explanation(locale: Locale): string {
		const inputs = { dir: this.databaseDir, port: String(this.port ?? '?'), attempts: String(this.attempts) };
		const options = { locale };
		switch (this.reason) {
			case 'port_in_use':
				return m.operations_pg_reason_port_in_use(inputs, options);
			case 'data_directory':
				return m.operations_pg_reason_data_directory(inputs, options);
			case 'shared_memory':
				return m.operations_pg_reason_shared_memory(inputs, options);
			case 'stale_lock':
				return m.operations_pg_reason_stale_lock(inputs, options);
			default:
				return m.operations_pg_reason_unknown(inputs, options);
		}
	}

	/** What to print: the explanation, then the server's own last log lines. */
	report(locale: Locale): string {
		const lines = this.logLines.length > 0 ? this.logLines : [errorMessage(this.cause)];
		return [
			m.operations_pg_start_failed({ explanation: this.explanation(locale) }, { locale }),
			m.operations_pg_log_heading({}, { locale }),
			...lines.map((line) => `  ${line}`)
		].join('\n');
	}
}

/** What to print for a failure of anything that opens the database (the embedded server's report, or the message). */
export function databaseStartReport(error: unknown, locale: Locale): string {
	return error instanceof EmbeddedPostgresStartError ? error.report(locale) : errorMessage(error);
}

/** Whether a TCP port on 127.0.0.1 can be listened on right now. */
function canListen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice, in the ephemeral range). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
			);
		});
	});
}

/** The first port of the kernel's ephemeral range (where outgoing connections take their local port). */
function ephemeralRangeStart(): number {
	try {
		const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
		return low && Number.isInteger(low) ? low : 32768;
	} catch {
		return 32768; // Linux's default; other systems use 49152 and up
	}
}

/**
 * A free port for the embedded server, below the ephemeral range (15000 up to its start) so no
 * outgoing connection can take it between this choice and the server's bind; the kernel's choice
 * when that range is too small or full.
 */
export async function choosePort(): Promise<number> {
	const low = 15_000;
	const high = ephemeralRangeStart() - 1;
	if (high - low >= 1000) {
		for (let attempt = 0; attempt < 20; attempt += 1) {
			const port = low + Math.floor(Math.random() * (high - low + 1));
			if (await canListen(port)) return port;
		}
	}
	return freePort();
}

export type PostmasterState =
	| { kind: 'none' }
	| { kind: 'running'; pid: number; port: number }
	| { kind: 'stale'; pid: number; port: number | null };

function processState(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
	} catch {
		return null;
	}
}

function aliveBySignal(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return errorCode(error) === 'EPERM';
	}
}

function realDirectory(directory: string): string {
	try {
		return realpathSync(directory);
	} catch {
		return path.resolve(directory);
	}
}

function commandName(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
	} catch {
		return '';
	}
}

/**
 * Whether `pid` is a live PostgreSQL process whose working directory is `databaseDir` (a
 * postmaster and its children run in their data directory). Without /proc (not Linux), any live
 * process counts. A PostgreSQL process of another user, which may not be inspected, counts when
 * `whenDenied` says so.
 */
function runsIn(pid: number, databaseDir: string, whenDenied: boolean): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	if (!existsSync('/proc/self/stat')) return aliveBySignal(pid);
	const state = processState(pid);
	if (state === null || state === 'Z' || state === 'X') return false; // gone, or a zombie waiting to be reaped
	if (!/^(postgres|postmaster)$/.test(commandName(pid))) return false; // the pid now belongs to another program
	try {
		return readlinkSync(`/proc/${pid}/cwd`) === realDirectory(databaseDir);
	} catch (error) {
		return whenDenied && (errorCode(error) === 'EACCES' || errorCode(error) === 'EPERM');
	}
}

/** Reads postmaster.pid (line 1 the pid, line 4 the port) and tells whether its server still runs. */
export function postmasterState(databaseDir: string): PostmasterState {
	const pidFile = path.join(databaseDir, 'postmaster.pid');
	let lines: string[];
	try {
		lines = readFileSync(pidFile, 'utf8').split('\n');
	} catch {
		return { kind: 'none' };
	}
	const pid = Number(lines[0]);
	const port = Number(lines[3]);
	const knownPort = Number.isInteger(port) && port > 0 ? port : null;
	if (runsIn(pid, databaseDir, true) && knownPort !== null) return { kind: 'running', pid, port: knownPort };
	return { kind: 'stale', pid, port: knownPort };
}

/**
 * Whether a PostgreSQL server answers on the port: it replies to an SSLRequest with one byte ('S'
 * or 'N'). A TCP connection alone is not enough: the kernel completes it for a listening socket
 * even while the process that owns it is being killed.
 */
function answersOnPort(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		const done = (answer: boolean) => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(2000, () => done(false));
		socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
		socket.once('data', (reply: Buffer) => done(reply[0] === 0x53 || reply[0] === 0x4e));
		socket.once('error', () => done(false));
		socket.once('close', () => done(false));
	});
}

/**
 * The state of the data directory's server, where a server that looks alive must also answer
 * PostgreSQL's SSLRequest on its port: one that was just killed can look alive for a moment while the kernel
 * tears it down. Such a server is looked at again for up to `waitMs`; one that still runs without
 * answering is reported (its lock is never removed while it runs).
 */
export async function settledPostmasterState(
	databaseDir: string,
	locale: Locale,
	waitMs = 10_000
): Promise<PostmasterState> {
	const deadline = Date.now() + waitMs;
	for (;;) {
		const state = postmasterState(databaseDir);
		if (state.kind !== 'running' || (await answersOnPort(state.port))) return state;
		if (Date.now() > deadline)
			throw new EmbeddedPostgresStartError(
				'stale_lock',
				[m.operations_pg_not_answering({ pid: String(state.pid), port: String(state.port) }, { locale })],
				databaseDir,
				state.port
			);
		await sleep(250);
	}
}

/** Live processes working in `databaseDir` (what a killed postmaster's children are until they notice). */
function processesIn(databaseDir: string): number[] {
	if (!existsSync('/proc/self/stat')) return [];
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		if (runsIn(Number(entry), databaseDir, false)) pids.push(Number(entry));
	}
	return pids;
}

/**
 * Removes the lock files of a server that was killed (postmaster.pid and its socket's lock), after
 * waiting up to `waitMs` for the old server's remaining processes to exit (they do when they notice
 * their postmaster died). Refuses, with the 'stale_lock' explanation, while any of them still runs:
 * two servers on one data directory would corrupt it. Data is never touched; PostgreSQL replays its
 * write-ahead log at the next start.
 */
export async function removeStaleLock(
	databaseDir: string,
	stale: { pid: number; port: number | null },
	notice: (line: string) => void,
	locale: Locale,
	waitMs = 15_000
): Promise<void> {
	const deadline = Date.now() + waitMs;
	let remaining = processesIn(databaseDir);
	while (remaining.length > 0 && Date.now() < deadline) {
		await sleep(200);
		remaining = processesIn(databaseDir);
	}
	if (remaining.length > 0)
		throw new EmbeddedPostgresStartError(
			'stale_lock',
			[m.operations_pg_old_processes({ pids: remaining.join(', ') }, { locale })],
			databaseDir,
			stale.port
		);
	notice(m.operations_pg_stale_pid_removed({ pid: String(stale.pid), dir: databaseDir }, { locale }));
	await rm(path.join(databaseDir, 'postmaster.pid'), { force: true });
	if (stale.port !== null) await rm(path.join(databaseDir, `.s.PGSQL.${stale.port}.lock`), { force: true });
}
