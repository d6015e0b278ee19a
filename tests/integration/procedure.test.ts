// The meeting's procedure around the vote (issue 13, part 2), against real PostgreSQL: the named
// scrutineers and their confirmation rule, the 票决办法 and the standing committee's review required
// at opening, the 差额 ratio confirmed with a reason. Each rule is checked through the app and,
// where the database holds it, through direct SQL too.
import { beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { enterPaperBatch, listScrutineers } from '../../src/lib/server/voting/paper';
import {
	adoptRules,
	getProcedure,
	nameScrutineers,
	recordReview,
	withdrawReview,
	withdrawRulesAdoption
} from '../../src/lib/server/voting/procedure';
import {
	applyLifecycle,
	confirmTally,
	getVotingSession,
	updateVotingSession,
	type NewVotingSession
} from '../../src/lib/server/voting/sessions';
import { scrutineerDuty } from '../../src/lib/server/voting/scrutiny';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createUsers, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';
import { runProcedure, TEST_REVIEW } from '../helpers/procedure';

const database = useTestDatabase();
let staff: { id: number; username: string };
let otherStaff: { id: number; username: string };
let globalScrutineer: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	otherStaff = await createUser(database.sql, ['staff'], 'staff');
	globalScrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});

async function refused(write: Promise<unknown>, code: string) {
	await expect(write).rejects.toMatchObject({ code });
}

/** A draft vote with the procedure required (the session's defaults), `delegates` enrolled. */
function draftVote(delegates = 5, candidates = 5, seats = 2): Promise<TestSession> {
	return createVotingSession(database.sql, { candidates, seats, delegates, open: false, procedure: 'default' });
}

/** Opens, lets every delegate tick the first candidate, closes. */
async function openVoteClose(session: TestSession): Promise<void> {
	expect(await applyLifecycle(database.sql, session.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
	for (const delegate of session.delegates) {
		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
	}
	expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
}

describe('named scrutineers (总监票人、监票人、计票人)', () => {
	it('confirms the tally only by the named scrutineers: the 总监票人 and a majority of the 监票人', async () => {
		const { sql } = database;
		const session = await draftVote(6);
		const [chief, m1, m2, m3, bystander] = session.delegates as [
			TestSession['delegates'][number],
			...TestSession['delegates']
		];
		await runProcedure(sql, session.id, staff.id, {
			chief: chief.username,
			members: [m1!.username, m2!.username, m3!.username],
			counters: [staff.username]
		});
		await openVoteClose(session);

		// Nobody else may confirm: not the holder of the global role, not another delegate, not staff (the counter included).
		for (const outsider of [globalScrutineer, bystander!, staff]) {
			expect(await confirmTally(sql, session.id, outsider.id, await passwordSignIn(sql, outsider.id))).toEqual({
				ok: false,
				error: 'not_scrutineer'
			});
		}
		await refused(
			sql`insert into session_confirmation (voting_session_id, user_id) values (${session.id}, ${globalScrutineer.id})`,
			'PJ310'
		);

		// Two of three 监票人, without the 总监票人: not enough.
		expect(await confirmTally(sql, session.id, m1!.id, await passwordSignIn(sql, m1!.id))).toEqual({ ok: true });
		expect(await confirmTally(sql, session.id, m1!.id, await passwordSignIn(sql, m1!.id))).toEqual({
			ok: false,
			error: 'already_confirmed'
		});
		expect(await confirmTally(sql, session.id, m2!.id, await passwordSignIn(sql, m2!.id))).toEqual({ ok: true });
		expect((await getVotingSession(sql, session.id))?.confirmedAt).toBeNull();
		expect(await applyLifecycle(sql, session.id, 'publish', otherStaff.id)).toEqual({
			ok: false,
			error: 'not_confirmed'
		});
		// Nor can SQL mark it confirmed or publish it before the rule is met.
		await refused(sql`update voting_session set confirmed_by = ${m2!.id} where id = ${session.id}`, 'PJ311');

		// The 总监票人 completes it; the third 监票人 may still confirm afterwards.
		expect(await confirmTally(sql, session.id, chief.id, await passwordSignIn(sql, chief.id))).toEqual({ ok: true });
		const confirmed = await getVotingSession(sql, session.id);
		expect(confirmed?.confirmedAt).toBeInstanceOf(Date);
		expect(await confirmTally(sql, session.id, m3!.id, await passwordSignIn(sql, m3!.id))).toEqual({ ok: true });

		const procedure = await getProcedure(sql, session.id);
		expect(procedure?.confirmation).toMatchObject({
			hasPanel: true,
			chiefConfirmed: true,
			membersConfirmed: 3,
			members: 3,
			membersNeeded: 2,
			complete: true
		});
		expect(procedure?.scrutineers.map((entry) => [entry.duty, entry.confirmedAt !== null])).toEqual([
			['chief', true],
			['member', true],
			['member', true],
			['member', true],
			['counter', false]
		]);
		const audit = await sql<{ details: { duty: string; confirmationComplete: boolean } }[]>`
			select details from audit_entry where voting_session_id = ${session.id} and action = 'session.confirm' order by seq`;
		expect(audit.map((entry) => [entry.details.duty, entry.details.confirmationComplete])).toEqual([
			['member', false],
			['member', false],
			['chief', true],
			['member', true]
		]);

		expect((await applyLifecycle(sql, session.id, 'publish', otherStaff.id)).ok).toBe(true);
		await refused(
			sql`insert into session_confirmation (voting_session_id, user_id) values (${session.id}, ${bystander!.id})`,
			'PJ309'
		);
	});

	it('lets a named scrutineer who is also staff confirm but not publish, and SQL cannot either', async () => {
		const { sql } = database;
		const session = await draftVote(3);
		const [staffDelegate] = await createUsers(sql, 1, ['delegate', 'staff'], 'staffdelegate');
		await sql`insert into electorate_member (voting_session_id, delegate_id) values (${session.id}, ${staffDelegate!.id})`;
		await runProcedure(sql, session.id, staff.id, {
			chief: session.delegates[0]!.username,
			members: [staffDelegate!.username, session.delegates[1]!.username]
		});
		await openVoteClose(session);
		for (const person of [staffDelegate!, session.delegates[1]!, session.delegates[0]!])
			expect(await confirmTally(sql, session.id, person.id, await passwordSignIn(sql, person.id))).toEqual({
				ok: true
			});
		// The 总监票人 completed the confirmation, but a staff member among the confirmers may not publish.
		expect(await applyLifecycle(sql, session.id, 'publish', staffDelegate!.id)).toEqual({
			ok: false,
			error: 'publisher_confirmed'
		});
		await refused(
			sql`update voting_session set status = 'published', published_by = ${staffDelegate!.id} where id = ${session.id}`,
			'PJ312'
		);
		expect((await applyLifecycle(sql, session.id, 'publish', staff.id)).ok).toBe(true);
	});

	it('records every confirmation once when the scrutineers confirm at the same moment', async () => {
		const { sql } = database;
		const session = await draftVote(5);
		const [chief, ...members] = session.delegates;
		await runProcedure(sql, session.id, staff.id, {
			chief: chief!.username,
			members: members.map((member) => member.username)
		});
		await openVoteClose(session);
		// Everyone twice, all at once: each person's second attempt is refused, nothing is lost.
		const attempts = await Promise.all(
			[...session.delegates, ...session.delegates].map(async (person) =>
				confirmTally(sql, session.id, person.id, await passwordSignIn(sql, person.id))
			)
		);
		expect(attempts.filter((attempt) => attempt.ok)).toHaveLength(5);
		expect(attempts.filter((attempt) => !attempt.ok)).toEqual(
			Array.from({ length: 5 }, () => ({ ok: false, error: 'already_confirmed' }))
		);
		const [row] = await sql<{ confirmations: number; confirmedBy: number | null }[]>`
			select (select count(*)::int from session_confirmation where voting_session_id = ${session.id}) as confirmations,
			       confirmed_by as "confirmedBy" from voting_session where id = ${session.id}`;
		expect(row?.confirmations).toBe(5);
		expect(session.delegates.map((delegate) => delegate.id)).toContain(row?.confirmedBy);
	});

	it('names only delegates of the session (or holders of the global role), counters from staff, at least two 监票人', async () => {
		const { sql } = database;
		const session = await draftVote(4);
		const outsider = await createUser(sql, ['delegate'], 'outsider');
		const [chief, m1, m2, m3] = session.delegates.map((delegate) => delegate.username) as [
			string,
			string,
			string,
			string
		];
		const naming = { chief, members: [m1, m2], counters: [], approvedBy: 'plenary' as const, approvedOn: '2022-01-19' };

		expect(await nameScrutineers(sql, session.id, { ...naming, members: [m1] }, staff.id)).toEqual({
			ok: false,
			error: { code: 'too_few_members' }
		});
		expect(await nameScrutineers(sql, session.id, { ...naming, members: [m1, chief] }, staff.id)).toEqual({
			ok: false,
			error: { code: 'named_twice', references: [chief] }
		});
		expect(await nameScrutineers(sql, session.id, { ...naming, members: [m1, 'nobody_here'] }, staff.id)).toEqual({
			ok: false,
			error: { code: 'unknown_users', references: ['nobody_here'] }
		});
		expect(await nameScrutineers(sql, session.id, { ...naming, members: [m1, outsider.username] }, staff.id)).toEqual({
			ok: false,
			error: { code: 'not_eligible', references: [outsider.username] }
		});
		expect(await nameScrutineers(sql, session.id, { ...naming, counters: [m3] }, staff.id)).toEqual({
			ok: false,
			error: { code: 'counters_not_staff', references: [m3] }
		});
		// The database holds the same rules.
		await refused(
			sql`insert into session_scrutineer (voting_session_id, user_id, duty) values (${session.id}, ${outsider.id}, 'member')`,
			'PJ305'
		);
		await refused(
			sql`insert into session_scrutineer (voting_session_id, user_id, duty) values (${session.id}, ${session.delegates[3]!.id}, 'counter')`,
			'PJ308'
		);

		// A place that appoints a non-delegate: the holder of the global role may be named, and then is this session's only.
		expect(
			await nameScrutineers(sql, session.id, { ...naming, members: [m1, globalScrutineer.username] }, staff.id)
		).toEqual({ ok: true });
		expect(await scrutineerDuty(sql, session.id, globalScrutineer.id)).toBe('member');
		expect(await scrutineerDuty(sql, session.id, session.delegates[0]!.id)).toBe('chief');
		expect(await scrutineerDuty(sql, session.id, session.delegates[2]!.id)).toBeNull();
		const other = await draftVote(3);
		expect(await scrutineerDuty(sql, other.id, session.delegates[0]!.id)).toBeNull(); // powers for that session only
		expect(await scrutineerDuty(sql, other.id, globalScrutineer.id)).toBe('global'); // no panel there (yet)

		// Naming again replaces the earlier names, in one step.
		expect(await nameScrutineers(sql, session.id, naming, staff.id)).toEqual({ ok: true });
		expect((await getProcedure(sql, session.id))?.scrutineers.map((entry) => entry.username)).toEqual([chief, m1, m2]);
	});

	it('freezes the named scrutineers at opening, and refuses to open when one left the electorate', async () => {
		const { sql } = database;
		const session = await draftVote(4);
		const [chief, m1, m2] = session.delegates;
		await runProcedure(sql, session.id, staff.id, { chief: chief!.username, members: [m1!.username, m2!.username] });
		await sql`delete from electorate_member where voting_session_id = ${session.id} and delegate_id = ${m2!.id}`;
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({
			ok: false,
			error: 'scrutineer_not_enrolled'
		});
		await refused(sql`update voting_session set status = 'open' where id = ${session.id}`, 'PJ305');
		await sql`insert into electorate_member (voting_session_id, delegate_id) values (${session.id}, ${m2!.id})`;
		expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);

		await refused(sql`delete from session_scrutineer where voting_session_id = ${session.id}`, 'PJ307');
		await refused(
			sql`update session_scrutineer set duty = 'member' where voting_session_id = ${session.id} and user_id = ${chief!.id}`,
			'PJ307'
		);
		expect(
			await nameScrutineers(
				sql,
				session.id,
				{
					chief: m1!.username,
					members: [chief!.username, m2!.username],
					counters: [],
					approvedBy: 'plenary',
					approvedOn: '2022-01-20'
				},
				staff.id
			)
		).toEqual({ ok: false, error: { code: 'not_draft' } });
	});

	it('enters paper ballots in the presence of two of the named scrutineers, never of others', async () => {
		const { sql } = database;
		const session = await draftVote(6);
		const [chief, member1, member2, paperVoter1, paperVoter2] = session.delegates;
		await runProcedure(sql, session.id, staff.id, {
			chief: chief!.username,
			members: [member1!.username, member2!.username]
		});
		expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);
		expect((await listScrutineers(sql, session.id)).map((scrutineer) => scrutineer.id)).toEqual([
			chief!.id,
			member1!.id,
			member2!.id
		]);
		const batch = (scrutineerIds: number[]) =>
			enterPaperBatch(sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: [paperVoter1!.username],
				ballots: [
					{ isVoid: false, choices: [{ candidateId: session.candidateIds[0]!, choice: 'for' }], channel: 'paper' }
				],
				scrutineerIds,
				note: ''
			});
		expect(await batch([chief!.id])).toEqual({ ok: false, error: { code: 'too_few_scrutineers' } });
		expect(await batch([chief!.id, globalScrutineer.id])).toEqual({ ok: false, error: { code: 'not_scrutineers' } });
		expect(await batch([chief!.id, session.delegates[5]!.id])).toEqual({
			ok: false,
			error: { code: 'not_scrutineers' }
		});
		expect(await batch([member1!.id, member2!.id])).toMatchObject({ ok: true, ballots: 1 });

		// The database holds it too: one named scrutineer is not enough, and a stranger is refused.
		const write = (scrutineerIds: number[]) =>
			sql.begin(async (tx) => {
				const [inserted] = await tx<{ id: number }[]>`
					insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, 1) returning id`;
				for (const id of scrutineerIds)
					await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${inserted!.id}, ${id})`;
				await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id) values (${session.id}, ${paperVoter2!.id}, 'paper', ${inserted!.id})`;
				await tx`insert into ballot (voting_session_id, channel) values (${session.id}, 'paper')`;
			});
		await refused(write([chief!.id]), 'PJ316');
		await refused(write([chief!.id, globalScrutineer.id]), 'PJ316');
	});

	it('keeps one holder of the global role confirming a session whose setting names no scrutineers', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2 });
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		expect(
			await confirmTally(sql, session.id, session.delegates[0]!.id, await passwordSignIn(sql, session.delegates[0]!.id))
		).toEqual({
			ok: false,
			error: 'not_scrutineer'
		});
		expect(
			await confirmTally(sql, session.id, globalScrutineer.id, await passwordSignIn(sql, globalScrutineer.id))
		).toEqual({ ok: true });
		expect((await getProcedure(sql, session.id))?.confirmation).toMatchObject({ hasPanel: false, complete: true });
	});
});

describe('before the vote: the 票决办法, the review, the ratio', () => {
	it('refuses to open without the adopted 票决办法, the recorded review and the named scrutineers', async () => {
		const { sql } = database;
		const session = await draftVote(3);
		const [chief, m1, m2] = session.delegates.map((delegate) => delegate.username) as [string, string, string];
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({
			ok: false,
			error: 'rules_not_adopted'
		});
		await refused(sql`update voting_session set status = 'open' where id = ${session.id}`, 'PJ302');

		expect(await adoptRules(sql, session.id, { by: 'plenary', on: '2022-01-18' }, staff.id)).toEqual({ ok: true });
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({
			ok: false,
			error: 'review_not_recorded'
		});
		await refused(sql`update voting_session set status = 'open' where id = ${session.id}`, 'PJ303');

		expect(await recordReview(sql, session.id, TEST_REVIEW, staff.id)).toEqual({ ok: true });
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({
			ok: false,
			error: 'scrutineers_not_named'
		});
		await refused(sql`update voting_session set status = 'open' where id = ${session.id}`, 'PJ304');

		expect(
			await nameScrutineers(
				sql,
				session.id,
				{ chief, members: [m1, m2], counters: [], approvedBy: 'presidium', approvedOn: '2022-01-19' },
				staff.id
			)
		).toEqual({ ok: true });
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });

		// From opening on, nothing of the procedure changes.
		expect(await withdrawRulesAdoption(sql, session.id, staff.id)).toEqual({ ok: false, error: 'not_draft' });
		await refused(
			sql`update session_procedure set rules_text = 'forged' where voting_session_id = ${session.id}`,
			'PJ314'
		);
		await refused(
			sql`update session_procedure set require_review = false where voting_session_id = ${session.id}`,
			'PJ314'
		);
	});

	it('opens without them where the session says they are not required, and an evaluation never asks', async () => {
		const { sql } = database;
		const session = await draftVote(3);
		await sql`update session_procedure set require_adopted_rules = false, require_review = false, require_named_scrutineers = false
		          where voting_session_id = ${session.id}`;
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
		const [evaluation] = await sql<{ id: number }[]>`
			insert into voting_session (title, year, ballot_method, seats) values ('测评', 2023, 'evaluation', null) returning id`;
		const [settings] = await sql<{ rules: boolean; review: boolean; scrutineers: boolean }[]>`
			select require_adopted_rules as rules, require_review as review, require_named_scrutineers as scrutineers
			from session_procedure where voting_session_id = ${evaluation!.id}`;
		expect(settings).toEqual({ rules: false, review: false, scrutineers: false });
	});

	it('keeps the adopted text, and freezes the settings and the reviewed list until withdrawn', async () => {
		const { sql } = database;
		const session = await draftVote(3, 5, 2);
		const votingSession = (await getVotingSession(sql, session.id))!;
		const edit = (seats: number, candidateIds = session.candidateIds): NewVotingSession => ({
			title: votingSession.title,
			year: votingSession.year,
			rules: { ballotMethod: 'approval', seats, thresholdBase: 'enrolled' },
			candidateIds
		});
		await sql`update session_procedure set meeting_name = '某市第八届人民代表大会第二次会议' where voting_session_id = ${session.id}`;
		expect(await adoptRules(sql, session.id, { by: 'presidium', on: '2022-01-18' }, staff.id)).toEqual({ ok: true });
		const adopted = await getProcedure(sql, session.id);
		expect(adopted?.rulesAdoption).toMatchObject({ by: 'presidium', on: '2022-01-18' });
		expect(adopted?.storedRulesText).toMatch(/^某市第八届人民代表大会第二次会议2022年度民生实事项目票决办法/);
		expect(adopted?.storedRulesText).toContain(
			'对经本级人民代表大会常务委员会审议的5个候选项目进行差额票决，从中票决产生2个'
		);
		expect(adopted?.storedRulesText).toContain('超过全体代表的半数');
		expect(adopted?.storedRulesText).toContain('超过全体代表的三分之二');

		// The settings the text describes cannot change while it stands adopted…
		expect(await updateVotingSession(sql, session.id, edit(3), staff.id)).toEqual({
			ok: false,
			error: 'rules_adopted'
		});
		await refused(sql`update voting_session set seats = 3 where id = ${session.id}`, 'PJ301');
		await refused(
			sql`update session_procedure set rules_text = 'other' where voting_session_id = ${session.id}`,
			'PJ301'
		);
		// …an unchanged form is fine…
		expect(await updateVotingSession(sql, session.id, edit(2), staff.id)).toEqual({ ok: true });
		// …and after withdrawing, they can, and the adoption must be recorded again.
		expect(await withdrawRulesAdoption(sql, session.id, staff.id)).toEqual({ ok: true });
		expect(await updateVotingSession(sql, session.id, edit(3), staff.id)).toEqual({ ok: true });

		expect(await recordReview(sql, session.id, TEST_REVIEW, staff.id)).toEqual({ ok: true });
		expect(await updateVotingSession(sql, session.id, edit(3, session.candidateIds.slice(0, 4)), staff.id)).toEqual({
			ok: false,
			error: 'review_recorded'
		});
		await refused(sql`delete from voting_session_candidate where voting_session_id = ${session.id}`, 'PJ315');
		expect(await withdrawReview(sql, session.id, staff.id)).toEqual({ ok: true });
		expect(await updateVotingSession(sql, session.id, edit(3, session.candidateIds.slice(0, 4)), staff.id)).toEqual({
			ok: true
		});
		const audit = await sql<{ action: string }[]>`
			select action from audit_entry where voting_session_id = ${session.id} and action like 'procedure.%' order by seq`;
		expect(audit.map((entry) => entry.action)).toEqual([
			'procedure.rules_adopted',
			'procedure.rules_adoption_withdrawn',
			'procedure.review_recorded',
			'procedure.review_withdrawn'
		]);
	});

	it('asks for an explicit confirmation with a reason below the minimum 差额 ratio, and keeps the reason', async () => {
		const { sql } = database;
		// 11 candidates for 10 places: 1.1 : 1, below the default 1.2.
		const session = await createVotingSession(sql, {
			candidates: 11,
			seats: 10,
			delegates: 3,
			open: false,
			procedure: 'default'
		});
		const [chief, m1, m2] = session.delegates.map((delegate) => delegate.username) as [string, string, string];
		await runProcedure(sql, session.id, staff.id, { chief, members: [m1, m2] });
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({
			ok: false,
			error: 'ratio_needs_confirmation'
		});
		expect(await applyLifecycle(sql, session.id, 'open', staff.id, { ratioReason: '   ' })).toEqual({
			ok: false,
			error: 'ratio_needs_confirmation'
		});
		await refused(sql`update voting_session set status = 'open' where id = ${session.id}`, 'PJ306');
		expect(
			await applyLifecycle(sql, session.id, 'open', staff.id, { ratioReason: '候选项目经常委会审议后仅余 11 个' })
		).toEqual({ ok: true, status: 'open' });
		const procedure = await getProcedure(sql, session.id);
		expect(procedure?.ratioBelowReason).toBe('候选项目经常委会审议后仅余 11 个');
		const [opened] = await sql<{ details: { ratioReason?: string } }[]>`
			select details from audit_entry where voting_session_id = ${session.id} and action = 'session.open'`;
		expect(opened?.details.ratioReason).toBe('候选项目经常委会审议后仅余 11 个');

		// At or above the ratio, nothing is asked: 12 for 10.
		const enough = await createVotingSession(sql, {
			candidates: 12,
			seats: 10,
			delegates: 3,
			open: false,
			procedure: 'default'
		});
		const names = enough.delegates.map((delegate) => delegate.username);
		await runProcedure(sql, enough.id, staff.id, { chief: names[0]!, members: names.slice(1) });
		expect(await applyLifecycle(sql, enough.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
		expect((await getProcedure(sql, enough.id))?.ratioBelowReason).toBeNull();
	});
});
