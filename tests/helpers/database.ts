// A fresh copy of the migrated template database for one test file. `sql` and `url` connect as
// this run's runtime role, as the app does (no DDL, no superuser, append-only tables read and
// inserted only); `ownerSql` and `ownerUrl` as the server's superuser, who owns the schema — for
// tests that play an operator with superuser access.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { urlWithCredentials } from '../../src/lib/server/db/runtime-role';
import { databaseUrl } from './urls';

export interface TestDatabase {
	/** The app's runtime role. */
	sql: Sql;
	url: string;
	/** The superuser who owns the schema. */
	ownerSql: Sql;
	ownerUrl: string;
	name: string;
	drop(): Promise<void>;
}

export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
	const serverUrl = inject('serverUrl');
	const template = inject('templateDatabase');
	const name = `${template.replace(/_template$/, '')}_w${process.env.VITEST_POOL_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
	const admin = createSql(serverUrl, { max: 1 });
	try {
		for (let attempt = 0; ; attempt += 1) {
			try {
				await admin.unsafe(`create database "${name}" template "${template}"`);
				break;
			} catch (error) {
				// Two files copying the template at the same instant can collide; try again.
				if (attempt >= 20) throw error;
				await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
			}
		}
	} finally {
		await admin.end();
	}
	const ownerUrl = databaseUrl(serverUrl, name);
	const url = urlWithCredentials(ownerUrl, inject('runtimeRole'));
	const sql = createSql(url, { max: options.max ?? 10 });
	let ownerSql: Sql | null = null;
	return {
		sql,
		url,
		get ownerSql() {
			ownerSql ??= createSql(ownerUrl, { max: 2 });
			return ownerSql;
		},
		ownerUrl,
		name,
		drop: async () => {
			await Promise.all([sql.end({ timeout: 5 }), ownerSql?.end({ timeout: 5 })]);
			const cleanup = createSql(serverUrl, { max: 1 });
			try {
				await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
			} finally {
				await cleanup.end();
			}
		}
	};
}
