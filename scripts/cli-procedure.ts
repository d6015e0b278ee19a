// The meeting's procedure from the CLI (issue 13, part 2):
//   session:adopt-rules SESSION_ID --by 主席团|大会全体会议 --on DATE --as STAFF [--text-file FILE]
//   session:review SESSION_ID --meeting TEXT --on DATE --document TEXT --as STAFF
//   session:scrutineers SESSION_ID --chief USERNAME --members USERNAME,USERNAME[,…] [--counters USERNAME,…]
//                       [--approved-by 主席团|大会全体会议] [--approved-on DATE] --as STAFF
//   session:followup SESSION_ID --as STAFF   (prints the further vote's id)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import {
	adoptionFormSchema,
	reviewFormSchema,
	rulesTextFormSchema,
	scrutineersFormSchema
} from '../src/lib/domain/procedure-schemas';
import { idSchema, usernameSchema } from '../src/lib/domain/schemas';
import { messageByKey } from '../src/lib/i18n';
import { m } from '../src/lib/paraglide/messages';
import type { Database } from '../src/lib/server/db/client';
import { namingErrorMessage } from '../src/lib/server/voting/procedure-messages';
import {
	adoptRules,
	nameScrutineers,
	recordReview,
	type ProcedureError,
	type ProcedureResult
} from '../src/lib/server/voting/procedure';
import { findUserByUsername } from '../src/lib/server/users/users';
import { createFollowUp, type FollowUpError } from '../src/lib/server/voting/follow-up';
import { actingUser, UsageError, type CliCommand } from './cli-support';

/** The user named by --as, whoever they are (the step decides what they may do). */
export async function activeUser(sql: Database['sql'], username: string | undefined) {
	if (!username) throw new UsageError(m.procedure_cli_needs_as());
	const parsed = usernameSchema.safeParse(username);
	const user = parsed.success ? await findUserByUsername(sql, parsed.data) : null;
	if (!user || user.disabled) throw new UsageError(m.a11y_cli_as_unknown({ username }));
	return user;
}

function sessionIdOf(positionals: string[], command: string): number {
	const id = idSchema.safeParse(positionals[0]);
	if (!id.success) throw new UsageError(m.a11y_cli_needs_session_id({ command }));
	return id.data;
}

function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
	const result = schema.safeParse(input);
	if (!result.success)
		throw new UsageError(
			result.error.issues.map((issue) => `${issue.path.join('.')}: ${messageByKey(issue.message)}`).join('; ')
		);
	return result.data;
}

const procedureErrorMessages: Record<ProcedureError, () => string> = {
	not_found: m.a11y_cli_no_session,
	not_draft: m.procedure_error_not_draft,
	not_a_vote: m.procedure_cli_not_a_vote,
	rules_adopted: m.procedure_error_rules_adopted,
	rules_not_adopted: m.procedure_error_rules_not_adopted,
	review_not_recorded: m.procedure_error_review_not_recorded,
	review_recorded: m.procedure_error_review_recorded
};

function report(result: ProcedureResult, done: string): number {
	if (!result.ok) {
		console.error(procedureErrorMessages[result.error]());
		return 1;
	}
	console.log(done);
	return 0;
}

/** Today in Beijing, YYYY-MM-DD. */
function beijingToday(): string {
	return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

export const adoptRulesCommand: CliCommand = {
	usage: `  session:adopt-rules SESSION_ID --by 主席团|大会全体会议 --on DATE --as STAFF [--text-file FILE]
                                            record the adoption of the session's 票决办法 (the app's draft, the
                                            text staff edited, or the text in FILE); the text is then frozen`,
	async run(args, database) {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: {
				by: { type: 'string' },
				on: { type: 'string' },
				as: { type: 'string' },
				'text-file': { type: 'string' }
			}
		});
		const sessionId = sessionIdOf(positionals, 'session:adopt-rules');
		const staff = await actingUser(database.sql, values.as, 'staff');
		const adoption = parsed(adoptionFormSchema, { by: values.by, on: values.on });
		const text = values['text-file']
			? parsed(rulesTextFormSchema, { text: readFileSync(values['text-file'], 'utf8') }).text
			: undefined;
		const result = await adoptRules(database.sql, sessionId, { ...adoption, text }, staff.id);
		return report(result, m.procedure_cli_rules_adopted({ id: sessionId, on: adoption.on }));
	}
};

export const reviewCommand: CliCommand = {
	usage: `  session:review SESSION_ID --meeting TEXT --on DATE --document TEXT --as STAFF
                                            record the standing committee's review of the candidate list`,
	async run(args, database) {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: {
				meeting: { type: 'string' },
				on: { type: 'string' },
				document: { type: 'string' },
				as: { type: 'string' }
			}
		});
		const sessionId = sessionIdOf(positionals, 'session:review');
		const staff = await actingUser(database.sql, values.as, 'staff');
		const review = parsed(reviewFormSchema, { meeting: values.meeting, on: values.on, document: values.document });
		const result = await recordReview(database.sql, sessionId, review, staff.id);
		return report(result, m.procedure_cli_review_recorded({ id: sessionId }));
	}
};

export const scrutineersCommand: CliCommand = {
	usage: `  session:scrutineers SESSION_ID --chief USERNAME --members USERNAME,USERNAME[,...] [--counters STAFF,...]
                     [--approved-by 主席团|大会全体会议] [--approved-on DATE] --as STAFF
                                            name the session's 总监票人, 监票人 (delegates of its electorate) and
                                            计票人 (staff), approved by the plenary today unless said otherwise`,
	async run(args, database) {
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: {
				chief: { type: 'string' },
				members: { type: 'string' },
				counters: { type: 'string', default: '' },
				'approved-by': { type: 'string', default: '大会全体会议' },
				'approved-on': { type: 'string' },
				as: { type: 'string' }
			}
		});
		const sessionId = sessionIdOf(positionals, 'session:scrutineers');
		const staff = await actingUser(database.sql, values.as, 'staff');
		const naming = parsed(scrutineersFormSchema, {
			chief: values.chief ?? '',
			members: values.members ?? '',
			counters: values.counters ?? '',
			approvedBy: values['approved-by'],
			approvedOn: values['approved-on'] ?? beijingToday()
		});
		const result = await nameScrutineers(database.sql, sessionId, naming, staff.id);
		if (!result.ok) {
			console.error(namingErrorMessage(result.error));
			return 1;
		}
		console.log(
			m.procedure_cli_scrutineers_named({ id: sessionId, chief: naming.chief, members: naming.members.join(', ') })
		);
		return 0;
	}
};

const followUpErrors: Record<FollowUpError, () => string> = {
	not_found: m.a11y_cli_no_session,
	not_counted: m.procedure_follow_up_error_not_counted,
	nothing_to_settle: m.procedure_follow_up_error_nothing,
	already_made: m.procedure_follow_up_error_made,
	not_a_vote: m.procedure_cli_not_a_vote
};

export const followUpCommand: CliCommand = {
	usage: `  session:followup SESSION_ID --as STAFF   make the further vote of a counted session whose tally ties at the
                                            cut-off or falls short (a draft linked to it); prints its id`,
	async run(args, database) {
		const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } });
		const sessionId = sessionIdOf(positionals, 'session:followup');
		const staff = await actingUser(database.sql, values.as, 'staff');
		const result = await createFollowUp(database.sql, sessionId, staff.id);
		if (!result.ok) {
			console.error(followUpErrors[result.error]());
			return 1;
		}
		console.log(
			m.procedure_cli_follow_up_created({
				id: result.id,
				first: sessionId,
				kind: result.kind,
				candidates: result.candidates,
				seats: result.seats
			})
		);
		return 0;
	}
};
