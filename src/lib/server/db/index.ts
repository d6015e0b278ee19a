// The app's database handle: opened once per process by the server's init hook.
import { openDatabase, type Database, type Sql } from './client';
import { migrate } from './migrate';

let database: Database | null = null;
let opening: Promise<Database> | null = null;

export function initDatabase(): Promise<Database> {
	opening ??= (async () => {
		const opened = await openDatabase();
		await migrate(opened.sql);
		database = opened;
		return opened;
	})();
	return opening;
}

export function db(): Sql {
	if (!database) throw new Error('the database is not open yet');
	return database.sql;
}

export async function closeDatabase(): Promise<void> {
	const closing = database;
	database = null;
	opening = null;
	await closing?.close();
}
