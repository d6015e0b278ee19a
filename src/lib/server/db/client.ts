// The database a process uses: DATABASE_URL's (or the embedded server's) pools, opened by
// `openDatabase`. Pools come from ./driver.ts, which holds the workarounds for the driver's bugs.
import { createSql, type Sql } from './driver';
import { defaultDataRoot, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { migrate } from './migrate';
import { embeddedRuntimeUrl } from './runtime-role';

export { createSql, type Sql, type TransactionSql } from './driver';

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
export async function openDatabase(
	options: { max?: number; log?: (line: string) => void; onPoolWait?: (seconds: number) => void } = {}
): Promise<Database> {
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
	const sql = createSql(url, { max: options.max, onPoolWait: options.onPoolWait });
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
