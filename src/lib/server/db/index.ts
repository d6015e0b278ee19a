// The app's database handle: opened once per process by the server's init hook.
//
// `db()` is one stable handle that forwards every use to the current connection pool: after a
// database outage the pool is replaced (`replaceDatabasePool`), because postgres.js 3.4.9 can
// leave a connection unusable when its socket closed in the middle of a write (./driver.ts,
// workarounds 2 and 3).
import { openDatabase, type Database, type Sql } from './client';
import { openResilientPool, type ResilientPool } from './driver';
import { replicaConfiguration, ReplicaSet, type ReplicaStatus } from './replicas';
import { describeConnectionRole } from './runtime-role';
import { createOutageLog } from './unavailable';
import { log } from '../observability/log';

interface OpenDatabase {
	database: Database;
	/** The primary's pool, replaced after an outage behind its stable handle `pool.sql`. */
	pool: ResilientPool;
	/** DATABASE_REPLICA_URL's replicas (none when unset). */
	replicas: ReplicaSet;
}

let state: OpenDatabase | null = null;
let opening: Promise<Database> | null = null;

function open(): OpenDatabase {
	if (!state) throw new Error('the database is not open yet');
	return state;
}

export function initDatabase(): Promise<Database> {
	opening ??= (async () => {
		const onPoolWait = (seconds: number) => {
			for (const listener of poolWaitListeners) listener(seconds);
		};
		const opened = await openDatabase({ onPoolWait });
		await opened.migrate();
		await warnIfMoreThanRuntimeRole(opened.sql);
		const { urls, options } = replicaConfiguration();
		const outageLog = createOutageLog((line) => log.error(line));
		const pool = openResilientPool(opened.url, {
			initial: opened.sql,
			onPoolWait,
			log: (line) => outageLog(line)
		});
		const replicas = new ReplicaSet(urls, () => pool.sql, options);
		replicas.onChecked = (statuses) => {
			for (const listener of replicaListeners) listener(statuses);
		};
		state = { database: opened, pool, replicas };
		// The first check runs in the background: until it finds a replica healthy, reads use the primary.
		void replicas.start();
		return opened;
	})();
	return opening;
}

/**
 * The app should run as the runtime role (README, "Database roles"): as a superuser or the schema's
 * owner, a compromised app could switch triggers off and rewrite what they protect.
 */
async function warnIfMoreThanRuntimeRole(
	sql: Sql,
	warn: (line: string) => void = (line) => log.warn(line)
): Promise<void> {
	const role = await describeConnectionRole(sql);
	if (role.superuser || role.canChangeSchema)
		warn(
			`database: WARNING: the app connects as ${role.user}, ${role.superuser ? 'a superuser' : 'a role that can change the schema'}; ` +
				'give DATABASE_URL a role that is only a member of piaojue_runtime and DATABASE_OWNER_URL the owner (README, "Database roles")'
		);
}

export function db(): Sql {
	return open().pool.sql;
}

const poolWaitListeners: ((seconds: number) => void)[] = [];
const readListeners: ((target: 'replica' | 'primary') => void)[] = [];
const replicaListeners: ((statuses: ReplicaStatus[]) => void)[] = [];

/** Called with how long a transaction waited for a connection of the primary, each time one had to (metrics). */
export function onPoolWait(listener: (seconds: number) => void): void {
	poolWaitListeners.push(listener);
}

/** Called with where each public read ran (metrics). */
export function onPublicRead(listener: (target: 'replica' | 'primary') => void): void {
	readListeners.push(listener);
}

/** Called after every round of replica checks (metrics). */
export function onReplicaCheck(listener: (statuses: ReplicaStatus[]) => void): void {
	replicaListeners.push(listener);
}

/**
 * Runs a read of public data (what anyone may see: candidates, published results, receipts,
 * proposals, selection results, delivery) on a healthy replica, or on the primary when there is
 * none or when `fromPrimary` (the reader has just written, see ./read-routing.ts). Never for
 * writes, nor for what a signed-in user reads about their own actions: those use `db()`.
 */
export function readPublic<T>(work: (sql: Sql) => Promise<T>, options: { fromPrimary?: boolean } = {}): Promise<T> {
	const opened = open();
	const report = (target: 'replica' | 'primary') => {
		for (const listener of readListeners) listener(target);
	};
	if (options.fromPrimary || opened.replicas.size === 0) {
		report('primary');
		return work(opened.pool.sql);
	}
	return opened.replicas.read(work, report);
}

/** Each replica's state and lag at the last check (empty without replicas). */
export function replicaStatuses(): ReplicaStatus[] {
	return state?.replicas.statuses() ?? [];
}

/**
 * Starts a fresh pool for what comes next and lets the old one finish (its queries in flight
 * have 5 s, then it is closed). Called when a request met a database outage; returns whether
 * the pool was replaced (not more than once a second).
 */
export function replaceDatabasePool(
	reason: string,
	logLine: (line: string) => void = (line) => log.warn(line)
): boolean {
	return state?.pool.replace(reason, logLine) ?? false;
}

export async function closeDatabase(): Promise<void> {
	const closing = state;
	state = null;
	opening = null;
	if (!closing) return;
	await Promise.all([closing.pool.end(), closing.replicas.close()]);
	await closing.database.close();
}
