// The postgres.js client. One pool per process, opened by `openDatabase`.
import postgres from 'postgres';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';

export type Sql = postgres.Sql<{ bigint: number }>;
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>;

export function createSql(url: string, options: { max?: number } = {}): Sql {
	return postgres(url, {
		max: options.max ?? Number(process.env.DATABASE_POOL_SIZE ?? 10),
		onnotice: () => {},
		// A database that does not answer makes a request fail within seconds (a 503, see outage.ts),
		// not hang for postgres.js's default 30 s. Connections are reopened on the next query by
		// themselves once the database is back: nothing else is needed to reconnect.
		connect_timeout: 10,
		// bigint ids fit in a JS number for this application's tables.
		types: {
			bigint: {
				to: 20,
				from: [20],
				serialize: (value: number) => String(value),
				parse: (value: string) => Number(value)
			}
		},
		connection: { application_name: 'piaojue' }
	}) as unknown as Sql;
}

export interface Database {
	sql: Sql;
	url: string;
	/** Closes the pool and, when this process started the embedded server, stops it. */
	close(): Promise<void>;
}

/** Uses DATABASE_URL when set; otherwise starts or joins the embedded server. */
export async function openDatabase(options: { max?: number; log?: (line: string) => void } = {}): Promise<Database> {
	let embedded: EmbeddedDatabase | null = null;
	let url = process.env.DATABASE_URL;
	if (!url) {
		embedded = await startEmbeddedPostgres(undefined, options.log);
		url = embedded.url;
	}
	const sql = createSql(url, { max: options.max });
	return {
		sql,
		url,
		close: async () => {
			await sql.end({ timeout: 5 });
			await embedded?.stop();
		}
	};
}
