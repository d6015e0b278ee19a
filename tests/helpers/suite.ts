// The database of a test file (or of the describe block it is called in): a fresh copy of the
// migrated template made before the block's tests and dropped after them, instead of the same
// beforeAll/afterAll pair in every file.
//
//   const database = useTestDatabase({ max: 20 });
//   it('…', async () => { await database.sql`…`; });
//
// Hooks the block registers after this call run after the database exists (beforeAll) and before
// it is dropped (afterAll: vitest runs them in reverse order), so an app started on it in the
// block's own beforeAll is stopped first.
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestDatabaseOptions {
	/** Connections of the runtime role's pool (default 10). */
	max?: number;
	/** Rows every test of the block starts from, written once after the database is made. */
	seed?: (database: TestDatabase) => Promise<void>;
}

/** The block's database; its properties may be read once the block's tests (or later hooks) run. */
export function useTestDatabase(options: TestDatabaseOptions = {}): TestDatabase {
	let database: TestDatabase | null = null;
	beforeAll(async () => {
		database = await createTestDatabase({ max: options.max });
		await options.seed?.(database);
	});
	afterAll(async () => {
		const made = database;
		database = null;
		await made?.drop();
	});
	const current = (): TestDatabase => {
		if (!database) throw new Error('the test database is made in beforeAll: read it inside a test or a hook');
		return database;
	};
	return {
		get sql() {
			return current().sql;
		},
		get url() {
			return current().url;
		},
		get ownerSql() {
			return current().ownerSql;
		},
		get ownerUrl() {
			return current().ownerUrl;
		},
		get name() {
			return current().name;
		},
		drop: () => current().drop()
	};
}
