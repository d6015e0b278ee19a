// Forward-only SQL migrations: numbered files in migrations/, each applied once in its
// own transaction, recorded with a checksum, under an advisory lock so that instances
// starting at the same moment cannot race.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './client';
import { errorCode, errorMessage } from '../../error-message';

const MIGRATION_LOCK_KEY = 72_020_221; // any constant; shared by every instance
const FILE_PATTERN = /^(\d{5})_[a-z0-9_]+\.sql$/;

export interface MigrationFile {
	version: number;
	name: string;
	checksum: string;
	body: string;
}

export function defaultMigrationsDir(): string {
	return path.resolve(process.env.PIAOJUE_MIGRATIONS_DIR ?? 'migrations');
}

export async function readMigrations(directory = defaultMigrationsDir()): Promise<MigrationFile[]> {
	const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
	const files: MigrationFile[] = [];
	for (const name of names) {
		const match = FILE_PATTERN.exec(name);
		if (!match) throw new Error(`migration file name ${name} does not look like 00001_name.sql`);
		const body = await readFile(path.join(directory, name), 'utf8');
		files.push({
			version: Number(match[1]),
			name,
			checksum: createHash('sha256').update(body).digest('hex'),
			body
		});
	}
	files.forEach((file, index) => {
		if (file.version !== index + 1)
			throw new Error(`migration ${file.name} is out of sequence (expected ${index + 1})`);
	});
	return files;
}

/** Applies what is missing; returns the names applied now. */
export async function migrate(
	sql: Sql,
	options: { directory?: string; onApply?: (name: string) => void } = {}
): Promise<string[]> {
	const files = await readMigrations(options.directory);
	const connection = await sql.reserve();
	const applied: string[] = [];
	try {
		await connection`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
		// Created only when missing: a role without DDL (the app's runtime role) finds it and goes on.
		const [existing] = await connection<
			{ found: boolean }[]
		>`select to_regclass('schema_migration') is not null as found`;
		if (!existing?.found)
			await connection`
				create table if not exists schema_migration (
					version integer primary key,
					name text not null,
					checksum text not null,
					applied_at timestamptz not null default now()
				)`;
		const done = await connection<{ version: number; name: string; checksum: string }[]>`
			select version, name, checksum from schema_migration order by version`;
		for (const record of done) {
			const file = files.find((candidate) => candidate.version === record.version);
			if (!file) throw new Error(`the database has migration ${record.name}, which this code does not know`);
			if (file.checksum !== record.checksum) {
				throw new Error(`migration ${record.name} was changed after it was applied; add a new migration instead`);
			}
		}
		for (const file of files.filter((candidate) => !done.some((record) => record.version === candidate.version))) {
			await connection.unsafe('begin');
			try {
				await connection.unsafe(file.body);
				await connection`insert into schema_migration (version, name, checksum) values (${file.version}, ${file.name}, ${file.checksum})`;
				await connection.unsafe('commit');
			} catch (error) {
				await connection.unsafe('rollback');
				// 42501: the role lacks the privilege (the app's runtime role may not change the schema).
				const hint =
					errorCode(error) === '42501'
						? ' (migrations run as the schema owner: set DATABASE_OWNER_URL, or run `npm run cli -- migrate` with it; see README, "Database roles")'
						: '';
				throw new Error(`migration ${file.name} failed: ${errorMessage(error)}${hint}`, { cause: error });
			}
			applied.push(file.name);
			options.onApply?.(file.name);
		}
	} finally {
		await connection`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
		connection.release();
	}
	return applied;
}
