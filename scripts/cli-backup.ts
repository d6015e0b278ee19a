// `backup FILE` and `restore FILE` for the configured database (the embedded one included).
import { m } from '../src/lib/paraglide/messages';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backupDatabase, restoreDatabase } from '../src/lib/server/db/backup';
import { UsageError, type CliCommand } from './cli-support';

function fileArgument(args: string[]): string {
	const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
	if (positionals.length !== 1 || !positionals[0]) throw new UsageError(m.a11y_cli_name_one_file());
	return positionals[0];
}

export const backupCommand: CliCommand = {
	usage:
		'  backup FILE                               write a consistent snapshot of every table to FILE (kept private: 0600)',
	async run(args, database) {
		const file = fileArgument(args);
		if (existsSync(file)) {
			console.error(m.a11y_cli_file_exists({ file }));
			return 1;
		}
		const header = await backupDatabase(database.owner(), file, (table, rows) =>
			console.log(m.a11y_cli_table_rows({ table, rows }))
		);
		const rows = header.tables.reduce((sum, table) => sum + table.rows, 0);
		console.log(
			m.a11y_cli_backup_written({
				file,
				tables: header.tables.length,
				rows,
				schema: header.migrations.at(-1)?.name ?? m.a11y_cli_empty()
			})
		);
		return 0;
	}
};

export const restoreCommand: CliCommand = {
	usage:
		'  restore FILE                              load a backup into an empty database migrated to the same version (one transaction)',
	async run(args, database) {
		const file = fileArgument(args);
		if (!existsSync(file)) {
			console.error(m.a11y_cli_file_missing({ file }));
			return 1;
		}
		const result = await restoreDatabase(database.owner(), file, (table, rows) =>
			console.log(m.a11y_cli_table_rows({ table, rows }))
		);
		if (result.ok) {
			console.log(m.a11y_cli_restored({ tables: result.tables, rows: result.rows }));
			return 0;
		}
		const error = result.error;
		const reason =
			error.code === 'not_a_backup'
				? m.a11y_cli_restore_not_backup()
				: error.code === 'schema_mismatch'
					? m.a11y_cli_restore_schema({
							backup: error.backup.at(-1) ?? m.a11y_cli_none(),
							database: error.database.at(-1) ?? m.a11y_cli_none()
						})
					: error.code === 'not_empty'
						? m.a11y_cli_restore_not_empty({ tables: error.tables.slice(0, 5).join(', ') })
						: m.a11y_cli_restore_damaged({ detail: error.detail });
		console.error(m.a11y_cli_restore_refused({ reason }));
		return 1;
	}
};
