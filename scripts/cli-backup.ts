// `backup FILE` and `restore FILE` for the configured database (the embedded one included).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backupDatabase, restoreDatabase } from '../src/lib/server/db/backup';
import { UsageError, type CliCommand } from './cli-support';

function fileArgument(args: string[]): string {
	const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
	if (positionals.length !== 1 || !positionals[0]) throw new UsageError('name one FILE');
	return positionals[0];
}

export const backupCommand: CliCommand = {
	usage: '  backup FILE                               write a consistent snapshot of every table to FILE (kept private: 0600)',
	async run(args, database) {
		const file = fileArgument(args);
		if (existsSync(file)) {
			console.error(`${file} exists already; choose a new file name`);
			return 1;
		}
		const header = await backupDatabase(database.sql, file, (table, rows) => console.log(`  ${table}: ${rows} rows`));
		const rows = header.tables.reduce((sum, table) => sum + table.rows, 0);
		console.log(`backup written to ${file}: ${header.tables.length} tables, ${rows} rows, schema ${header.migrations.at(-1)?.name ?? 'empty'}`);
		return 0;
	}
};

export const restoreCommand: CliCommand = {
	usage: '  restore FILE                              load a backup into an empty database migrated to the same version (one transaction)',
	async run(args, database) {
		const file = fileArgument(args);
		if (!existsSync(file)) {
			console.error(`${file} does not exist`);
			return 1;
		}
		const result = await restoreDatabase(database.sql, file, (table, rows) => console.log(`  ${table}: ${rows} rows`));
		if (result.ok) {
			console.log(`restored ${result.tables} tables, ${result.rows} rows; check them with: tally SESSION_ID --verify and audit:verify`);
			return 0;
		}
		const error = result.error;
		const reason =
			error.code === 'not_a_backup'
				? 'the file is not a Piaojue backup'
				: error.code === 'schema_mismatch'
					? `the backup's schema (${error.backup.at(-1) ?? 'none'}) differs from this database's (${error.database.at(-1) ?? 'none'}); migrate to the same version first`
					: error.code === 'not_empty'
						? `the database is not empty (${error.tables.slice(0, 5).join(', ')}…); restore only into an empty, migrated database`
						: `the backup is damaged: ${error.detail}`;
		console.error(`restore refused, nothing was written: ${reason}`);
		return 1;
	}
};
