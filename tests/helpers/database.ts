// A fresh copy of the migrated template database for one test file.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { databaseUrl } from './urls';

export interface TestDatabase {
	sql: Sql;
	url: string;
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
	const url = databaseUrl(serverUrl, name);
	const sql = createSql(url, { max: options.max ?? 10 });
	return {
		sql,
		url,
		name,
		drop: async () => {
			await sql.end({ timeout: 5 });
			const cleanup = createSql(serverUrl, { max: 1 });
			try {
				await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
			} finally {
				await cleanup.end();
			}
		}
	};
}
