// Backup and restore without pg_dump (the embedded package ships none, and the system's pg_dump 15
// refuses a newer server): one consistent snapshot of every table through COPY, in a
// REPEATABLE READ read-only transaction, with the schema version recorded; restore into an empty
// database migrated to the same version, in one transaction.
//
// File format (UTF-8 text): a first line of JSON (the header), then for each table a line
// `@@table <name> <rows>` followed by the table's COPY text and a line `\.`.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Sql, TransactionSql } from './client';

export const BACKUP_FORMAT = 'piaojue-backup/1';

interface BackupHeader {
	format: string;
	createdAt: string;
	migrations: { version: number; name: string; checksum: string }[];
	tables: { name: string; rows: number }[];
}

export type RestoreError =
	| { code: 'not_a_backup' }
	| { code: 'schema_mismatch'; backup: string[]; database: string[] }
	| { code: 'not_empty'; tables: string[] }
	| { code: 'damaged'; detail: string };

/** Application tables in a stable order (schema_migration is recorded in the header instead). */
async function applicationTables(sql: Sql | TransactionSql): Promise<string[]> {
	const rows = await sql<{ name: string }[]>`
		select table_name as name from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migration'
		order by table_name`;
	return rows.map((row) => row.name);
}

/** The primary-key columns of a table, in key order. */
async function primaryKey(sql: Sql | TransactionSql, table: string): Promise<string[]> {
	const rows = await sql<{ column: string }[]>`
		select a.attname as column
		from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
		where i.indrelid = ${table}::regclass and i.indisprimary
		order by array_position(i.indkey, a.attnum)`;
	return rows.map((row) => row.column);
}

async function migrationsOf(sql: Sql | TransactionSql) {
	return sql<
		{ version: number; name: string; checksum: string }[]
	>`select version, name, checksum from schema_migration order by version`;
}

export async function backupDatabase(
	sql: Sql,
	file: string,
	onProgress: (table: string, rows: number) => void = () => {}
): Promise<BackupHeader> {
	const out = createWriteStream(file, { encoding: 'utf8', mode: 0o600 });
	const write = async (text: string) => {
		if (!out.write(text)) await once(out, 'drain');
	};
	const header = (await sql.begin('isolation level repeatable read read only', async (tx) => {
		const tables = await applicationTables(tx);
		const counts: { name: string; rows: number }[] = [];
		for (const name of tables) {
			const [row] = await tx<{ rows: number }[]>`select count(*)::int as rows from ${tx(name)}`;
			counts.push({ name, rows: row?.rows ?? 0 });
		}
		const head: BackupHeader = {
			format: BACKUP_FORMAT,
			createdAt: new Date().toISOString(),
			migrations: [...(await migrationsOf(tx))],
			tables: counts
		};
		await write(`${JSON.stringify(head)}\n`);
		for (const { name, rows } of counts) {
			await write(`@@table ${name} ${rows}\n`);
			// Rows go out ordered by primary key, never in the physical (insertion) order: otherwise the
			// n-th has-voted mark and the n-th ballot of a backup would belong together.
			const key = await primaryKey(tx, name);
			const stream = await (
				key.length
					? tx`copy (select * from ${tx(name)} order by ${tx.unsafe(key.map((column) => `"${column}"`).join(', '))}) to stdout`
					: tx`copy ${tx(name)} to stdout`
			).readable();
			stream.setEncoding('utf8'); // characters split across chunks are joined, not garbled
			for await (const chunk of stream) await write(chunk as string);
			resumeAfterCopy(stream);
			await write('\\.\n');
			onProgress(name, rows);
		}
		return head;
	})) as BackupHeader;
	out.end();
	await once(out, 'finish');
	return header;
}

/**
 * postgres.js 3.4.9 pauses the connection's socket whenever the COPY stream's buffer is full and
 * resumes it only when the stream is read again. When CopyDone arrives in the same chunk as data
 * that filled the buffer (any table past ~30 KB), the stream ends while the socket is still paused:
 * the COPY's completion and every later query on that connection are never read, and the backup
 * hangs (porsager/postgres#499, fixed upstream by PR #1016, not released). The stream's read hook
 * is what resumes the socket: call it once the stream has ended.
 */
function resumeAfterCopy(stream: NodeJS.ReadableStream): void {
	(stream as unknown as { _read?: (size: number) => void })._read?.(0);
}

export async function restoreDatabase(
	sql: Sql,
	file: string,
	onProgress: (table: string, rows: number) => void = () => {}
): Promise<{ ok: true; tables: number; rows: number } | { ok: false; error: RestoreError }> {
	const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })[
		Symbol.asyncIterator
	]();
	const first = await lines.next();
	let header: BackupHeader;
	try {
		header = JSON.parse(first.done ? '' : first.value) as BackupHeader;
		if (header.format !== BACKUP_FORMAT) throw new Error('format');
	} catch {
		return { ok: false, error: { code: 'not_a_backup' } };
	}
	const describe = (list: { version: number; name: string; checksum: string }[]) =>
		list.map((entry) => `${entry.name}@${entry.checksum.slice(0, 12)}`);
	try {
		return await sql.begin(async (tx) => {
			const database = describe([...(await migrationsOf(tx))]);
			const backup = describe(header.migrations);
			if (database.join() !== backup.join())
				return { ok: false as const, error: { code: 'schema_mismatch' as const, backup, database } };
			const tables = await applicationTables(tx);
			const filled: string[] = [];
			for (const name of tables) {
				const [row] = await tx`select 1 from ${tx(name)} limit 1`;
				if (row) filled.push(name);
			}
			if (filled.length) return { ok: false as const, error: { code: 'not_empty' as const, tables: filled } };

			// Like pg_restore --disable-triggers: the rows were valid when written; guards that refuse
			// writes to closed sessions or append-only tables must not refuse their restoration.
			await tx`set local session_replication_role = replica`;
			let total = 0;
			for (const expected of header.tables) {
				const marker = await lines.next();
				const match = marker.done ? null : /^@@table (\w+) (\d+)$/.exec(marker.value);
				if (!match || match[1] !== expected.name || !tables.includes(expected.name)) {
					throw new RestoreDamaged(
						`expected table ${expected.name}, found ${marker.done ? 'the end of the file' : marker.value.slice(0, 40)}`
					);
				}
				const writable = await tx`copy ${tx(expected.name)} from stdin`.writable();
				for (;;) {
					const line = await lines.next();
					if (line.done) {
						// Abort the COPY (CopyFail) so the transaction can roll back.
						const problem = new RestoreDamaged(`the data of ${expected.name} is cut short`);
						writable.on('error', () => {});
						writable.destroy(problem);
						throw problem;
					}
					if (line.value === '\\.') break;
					if (!writable.write(`${line.value}\n`)) await once(writable, 'drain');
				}
				writable.end();
				await once(writable, 'finish');
				const [count] = await tx<{ rows: number }[]>`select count(*)::int as rows from ${tx(expected.name)}`;
				if (count?.rows !== expected.rows)
					throw new RestoreDamaged(`${expected.name} has ${count?.rows} rows, the backup says ${expected.rows}`);
				total += expected.rows;
				onProgress(expected.name, expected.rows);
			}
			// Identity columns continue after the restored ids.
			const identities = await tx<{ table: string; column: string }[]>`
				select table_name as table, column_name as column from information_schema.columns
				where table_schema = 'public' and is_identity = 'YES'`;
			for (const identity of identities) {
				await tx`select setval(pg_get_serial_sequence(${identity.table}, ${identity.column}),
					coalesce((select max(${tx(identity.column)}) from ${tx(identity.table)}), 0) + 1, false)`;
			}
			return { ok: true as const, tables: header.tables.length, rows: total };
		});
	} catch (error) {
		if (error instanceof RestoreDamaged) return { ok: false, error: { code: 'damaged', detail: error.message } };
		throw error;
	}
}

class RestoreDamaged extends Error {}
