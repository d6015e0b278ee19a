// The app's database handle: opened once per process by the server's init hook.
//
// `db()` is one stable handle that forwards every use to the current connection pool, so code that
// keeps it (the scheduler, the live listener) follows when the pool is replaced. The pool is
// replaced after a database outage (`replaceDatabasePool`): postgres.js 3.4.9 can leave a pooled
// connection unusable when its socket closed in the middle of a write — it then never sends
// another byte and every query given to it waits for the connect timeout (porsager/postgres#1154,
// #1208) — so connections that lived through an outage are not trusted again. LISTEN runs on a
// pool of its own that is never replaced (it runs no transactions; postgres.js listens again
// by itself after a reconnect).
import { createSql, openDatabase, type Database, type Sql } from './client';
import { guardAgainstDriverWriteAfterClose } from './driver-guard';
import { replicaConfiguration, ReplicaSet, type ReplicaStatus } from './replicas';
import { describeConnectionRole } from './runtime-role';
import { createOutageLog } from './unavailable';
import { log } from '../observability/log';

/** Two replacements are at least this far apart, however many requests meet the outage. */
const REPLACE_INTERVAL_MS = 1000;

interface OpenDatabase {
	database: Database;
	current: Sql;
	listening: Sql | null;
	replacedAt: number;
	/** Old pools still finishing their queries. */
	retired: Set<Promise<unknown>>;
	/** DATABASE_REPLICA_URL's replicas (none when unset). */
	replicas: ReplicaSet;
}

let state: OpenDatabase | null = null;
let opening: Promise<Database> | null = null;

function open(): OpenDatabase {
	if (!state) throw new Error('the database is not open yet');
	return state;
}

/** Forwards calls and properties to the current pool; `listen` to the pool that only listens. */
const handle = new Proxy((() => {}) as unknown as Sql, {
	apply: (_target, _this, args: unknown[]) => (open().current as unknown as (...values: unknown[]) => unknown)(...args),
	get: (_target, property) => {
		const opened = open();
		if (property === 'listen') {
			opened.listening ??= createSql(opened.database.url, { max: 1 });
			return opened.listening.listen;
		}
		return Reflect.get(opened.current, property);
	}
});

export function initDatabase(): Promise<Database> {
	opening ??= (async () => {
		const opened = await openDatabase();
		await opened.migrate();
		await warnIfMoreThanRuntimeRole(opened.sql);
		const { urls, options } = replicaConfiguration();
		const replicas = new ReplicaSet(urls, () => handle, options);
		replicas.onChecked = (statuses) => {
			for (const listener of replicaListeners) listener(statuses);
		};
		state = {
			database: opened,
			current: opened.sql,
			listening: null,
			replacedAt: -Infinity,
			retired: new Set(),
			replicas
		};
		// The first check runs in the background: until it finds a replica healthy, reads use the primary.
		void replicas.start();
		guardAgainstDriverWriteAfterClose(
			() => replaceDatabasePool('a connection closed in the middle of a write'),
			createOutageLog((line) => log.error(line))
		);
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
	open();
	return handle;
}

const readListeners: ((target: 'replica' | 'primary') => void)[] = [];
const replicaListeners: ((statuses: ReplicaStatus[]) => void)[] = [];

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
		return work(handle);
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
	if (!state || Date.now() - state.replacedAt < REPLACE_INTERVAL_MS) return false;
	const old = state.current;
	state.current = createSql(state.database.url);
	state.replacedAt = Date.now();
	const retired = state.retired;
	const ending: Promise<unknown> = old
		.end({ timeout: 5 })
		.catch(() => {})
		.finally(() => retired.delete(ending));
	retired.add(ending);
	logLine(`database: new connection pool (${reason})`);
	return true;
}

export async function closeDatabase(): Promise<void> {
	const closing = state;
	state = null;
	opening = null;
	if (!closing) return;
	await Promise.all([
		closing.current.end({ timeout: 5 }),
		closing.listening?.end({ timeout: 5 }),
		closing.replicas.close(),
		...closing.retired
	]);
	await closing.database.close();
}
