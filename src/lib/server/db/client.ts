// The postgres.js client. One pool per process, opened by `openDatabase`.
import postgres from 'postgres';
import { defaultDataRoot, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { migrate } from './migrate';
import { embeddedRuntimeUrl } from './runtime-role';

export type Sql = postgres.Sql<{ bigint: number }>;
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>;

/**
 * A postgres.js pool for plain queries, whose `begin` runs each transaction on a connection of a
 * second pool that runs nothing else, at most as many at once as it has connections.
 *
 * Why: postgres.js 3.4.9 pipelines a query onto a busy connection, and `sql.begin` sends its BEGIN
 * like any query. Under load a BEGIN can go out on a connection that is still busy with other
 * queries, or that another transaction has just taken; the connection is then not reserved
 * (UNSAFE_TRANSACTION: the 2 errors of the 5,000-delegate storm) or two transactions, or a
 * transaction and someone else's queries, share one backend (porsager/postgres#823, #1189,
 * #1207). On a pool that runs only transactions, with never more transactions than connections,
 * every BEGIN finds a connection that is idle (or not yet opened): it is never pipelined.
 */
export function createSql(url: string, options: PoolOptions = {}): Sql {
	const max = options.max ?? Number(process.env.DATABASE_POOL_SIZE ?? 10);
	const plain = openPool(url, max, options);
	const transactions = openPool(url, max, options);
	const slots = new Slots(max);
	const begin = ((...args: Parameters<Sql['begin']>) =>
		slots.run(() => (transactions.begin as (...values: unknown[]) => Promise<unknown>)(...args))) as Sql['begin'];
	const endPlain = plain.end;
	const end: Sql['end'] = async (endOptions) => {
		await Promise.all([endPlain(endOptions), transactions.end(endOptions)]);
	};
	return Object.assign(plain, { begin, end });
}

export interface PoolOptions {
	/** Connections (per pool: plain queries and transactions each have this many). */
	max?: number;
	/** Seconds to wait for a connection (default 10; a replica, which has the primary to fall back on, waits less). */
	connectTimeoutSeconds?: number;
	/** What PostgreSQL shows in pg_stat_activity. */
	applicationName?: string;
}

function openPool(url: string, max: number, options: PoolOptions): Sql {
	return postgres(url, {
		max,
		onnotice: () => {},
		// A database that does not answer makes a request fail within seconds (a 503, see outage.ts),
		// not hang for postgres.js's default 30 s. Connections are reopened on the next query by
		// themselves once the database is back: nothing else is needed to reconnect.
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

let poolWaitListener: ((seconds: number) => void) | null = null;

/** Called with how long a transaction waited for a connection, each time one had to (metrics). */
export function observePoolWaits(listener: (seconds: number) => void): void {
	poolWaitListener = listener;
}

/** At most `size` tasks at once; the others wait their turn in order. */
class Slots {
	private running = 0;
	private readonly waiting: (() => void)[] = [];

	constructor(private readonly size: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.running >= this.size) {
			const waitingSince = performance.now();
			await new Promise<void>((resolve) => this.waiting.push(resolve));
			poolWaitListener?.((performance.now() - waitingSince) / 1000);
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

export interface Database {
	/** The runtime role's pool: what the app, the CLI's everyday commands and the tests use. */
	sql: Sql;
	/** The runtime role's URL. */
	url: string;
	/** The owner's URL when this process has it (the embedded server, or DATABASE_OWNER_URL); else null. */
	ownerUrl: string | null;
	/**
	 * Applies pending migrations as the owner. Without an owner URL, DATABASE_URL's own role runs
	 * them: nothing to do when the schema is current, and a clear refusal when it cannot.
	 */
	migrate(options?: { onApply?: (name: string) => void }): Promise<string[]>;
	/** A pool of the owner's for what only the owner may do (backup, restore); the runtime pool when none is known. */
	owner(): Sql;
	/** Closes the pools and, when this process started the embedded server, stops it. */
	close(): Promise<void>;
}

/**
 * DATABASE_URL is the role the app runs as, DATABASE_OWNER_URL (optional) the schema's owner, who
 * runs the migrations. Without DATABASE_URL the embedded server is started or joined: its
 * superuser is the owner, and the runtime login role is made for it (runtime-role.ts).
 */
export async function openDatabase(options: { max?: number; log?: (line: string) => void } = {}): Promise<Database> {
	let embedded: EmbeddedDatabase | null = null;
	let url = process.env.DATABASE_URL;
	let ownerUrl = process.env.DATABASE_OWNER_URL || null;
	if (!url) {
		embedded = await startEmbeddedPostgres(undefined, options.log);
		ownerUrl = embedded.url;
		const owner = createSql(ownerUrl, { max: 1 });
		try {
			url = await embeddedRuntimeUrl(owner, ownerUrl, defaultDataRoot());
		} catch (error) {
			await owner.end({ timeout: 5 });
			await embedded.stop();
			throw error;
		}
		await owner.end({ timeout: 5 });
	}
	const sql = createSql(url, { max: options.max });
	let ownerSql: Sql | null = null;
	const owner = () => {
		if (!ownerUrl) return sql;
		ownerSql ??= createSql(ownerUrl, { max: 2 });
		return ownerSql;
	};
	return {
		sql,
		url,
		ownerUrl,
		owner,
		migrate: async (migrateOptions = {}) => {
			// A pool of its own, closed at once: a process that goes on serving holds no owner's connection.
			if (!ownerUrl) return migrate(sql, migrateOptions);
			const migrating = createSql(ownerUrl, { max: 1 });
			try {
				return await migrate(migrating, migrateOptions);
			} finally {
				await migrating.end({ timeout: 5 });
			}
		},
		close: async () => {
			await Promise.all([sql.end({ timeout: 5 }), ownerSql?.end({ timeout: 5 })]);
			await embedded?.stop();
		}
	};
}
