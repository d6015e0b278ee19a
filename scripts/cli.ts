// The operator CLI: `npm run cli -- <command>`. Works whether or not the server is running:
// with DATABASE_URL unset it joins the embedded server that `npm start` started, or starts it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { nextAction, type LifecycleAction } from '../src/lib/domain/lifecycle';
import { idSchema, passwordSchema, roleSchema, usernameSchema } from '../src/lib/domain/schemas';
import { BALLOT_METHODS, THRESHOLD_BASES } from '../src/lib/domain/types';
import { openDatabase, type Database } from '../src/lib/server/db/client';
import { generatePassword, hashPassword } from '../src/lib/server/auth/password';
import { invalidateSession, invalidateUserSessions } from '../src/lib/server/auth/session';
import { signIn } from '../src/lib/server/auth/login';
import { waitText } from '../src/lib/server/auth/wait-text';
import { completeSecondStep } from '../src/lib/server/auth/two-factor';
import { departmentAccountSchema } from '../src/lib/domain/delivery';
import { createDepartmentAccount } from '../src/lib/server/delivery/departments';
import { formatDemoCredentials, isDatabaseEmpty, seedDemo } from '../src/lib/server/seed/demo';
import { createUser, findUserByUsername, userIdsByUsername, UsernameTakenError } from '../src/lib/server/users/users';
import {
	applyLifecycle,
	confirmTally,
	createVotingSession,
	enrollDelegates,
	getVotingSession
} from '../src/lib/server/voting/sessions';
import { extraCommands } from './cli-extra';
import { verifyTally } from '../src/lib/server/voting/results';
import { isEvaluationTally } from '../src/lib/domain/tally';
import { buildSessionExport, resultCsv } from '../src/lib/server/voting/export';
import { lifecycleRefusal } from '../src/lib/server/voting/lifecycle-messages';

import { actingUser, UsageError } from './cli-support';
import { activeUser } from './cli-procedure';
import { getProcedure } from '../src/lib/server/voting/procedure';
import { announcementNumberSchema, procedureSettingsFormSchema } from '../src/lib/domain/procedure-schemas';
import { DEFAULT_MIN_CANDIDATE_RATIO } from '../src/lib/domain/procedure';
import { cliLanguage, inDocumentLanguage, useCliLanguage } from './cli-i18n';
import { messageByKey } from '../src/lib/i18n';
import { m } from '../src/lib/paraglide/messages';
import { errorCode, errorMessage } from '../src/lib/error-message';
import { databaseStartReport } from '../src/lib/server/db/embedded-start';

const usage = () => `${m.a11y_cli_usage_title()}

  migrate                                   apply pending migrations
  seed --demo                               load the demo data into an empty database
  user:create --username U --role R [--role R2] [--display-name NAME] [--password-stdin]
                                            create a user (prints a generated password unless --password-stdin)
  department:create --username U --department NAME [--display-name NAME]
                                            create a department account (role department) for the projects NAME leads; prints its password
  user:password USERNAME [--password-stdin] set a new password (generated unless --password-stdin); signs the user out
  session:create --title T --year Y --seats N [--method approval|for_against_abstain]
                 [--threshold-base enrolled|present|cast] [--candidates all|ID,ID,...]
                 [--meeting NAME] [--min-ratio R] [--not-required rules,review,scrutineers]
                                            create a draft voting session (all: the year's candidates); its
                                            electorate is every active delegate on the roster; opening needs the
                                            票决办法 adopted, the review recorded and scrutineers named unless
                                            --not-required
  electorate:add SESSION_ID USERNAME...     enrol delegates in a draft session
  session:open|close SESSION_ID [--as USERNAME] [--ratio-reason TEXT]
                                            open voting (below the minimum 差额 ratio only with a reason), or
                                            close it and count the ballots
  session:confirm SESSION_ID --as SCRUTINEER --password-stdin
                                            a scrutineer of the session (its 总监票人 or a 监票人) confirms the
                                            stored tally, proving themself with their password (and a current
                                            code on a second line); confirmed once the 总监票人 and a majority have
  session:publish SESSION_ID --as STAFF [--number N]
                                            publish a confirmed tally (not by a confirmer) as 公告第N号
  tally SESSION_ID [--verify]               recount the raw ballots; --verify compares with the stored tally
  export SESSION_ID --format csv|json       print the result (after closing) to standard output

${Object.values(extraCommands)
	.map((extra) => extra.usage)
	.join('\n')}

${m.a11y_cli_usage_roles()}`;

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
	const parsed = schema.safeParse(value);
	if (!parsed.success)
		throw new UsageError(
			m.a11y_cli_invalid({ what, problems: parsed.error.issues.map((issue) => messageByKey(issue.message)).join('; ') })
		);
	return parsed.data;
}

function readStdin(): string {
	return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

function sessionIdFrom(positionals: string[]): number {
	if (!positionals[0]) throw new UsageError(m.a11y_cli_session_id_needed());
	return parse(idSchema, positionals[0], 'SESSION_ID');
}

const confirmMessages: Record<string, () => string> = {
	not_found: m.a11y_cli_no_session,
	wrong_status: m.a11y_cli_confirm_wrong_status,
	already_confirmed: m.a11y_cli_confirm_already,
	not_scrutineer: m.procedure_cli_not_scrutineer,
	sign_in_again: m.trust_sign_in_again,
	tally_mismatch: m.trust_error_tally_mismatch
};

const lifecycleMessages: Record<string, () => string> = {
	not_found: m.a11y_cli_no_session,
	wrong_status: m.a11y_cli_lifecycle_wrong_status,
	no_candidates: m.a11y_cli_lifecycle_no_candidates,
	no_electorate: m.a11y_cli_lifecycle_no_electorate,
	seats_not_below_candidates: m.a11y_cli_lifecycle_seats_not_below,
	not_confirmed: m.a11y_cli_lifecycle_not_confirmed,
	publisher_confirmed: m.a11y_cli_lifecycle_publisher_confirmed,
	publisher_not_staff: m.a11y_cli_lifecycle_publisher_not_staff,
	vote_void: m.attendance_error_vote_void,
	tally_mismatch: m.trust_error_tally_mismatch,
	paper_batch_pending: m.trust_error_paper_pending,
	rules_not_adopted: m.procedure_error_open_rules,
	review_not_recorded: m.procedure_error_open_review,
	scrutineers_not_named: m.procedure_error_open_scrutineers,
	scrutineer_not_enrolled: m.procedure_error_open_scrutineer_not_enrolled,
	ratio_needs_confirmation: m.procedure_cli_ratio_needs_reason,
	announcement_number_taken: m.procedure_error_announcement_number_taken
};

/** A sign-in of the scrutineer's own for one confirmation (ended right after it). */
async function signInAsScrutineer(
	sql: Database['sql'],
	username: string,
	password: string,
	code: string
): Promise<{ ok: true; sessionId: string } | { ok: false; reason: string }> {
	const first = await signIn(sql, { username, password, address: 'cli' });
	if (first.ok) return { ok: true, sessionId: first.token.split('.')[0]! };
	if (first.reason === 'rate_limited')
		return { ok: false, reason: m.security_login_rate_limited({ wait: waitText(first.retryAfterSeconds) }) };
	if (first.reason === 'invalid') return { ok: false, reason: m.error_login_failed() };
	const second = await completeSecondStep(sql, { pendingToken: first.pendingToken, code });
	if (second.ok) return { ok: true, sessionId: second.token.split('.')[0]! };
	return {
		ok: false,
		reason:
			second.error === 'rate_limited'
				? m.security_second_step_rate_limited({ wait: waitText(second.retryAfterSeconds) })
				: m.security_code_wrong()
	};
}

async function run(command: string, args: string[], database: Database): Promise<number> {
	const sql = database.sql;
	switch (command) {
		case 'migrate': {
			const applied = await database.migrate({
				onApply: (name) => console.log(m.a11y_cli_migration_applied({ name }))
			});
			console.log(applied.length ? m.a11y_cli_migrations_applied({ count: applied.length }) : m.a11y_cli_up_to_date());
			return 0;
		}
		case 'seed': {
			const { values } = parseArgs({ args, options: { demo: { type: 'boolean' } } });
			if (!values.demo) throw new UsageError(m.a11y_cli_seed_needs_demo());
			await database.migrate();
			if (!(await isDatabaseEmpty(sql))) {
				console.error(m.a11y_cli_seed_not_empty());
				return 1;
			}
			const credentials = await seedDemo(sql, {
				adminPassword: process.env.ADMIN_PASSWORD,
				onProgress: (step) => console.log(`… ${step}`)
			});
			console.log(formatDemoCredentials(credentials, process.env.ORIGIN ?? 'http://localhost:3000'));
			return 0;
		}
		case 'user:create': {
			const { values } = parseArgs({
				args,
				options: {
					username: { type: 'string' },
					role: { type: 'string', multiple: true },
					'display-name': { type: 'string' },
					'password-stdin': { type: 'boolean' }
				}
			});
			const username = parse(usernameSchema, values.username, '--username');
			const roles = parse(z.array(roleSchema).min(1, { error: 'at least one --role' }), values.role ?? [], '--role');
			const password = values['password-stdin']
				? parse(passwordSchema, readStdin(), 'the password')
				: generatePassword();
			try {
				await createUser(sql, { username, displayName: values['display-name'], password, roles });
			} catch (error) {
				if (error instanceof UsernameTakenError) {
					console.error(m.a11y_cli_username_taken({ username }));
					return 1;
				}
				throw error;
			}
			console.log(m.a11y_cli_user_created({ username, roles: roles.join(', ') }));
			if (!values['password-stdin']) console.log(m.a11y_cli_password_once({ password }));
			return 0;
		}
		case 'department:create': {
			const { values } = parseArgs({
				args,
				options: { username: { type: 'string' }, department: { type: 'string' }, 'display-name': { type: 'string' } }
			});
			const input = parse(
				departmentAccountSchema,
				{ username: values.username, departmentName: values.department, displayName: values['display-name'] ?? '' },
				'the department account'
			);
			const created = await createDepartmentAccount(sql, input, null);
			if (!created.ok) {
				console.error(m.a11y_cli_username_taken({ username: input.username }));
				return 1;
			}
			console.log(`created ${input.username} (department: ${input.departmentName})`);
			console.log(m.a11y_cli_password_once({ password: created.password }));
			return 0;
		}
		case 'user:password': {
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { 'password-stdin': { type: 'boolean' } }
			});
			const username = parse(usernameSchema, positionals[0], 'USERNAME');
			const user = await findUserByUsername(sql, username);
			if (!user) {
				console.error(m.a11y_cli_no_user({ username }));
				return 1;
			}
			const password = values['password-stdin']
				? parse(passwordSchema, readStdin(), 'the password')
				: generatePassword();
			await sql`update app_user set password_hash = ${await hashPassword(password)} where id = ${user.id}`;
			await invalidateUserSessions(sql, user.id);
			console.log(m.a11y_cli_password_set({ username: user.username }));
			if (!values['password-stdin']) console.log(m.a11y_cli_password_once({ password }));
			return 0;
		}
		case 'session:create': {
			const { values } = parseArgs({
				args,
				options: {
					title: { type: 'string' },
					year: { type: 'string' },
					seats: { type: 'string' },
					method: { type: 'string', default: 'approval' },
					'threshold-base': { type: 'string', default: 'enrolled' },
					candidates: { type: 'string', default: 'all' },
					meeting: { type: 'string', default: '' },
					'min-ratio': { type: 'string', default: String(DEFAULT_MIN_CANDIDATE_RATIO) },
					'not-required': { type: 'string', default: '' }
				}
			});
			const title = parse(z.string().trim().min(1).max(200), values.title, '--title');
			const year = parse(z.coerce.number().int().min(2000).max(2100), values.year, '--year');
			const seats = parse(z.coerce.number().int().min(1), values.seats, '--seats');
			const ballotMethod = parse(z.enum(BALLOT_METHODS), values.method, '--method');
			const thresholdBase = parse(z.enum(THRESHOLD_BASES), values['threshold-base'], '--threshold-base');
			// "all": the candidate list of the session's year (each year has its own list).
			const candidateIds =
				values.candidates === 'all'
					? (
							await sql<{ id: number }[]>`
								select c.id from candidate c join category g on g.id = c.category_id
								where c.year = ${year} order by g.position, c.position, c.id`
						).map((row) => row.id)
					: parse(z.array(idSchema).min(1), (values.candidates ?? '').split(','), '--candidates');
			if (candidateIds.length === 0) {
				console.error(m.attendance_cli_no_candidates({ year }));
				return 1;
			}
			const notRequired = parse(
				z.array(z.enum(['rules', 'review', 'scrutineers'])),
				(values['not-required'] ?? '').split(',').filter(Boolean),
				'--not-required'
			);
			const procedure = parse(
				procedureSettingsFormSchema,
				{
					meetingName: values.meeting,
					requireAdoptedRules: !notRequired.includes('rules'),
					requireReview: !notRequired.includes('review'),
					requireNamedScrutineers: !notRequired.includes('scrutineers'),
					minCandidateRatio: values['min-ratio']
				},
				'--meeting/--min-ratio'
			);
			const id = await createVotingSession(
				sql,
				{ title, year, rules: { ballotMethod, seats, thresholdBase }, candidateIds, procedure },
				null
			);
			console.log(m.a11y_cli_session_created({ id, count: candidateIds.length }));
			return 0;
		}
		case 'electorate:add': {
			const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
			const votingSessionId = sessionIdFrom(positionals);
			const usernames = positionals.slice(1).map((name) => parse(usernameSchema, name, `username ${name}`));
			if (usernames.length === 0) throw new UsageError('name at least one USERNAME');
			const ids = await userIdsByUsername(sql, usernames);
			const unknown = usernames.filter((name) => !ids.has(name.toLowerCase()));
			if (unknown.length) {
				console.error(`unknown users: ${unknown.join(', ')}; nothing was added`);
				return 1;
			}
			const [notDelegates] = await sql<{ names: string[] | null }[]>`
				select array_agg(u.username) as names from app_user u
				where u.id = any(${[...ids.values()]}) and not exists (select 1 from user_role r where r.user_id = u.id and r.role = 'delegate')`;
			if (notDelegates?.names?.length) {
				console.error(`not delegates: ${notDelegates.names.join(', ')}; nothing was added`);
				return 1;
			}
			const votingSession = await getVotingSession(sql, votingSessionId);
			if (!votingSession) {
				console.error('no such voting session');
				return 1;
			}
			if (votingSession.status !== 'draft') {
				console.error(`the session is ${votingSession.status}: its electorate is frozen`);
				return 1;
			}
			const added = await sql.begin((tx) => enrollDelegates(tx, votingSessionId, [...ids.values()], null));
			console.log(`enrolled ${added} delegate(s); ${usernames.length - (added as number)} already enrolled`);
			return 0;
		}
		case 'session:confirm': {
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { as: { type: 'string' }, 'password-stdin': { type: 'boolean' } }
			});
			const votingSessionId = sessionIdFrom(positionals);
			// Whoever the session's scrutineers are (named delegates or holders of the role): the confirmation decides.
			const scrutineer = await activeUser(sql, values.as);
			// The scrutineer proves themself as on the web: their password (first line of standard
			// input) and, where they have an authenticator, a current code (second line).
			if (!values['password-stdin']) throw new UsageError(m.trust_cli_confirm_needs_password());
			const [password = '', code = ''] = readStdin().split(/\r?\n/);
			const signedIn = await signInAsScrutineer(sql, scrutineer.username, password, code);
			if (!signedIn.ok) {
				console.error(m.a11y_cli_confirm_failed({ id: votingSessionId, reason: signedIn.reason }));
				return 1;
			}
			let result: Awaited<ReturnType<typeof confirmTally>>;
			try {
				result = await confirmTally(sql, votingSessionId, scrutineer.id, signedIn.sessionId);
			} finally {
				await invalidateSession(sql, signedIn.sessionId);
			}
			if (!result.ok) {
				console.error(
					m.a11y_cli_confirm_failed({ id: votingSessionId, reason: confirmMessages[result.error]?.() ?? result.error })
				);
				return 1;
			}
			const progress = (await getProcedure(sql, votingSessionId))?.confirmation;
			if (progress?.hasPanel)
				console.log(
					m.procedure_cli_confirmation_progress({
						chief: progress.chiefConfirmed ? m.procedure_cli_confirmed() : m.procedure_cli_not_confirmed(),
						confirmed: progress.membersConfirmed,
						members: progress.members,
						needed: progress.membersNeeded
					})
				);
			console.log(
				progress?.complete
					? m.a11y_cli_confirmed({ id: votingSessionId, username: scrutineer.username })
					: m.procedure_cli_confirmation_recorded({ id: votingSessionId, username: scrutineer.username })
			);
			return 0;
		}
		case 'session:open':
		case 'session:close':
		case 'session:publish': {
			const action = command.slice('session:'.length) as LifecycleAction;
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { as: { type: 'string' }, 'ratio-reason': { type: 'string' }, number: { type: 'string' } }
			});
			const votingSessionId = sessionIdFrom(positionals);
			// Publishing is a staff member's act after the scrutineers' confirmation (two people at least).
			const actor = action === 'publish' || values.as ? await actingUser(sql, values.as, 'staff') : null;
			const announcementNumber = parse(announcementNumberSchema, values.number ?? '', '--number');
			const result = await applyLifecycle(sql, votingSessionId, action, actor?.id ?? null, {
				ratioReason: values['ratio-reason']?.trim() || undefined,
				announcementNumber
			});
			if (!result.ok) {
				const hint = result.status
					? m.a11y_cli_lifecycle_hint({ status: result.status, next: nextAction(result.status) ?? m.a11y_cli_none() })
					: '';
				console.error(
					m.a11y_cli_lifecycle_failed({
						action,
						id: votingSessionId,
						reason:
							result.error === 'below_quorum'
								? lifecycleRefusal(result)
								: (lifecycleMessages[result.error]?.() ?? result.error),
						hint
					})
				);
				return 1;
			}
			console.log(m.a11y_cli_session_now({ id: votingSessionId, status: result.status }));
			return 0;
		}
		case 'tally': {
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { verify: { type: 'boolean' } }
			});
			const votingSessionId = sessionIdFrom(positionals);
			const votingSession = await getVotingSession(sql, votingSessionId);
			if (!votingSession) {
				console.error('no such voting session');
				return 1;
			}
			if (votingSession.status === 'draft' || votingSession.status === 'open') {
				console.error(`the session is ${votingSession.status}: ballots are counted only after it closes`);
				return 1;
			}
			console.log('counting the raw ballots…');
			const verification = await verifyTally(sql, votingSessionId);
			if (!verification) {
				console.error('no such voting session');
				return 1;
			}
			const tally = verification.recomputed;
			console.log(
				`ballots ${tally.ballotsCast} (valid ${tally.validBallots}, void ${tally.voidBallots}); has-voted marks ${verification.marks}`
			);
			if (isEvaluationTally(tally)) {
				console.log(
					`evaluation: graded over all ${tally.enrolled} entitled members; overall satisfaction rate ${tally.overallRate === null ? '-' : (tally.overallRate * 100).toFixed(1) + '%'}`
				);
				for (const row of tally.projects) {
					console.log(
						`satisfied ${row.satisfied}  basically ${row.basicallySatisfied}  unsatisfied ${row.unsatisfied}  abstain ${row.abstain}  ${row.grade.padEnd(19)}  project ${row.candidateId}`
					);
				}
			} else {
				console.log(
					`threshold: ${tally.votesNeeded} votes (more than half of ${tally.thresholdBase} ${tally.thresholdBaseCount})`
				);
				for (const row of tally.candidates) {
					console.log(
						`${String(row.rank).padStart(3)}  ${String(row.for).padStart(6)}  ${row.passed ? 'passed' : '      '}  ${row.outcome.padEnd(10)}  candidate ${row.candidateId}`
					);
				}
				if (tally.tie)
					console.log(
						`TIE at the cut-off: candidates ${tally.tie.candidateIds.join(', ')} with ${tally.tie.votes} votes for ${tally.tie.seatsAtStake} seat(s): a further vote is needed`
					);
				if (tally.shortfall)
					console.log(`SHORTFALL: ${tally.shortfall.seatsLeft} seat(s) left: a further vote is needed`);
			}
			console.log(`ballots digest ${tally.ballotsDigest}`);
			if (!values.verify) return 0;
			if (!verification.stored) {
				console.error('verify: there is no stored tally yet (the session has not closed)');
				return 1;
			}
			if (verification.differences.length) {
				console.error(`verify: FAILED, ${verification.differences.length} difference(s):`);
				for (const difference of verification.differences) console.error(`  ${difference}`);
				return 1;
			}
			console.log('verify: OK, the stored tally equals the recount and marks equal ballots');
			return 0;
		}
		case 'export': {
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { format: { type: 'string' } }
			});
			const votingSessionId = sessionIdFrom(positionals);
			const format = parse(z.enum(['csv', 'json']), values.format, '--format');
			const data = await buildSessionExport(sql, votingSessionId);
			if (data === 'not_found' || data === 'not_counted') {
				console.error(
					data === 'not_found' ? 'no such voting session' : 'the session has not closed: there is no result to export'
				);
				return 1;
			}
			process.stdout.write(
				format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : inDocumentLanguage(() => resultCsv(data))
			);
			return 0;
		}
		default: {
			const extra = extraCommands[command];
			if (!extra) throw new UsageError(m.a11y_cli_unknown_command({ command }));
			return extra.run(args, database);
		}
	}
}

async function main(): Promise<number> {
	const language = cliLanguage(process.argv.slice(2));
	useCliLanguage(language);
	const [command, ...args] = language.args;
	if (!command || command === 'help' || command === '--help') {
		console.log(usage());
		return command ? 0 : 2;
	}
	let database: Database | null = null;
	try {
		database = await openDatabase({ max: 2 });
		if (command !== 'migrate') await database.migrate();
		return await run(command, args, database);
	} catch (error) {
		if (error instanceof UsageError || errorCode(error)?.startsWith('ERR_PARSE_ARGS')) {
			console.error(`${errorMessage(error)}\n\n${usage()}`);
			return 2;
		}
		console.error(m.a11y_cli_failed({ reason: databaseStartReport(error, language.locale) }));
		return 1;
	} finally {
		await database?.close();
	}
}

main().then((code) => process.exit(code));
