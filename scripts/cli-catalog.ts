// `catalog:import FILE [--as STAFF]`: categories and candidates from a CSV file, all rows or none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { usernameSchema } from '../src/lib/domain/schemas';
import { m } from '../src/lib/paraglide/messages';
import { errorMessage } from '../src/lib/error-message';
import { importCatalog } from '../src/lib/server/catalog/csv-import';
import { findUserByUsername } from '../src/lib/server/users/users';
import { UsageError, type CliCommand } from './cli-support';

type MessageFunction = (inputs: Record<string, unknown>) => string;

/** A catalog message in the CLI's language (scripts/cli-i18n.ts), like the rest of its output. */
function localized(key: string, inputs: Record<string, unknown> = {}): string {
	const message = (m as unknown as Record<string, MessageFunction | undefined>)[key];
	return message ? message(inputs) : key;
}

export const catalogImportCommand: CliCommand = {
	usage: `  catalog:import FILE [--as STAFF]          import categories and candidates from a CSV file (UTF-8; columns
                                            category, title, summary, targets, lead_department, budget_yuan,
                                            expected_completion, or their Chinese names); all rows or none`,
	async run(args, database) {
		const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } });
		const file = positionals[0];
		if (!file) throw new UsageError('catalog:import needs a FILE');
		let actorUserId: number | null = null;
		if (values.as) {
			const username = usernameSchema.safeParse(values.as);
			const user = username.success ? await findUserByUsername(database.sql, username.data) : null;
			if (!user || user.disabled) throw new UsageError(m.a11y_cli_as_unknown({ username: values.as }));
			if (!user.roles.includes('staff'))
				throw new UsageError(m.a11y_cli_as_wrong_role({ username: values.as, role: 'staff' }));
			actorUserId = user.id;
		}
		let bytes: Buffer;
		try {
			bytes = readFileSync(file);
		} catch (error) {
			console.error(`cannot read ${file}: ${errorMessage(error)}`);
			return 1;
		}
		const result = await importCatalog(database.sql, bytes, { actorUserId, source: path.basename(file) });
		if (!result.ok) {
			console.error(`${file} was not imported (nothing was written): ${result.problems.length} problem(s)`);
			for (const problem of result.problems) {
				const where = problem.row === null ? 'file' : `row ${problem.row}`;
				console.error(
					`  ${where}${problem.column ? ` (${problem.column})` : ''}: ${localized(problem.message, problem.inputs)}`
				);
			}
			return 1;
		}
		const counts = result.counts;
		console.log(
			`catalog imported: ${counts.rows} rows; ${counts.categoriesCreated} categories created; ` +
				`candidates ${counts.candidatesCreated} created, ${counts.candidatesUpdated} updated, ${counts.candidatesUnchanged} unchanged`
		);
		return 0;
	}
};
