// `roster:import FILE` and `codes:issue SESSION_ID --as STAFF [--delegate USERNAME] [--out FILE]`.
import { m } from '../src/lib/paraglide/messages';
import { errorMessage } from '../src/lib/error-message';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCsv } from '../src/lib/domain/csv';
import { idSchema } from '../src/lib/domain/schemas';
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
		if (!file) throw new UsageError(m.a11y_cli_needs_file({ command: 'roster:import' }));
		const staff = values.as ? await actingUser(database.sql, values.as, 'staff') : null;
		const result = await importRosterFile(database.sql, readFileSync(file), staff?.id ?? null);
		if (!result.ok) {
			console.error(m.a11y_cli_not_imported({ file, count: result.problems.length }));
			for (const problem of result.problems) {
				const where = problem.row > 0 ? m.a11y_cli_row({ row: problem.row }) : m.a11y_cli_file();
				const details = Object.entries(problem.values ?? {})
					.filter(([, value]) => value !== '')
					.map(([key, value]) => `${key}=${value}`);
				console.error(
					`  ${where}${problem.field ? ` (${problem.field})` : ''}: ${problem.message.replace(/^(electorate_roster_|catalog_csv_)/, '').replace(/_/g, ' ')}${details.length ? ` [${details.join(', ')}]` : ''}`
				);
			}
			return 1;
		}
		console.log(
			m.a11y_cli_roster_imported({ created: result.created, updated: result.updated, unchanged: result.unchanged })
		);
		return 0;
	}
};

export const codesIssueCommand: CliCommand = {
	usage: `  codes:issue SESSION_ID --as STAFF [--delegate USERNAME] [--out FILE] [--reason TEXT]
                                            issue one-time access codes to the session's delegates (replacing
                                            earlier ones); writes username,name,code as CSV to FILE (new file,
                                            owner-only) or standard output. It holds secrets, shown only once.
                                            While voting is open --reason is required (audited); staff and
                                            scrutineers get no code`,
	async run(args, database) {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: {
				as: { type: 'string' },
				delegate: { type: 'string' },
				out: { type: 'string' },
				reason: { type: 'string' }
			}
		});
		const sessionId = idSchema.safeParse(positionals[0]);
		if (!sessionId.success) throw new UsageError(m.a11y_cli_needs_session_id({ command: 'codes:issue' }));
		const staff = await actingUser(database.sql, values.as, 'staff');
		if (values.out && existsSync(values.out)) throw new UsageError(m.a11y_cli_out_exists({ file: values.out }));
		let delegateId: number | null = null;
		if (values.delegate) {
			const delegate = await findUserByUsername(database.sql, values.delegate);
			if (!delegate) throw new UsageError(m.a11y_cli_delegate_unknown({ username: values.delegate }));
			delegateId = delegate.id;
		}
		const result = await issueAccessCodes(database.sql, {
			votingSessionId: sessionId.data,
			delegateId,
			actorUserId: staff.id,
			reason: values.reason ?? null
		});
		if (!result.ok) {
			const reasons = {
				not_found: m.a11y_cli_no_session,
				wrong_status: m.a11y_cli_codes_wrong_status,
				not_enrolled: m.a11y_cli_codes_not_enrolled,
				none_to_issue: m.a11y_cli_codes_none,
				privileged: m.trust_code_privileged,
				reason_required: m.trust_reason_required
			};
			console.error(m.a11y_cli_no_codes({ reason: reasons[result.error]() }));
			return 1;
		}
		const csv = formatCsv(
			[
				['username', 'name', 'code'],
				...result.credentials.map((credential) => [credential.username, credential.displayName, credential.code])
			],
			{ bom: true, escapeFormulas: true }
		);
		console.error(m.a11y_cli_codes_warning({ count: result.credentials.length, title: result.votingSessionTitle }));
		if (result.skipped.length > 0)
			console.error(
				m.trust_codes_skipped({
					count: result.skipped.length,
					names: result.skipped.map((delegate) => delegate.username).join(', ')
				})
			);
		if (result.endedSessions > 0) console.error(m.trust_codes_ended_sessions({ count: result.endedSessions }));
		if (values.out) {
			try {
				writeFileSync(values.out, csv, { flag: 'wx', mode: 0o600 });
			} catch (error) {
				// The codes are already issued; the old ones are void. Issue again once the path is fixed.
				console.error(m.a11y_cli_codes_not_written({ file: values.out, reason: errorMessage(error) }));
				return 1;
			}
			console.log(m.a11y_cli_codes_written({ count: result.credentials.length, file: values.out }));
		} else {
			process.stdout.write(csv);
		}
		return 0;
	}
};
