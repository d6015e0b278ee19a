// The migration runner: forward-only, recorded, once, under a lock.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { migrate, readMigrations } from '../../src/lib/server/db/migrate';
import { databaseUrl } from '../helpers/urls';

const name = `${inject('templateDatabase').replace(/_template$/, '')}_migrations_${process.env.VITEST_POOL_ID ?? '0'}`;
let admin: Sql;
let sql: Sql;

beforeAll(async () => {
	admin = createSql(inject('serverUrl'), { max: 1 });
	await admin.unsafe(`create database "${name}"`);
	sql = createSql(databaseUrl(inject('serverUrl'), name), { max: 10 });
});
afterAll(async () => {
	await sql.end();
	await admin.unsafe(`drop database if exists "${name}" with (force)`);
	await admin.end();
});

describe('migrations', () => {
	it('applies every file once even when several instances start at the same moment', async () => {
		const files = await readMigrations();
		const runs = await Promise.all(Array.from({ length: 4 }, () => migrate(sql)));
		expect(runs.flat()).toEqual(files.map((file) => file.name));
		const recorded = await sql<{ name: string }[]>`select name from schema_migration order by version`;
		expect(recorded.map((row) => row.name)).toEqual(files.map((file) => file.name));
		expect(await migrate(sql)).toEqual([]);
	});

	it('refuses to run when an applied migration was edited afterwards', async () => {
		const directory = await mkdtemp(path.join(tmpdir(), 'piaojue-migrations-'));
		for (const file of await readMigrations()) {
			await writeFile(path.join(directory, file.name), file.version === 1 ? `${file.body}\n-- edited` : file.body);
		}
		await expect(migrate(sql, { directory })).rejects.toThrow(/was changed after it was applied/);
	});

	it('rolls back a failing migration as a whole', async () => {
		const directory = await mkdtemp(path.join(tmpdir(), 'piaojue-migrations-'));
		const files = await readMigrations();
		for (const file of files) await writeFile(path.join(directory, file.name), file.body);
		const next = String(files.length + 1).padStart(5, '0');
		await writeFile(
			path.join(directory, `${next}_broken.sql`),
			'create table half_written (id int);\nselect no_such_function();'
		);
		await expect(migrate(sql, { directory })).rejects.toThrow(/broken\.sql failed/);
		const [table] = await sql`select 1 from information_schema.tables where table_name = 'half_written'`;
		expect(table).toBeUndefined();
		const [record] = await sql`select 1 from schema_migration where name = ${`${next}_broken.sql`}`;
		expect(record).toBeUndefined();
	});
});
