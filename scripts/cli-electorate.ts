// `roster:import FILE` and `codes:issue SESSION_ID --as STAFF [--delegate USERNAME] [--out FILE]`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCsv } from '../src/lib/domain/csv';
import { idSchema, usernameSchema } from '../src/lib/domain/schemas';
import { issueAccessCodes } from '../src/lib/server/electorate/access-codes';
import { importRosterFile } from '../src/lib/server/electorate/roster';
import { findUserByUsername } from '../src/lib/server/users/users';
import { actingUser, UsageError, type CliCommand } from './cli-support';

export const rosterImportCommand: CliCommand = {
	usage: `  roster:import FILE [--as STAFF]           import the delegate roster from a CSV file (name, delegation,
                                            delegate number, optional phone); all rows or none`,
	async run(args, database) {
		const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } });
		const file = positionals[0];
		if (!file) throw new UsageError('roster:import needs a FILE');
		const staff = values.as ? await actingUser(database.sql, values.as, 'staff') : null;
		const result = await importRosterFile(database.sql, readFileSync(file), staff?.id ?? null);
		if (!result.ok) {
			console.error(`${file} was not imported (nothing was written): ${result.problems.length} problem(s)`);
			for (const problem of result.problems) {
				const where = problem.row > 0 ? `row ${problem.row}` : 'file';
				const details = Object.entries(problem.values ?? {}).filter(([, value]) => value !== '').map(([key, value]) => `${key}=${value}`);
				console.error(`  ${where}${problem.field ? ` (${problem.field})` : ''}: ${problem.message.replace(/^(electorate_roster_|catalog_csv_)/, '').replace(/_/g, ' ')}${details.length ? ` [${details.join(', ')}]` : ''}`);
			}
			return 1;
		}
		console.log(`roster imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged`);
		return 0;
	}
};

export const codesIssueCommand: CliCommand = {
	usage: `  codes:issue SESSION_ID --as STAFF [--delegate USERNAME] [--out FILE]
                                            issue one-time access codes to the session's delegates (replacing
                                            earlier ones); writes username,name,code as CSV to FILE (new file,
                                            owner-only) or standard output. It holds secrets, shown only once`,
	async run(args, database) {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: { as: { type: 'string' }, delegate: { type: 'string' }, out: { type: 'string' } }
		});
		const sessionId = idSchema.safeParse(positionals[0]);
		if (!sessionId.success) throw new UsageError('codes:issue needs a SESSION_ID');
		const staff = await actingUser(database.sql, values.as, 'staff');
		if (values.out && existsSync(values.out)) throw new UsageError(`--out ${values.out} exists: name a new file (it will hold secrets)`);
		let delegateId: number | null = null;
		if (values.delegate) {
			const delegate = await findUserByUsername(database.sql, values.delegate);
			if (!delegate) throw new UsageError(`--delegate ${values.delegate}: no such user`);
			delegateId = delegate.id;
		}
		const result = await issueAccessCodes(database.sql, { votingSessionId: sessionId.data, delegateId, actorUserId: staff.id });
		if (!result.ok) {
			const reasons = {
				not_found: 'no such voting session',
				wrong_status: 'voting has ended: codes are issued only while the session is a draft or open',
				not_enrolled: 'the delegate is not enrolled in this session (or is disabled)',
				none_to_issue: 'no enabled delegate is enrolled in this session'
			};
			console.error(`no codes issued: ${reasons[result.error]}`);
			return 1;
		}
		const csv = formatCsv(
			[['username', 'name', 'code'], ...result.credentials.map((credential) => [credential.username, credential.displayName, credential.code])],
			{ bom: true, escapeFormulas: true }
		);
		console.error(
			`WARNING: the output holds ${result.credentials.length} secret one-time access code(s) for "${result.votingSessionTitle}". ` +
				'They are not stored and cannot be shown again: print or hand them out, then delete the file. Earlier codes of these delegates no longer work.'
		);
		if (values.out) {
			try {
				writeFileSync(values.out, csv, { flag: 'wx', mode: 0o600 });
			} catch (error) {
				// The codes are already issued; the old ones are void. Issue again once the path is fixed.
				console.error(`could not write ${values.out} (${(error as Error).message}); the issued codes are lost: run codes:issue again`);
				return 1;
			}
			console.log(`wrote ${result.credentials.length} access code(s) to ${values.out}`);
		} else {
			process.stdout.write(csv);
		}
		return 0;
	}
};
