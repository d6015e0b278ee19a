// Attendance, quorum, the hall network and the vote's figures through the built server, as staff and
// delegates use them; the operator CLI's presence:mark; and the demo data (a year's candidate list,
// a session that opens with its quorum).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { seedDemo, DEMO_PRESENT_DELEGATES } from '../../src/lib/server/seed/demo';
import { castBallot } from '../../src/lib/server/voting/casting';
import { getStoredTally } from '../../src/lib/server/voting/results';
import { applyLifecycle, confirmTally, getVotingSession } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/suite';
import {
	createUser,
	createVotingSession,
	enterConfirmedPaperBatch,
	passwordSignIn,
	TEST_PASSWORD
} from '../helpers/factory';
import { castThroughForm } from '../helpers/voting';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let publisher: { id: number; username: string };
let scrutineer: { id: number; username: string };
let addressCounter = 0;

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff']);
	publisher = await createUser(database.sql, ['staff']);
	scrutineer = await createUser(database.sql, ['scrutineer']);
	// The client's address comes from X-Real-IP, as behind a proxy that sets it.
	app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip' });
});
afterAll(async () => {
	await app?.stop();
});

async function signedIn(username: string, address = `192.0.2.${(addressCounter += 1)}`): Promise<Visitor> {
	const visitor = new Visitor(app.baseUrl, { 'x-real-ip': address });
	expect((await visitor.signIn(username, TEST_PASSWORD)).status).toBe(303);
	return visitor;
}

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

describe('attendance over HTTP', () => {
	it('a delegate signing in is not checked in; they are told to 签到 first, then vote after the door check-in', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 3 });
		const late = session.delegates[3]!;
		const delegate = await signedIn(late.username);
		expect((await getVotingSession(sql, session.id))?.present).toBe(3);

		const ballotPage = text(await (await delegate.get(`/vote/${session.id}`)).text());
		expect(ballotPage).toContain('请先签到');
		expect(ballotPage).not.toContain('下一步');
		const refused = await castThroughForm(delegate, session.id, []);
		expect(refused.status).toBe(403);
		expect(text(refused.body)).toContain('您还没有签到');

		// Staff at the door: the check-in page, one tap.
		const door = await signedIn(staff.username);
		const page = text(await (await door.get(`/admin/sessions/${session.id}/check-in?q=${late.username}`)).text());
		expect(page).toContain('应到 4');
		expect(page).toContain('实到 3');
		expect(page).toContain('未到 1');
		const checkedIn = await door.post(`/admin/sessions/${session.id}/check-in?/mark`, {
			delegateId: String(late.id),
			present: 'yes'
		});
		expect(checkedIn.status).toBe(200);
		expect(text(await checkedIn.text())).toContain('已签到');
		expect((await getVotingSession(sql, session.id))?.present).toBe(4);

		const open = text(await (await delegate.get(`/vote/${session.id}`)).text());
		// 过半数 of 应到 4 is 3 votes.
		expect(open).toContain('过半数：3 票');
		const cast = await castThroughForm(delegate, session.id, [session.candidateIds[0]!]);
		expect(cast.status).toBe(200);
		expect(cast.receiptCode).not.toBeNull();
		// A voter's check-in stays.
		const undo = await door.post(`/admin/sessions/${session.id}/check-in?/mark`, {
			delegateId: String(late.id),
			present: 'no'
		});
		expect(undo.status).toBe(409);
		expect(text(await undo.text())).toContain('已经投票，其签到不能撤销');
	});

	it('refuses to open below the quorum with the numbers, on the session page', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 9, checkedIn: 5, open: false });
		const staffVisitor = await signedIn(staff.username);
		const response = await staffVisitor.post(`/admin/sessions/${session.id}?/open`, { confirm: 'yes' });
		expect(response.status).toBe(409);
		expect(text(await response.text())).toContain('应到 9 人，实到 5 人，不足法定人数 7 人，不能开始投票。');
		const page = text(await (await staffVisitor.get(`/admin/sessions/${session.id}`)).text());
		expect(page).toContain('法定人数 7 人：尚差 2 人');
	});

	it('takes the client address from the configured header and refuses a cast from outside the hall network', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3, open: false });
		const staffVisitor = await signedIn(staff.username);
		const bad = await staffVisitor.post(`/admin/sessions/${session.id}?/attendance`, {
			quorumRule: 'two_thirds',
			castNetworks: '10.20.0.0/16\n300.1.1.1'
		});
		expect(bad.status).toBe(400);
		const badPage = await bad.text();
		expect(text(badPage)).toContain('有地址段无法识别');
		expect(badPage).toContain('300.1.1.1'); // what was typed is kept
		const saved = await staffVisitor.post(`/admin/sessions/${session.id}?/attendance`, {
			quorumRule: 'two_thirds',
			castNetworks: '10.20.0.0/16'
		});
		expect(saved.status).toBe(200);
		expect((await getVotingSession(sql, session.id))?.attendance.castNetworks).toEqual(['10.20.0.0/16']);
		await applyLifecycle(sql, session.id, 'open', staff.id);

		const [outside, inside] = session.delegates as { username: string }[];
		const away = await signedIn(outside!.username, '198.51.100.7');
		expect(text(await (await away.get(`/vote/${session.id}`)).text())).toContain('只接受会场网络');
		const refused = await castThroughForm(away, session.id, []);
		expect(refused.status).toBe(403);
		expect(text(refused.body)).toContain('只接受会场网络');
		const hall = await signedIn(inside!.username, '10.20.4.5');
		expect((await castThroughForm(hall, session.id, [])).status).toBe(200);
		expect((await getVotingSession(sql, session.id))?.cast).toBe(1);
	});

	it("shows and exports the vote's figures exactly as stored; a void vote is not published", async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 5, candidates: 4, seats: 2 });
		for (const delegate of session.delegates.slice(0, 3)) {
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!, session.candidateIds[1]!] }
			});
		}
		const reading = readPaperBallots('approval', 2, session.candidateIds, '1 2\n1 2 3');
		if (!reading.ok) throw new Error('unreadable');
		await enterConfirmedPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: session.delegates.slice(3).map((delegate) => delegate.username),
			ballots: reading.ballots,
			scrutineerIds: [scrutineer.id],
			note: '',
			issuedCount: 2
		});
		await applyLifecycle(sql, session.id, 'close', staff.id);
		await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id));
		await applyLifecycle(sql, session.id, 'publish', publisher.id);
		const stored = (await getStoredTally(sql, session.id))!.figures;
		expect(stored).toMatchObject({ issued: 5, returned: 5, validBallots: 4, voidBallots: 1, valid: true });

		const anyone = new Visitor(app.baseUrl);
		const api = (await (await anyone.get(`/api/sessions/${session.id}`)).json()) as Record<string, unknown>;
		expect(api.figures).toEqual(stored);
		expect(api).toMatchObject({ enrolled: 5, present: 5, quorumNeeded: 4, quorumMet: true });
		const results = (await (await anyone.get(`/api/sessions/${session.id}/results`)).json()) as {
			tally: { figures: unknown };
		};
		expect(results.tally.figures).toEqual(stored);
		const exported = (await (await anyone.get(`/results/${session.id}/export.json`)).json()) as {
			tally: { figures: unknown };
		};
		expect(exported.tally.figures).toEqual(stored);
		const csv = (await (await anyone.get(`/results/${session.id}/export.csv`)).text()).replace(/^\uFEFF/, '');
		const rows = new Map(
			csv
				.split('\r\n')
				.map((line) => line.split(','))
				.filter((cells) => cells.length === 2)
				.map(([name, value]) => [name, value])
		);
		expect(rows.get('应到')).toBe(String(stored.enrolled));
		expect(rows.get('实到')).toBe(String(stored.present));
		expect(rows.get('法定人数')).toBe(String(stored.quorumNeeded));
		expect(rows.get('是否符合法定人数')).toBe('符合法定人数');
		expect(rows.get('发出选票')).toBe(String(stored.issued));
		expect(rows.get('收回选票')).toBe(String(stored.returned));
		expect(rows.get('有效票')).toBe(String(stored.validBallots));
		expect(rows.get('无效票')).toBe(String(stored.voidBallots));
		expect(rows.get('票决是否有效')).toBe('本次票决有效');
		const resultsPage = text(await (await anyone.get(`/results/${session.id}`)).text());
		expect(resultsPage).toContain('应到 5 人，实到 5 人，符合法定人数。');
		expect(resultsPage).toContain('收回选票 5 张，不多于发出选票 5 张，本次票决有效。');
		expect(resultsPage).toContain('过半数：3 票');

		// 收回 > 发出: the staff page says the vote must be held again, and publishing is refused.
		const voided = await createVotingSession(sql, { delegates: 3, candidates: 3, seats: 1 });
		const twice = readPaperBallots('approval', 1, voided.candidateIds, '1\n2');
		if (!twice.ok) throw new Error('unreadable');
		await enterConfirmedPaperBatch(sql, {
			votingSessionId: voided.id,
			enteredBy: staff.id,
			delegateReferences: voided.delegates.slice(1).map((delegate) => delegate.username),
			ballots: twice.ballots,
			scrutineerIds: [scrutineer.id],
			note: '',
			issuedCount: 0
		});
		await applyLifecycle(sql, voided.id, 'close', staff.id);
		await confirmTally(sql, voided.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id));
		const publisherVisitor = await signedIn(publisher.username);
		const page = text(await (await publisherVisitor.get(`/admin/sessions/${voided.id}`)).text());
		expect(page).toContain('本次票决无效');
		expect(page).toContain('须重新组织票决');
		const refused = await publisherVisitor.post(`/admin/sessions/${voided.id}?/publish`, { confirm: 'yes' });
		expect(refused.status).toBe(409);
		expect(text(await refused.text())).toContain('本次票决无效，不能公布结果，须重新票决');
	});

	it('presence:mark checks delegates in from the command line, all or none', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3, checkedIn: 0, open: false });
		const [a, b, c] = session.delegates.map((delegate) => delegate.username) as [string, string, string];
		const cli = (args: string[]) => runCli(args, { databaseUrl: database.url });
		const unknown = cli(['presence:mark', String(session.id), a, 'nobody_at_all', '--as', staff.username]);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('nobody_at_all');
		expect(cli(['presence:mark', String(session.id), a]).code).toBe(2);
		const marked = cli(['presence:mark', String(session.id), a, b, c, '--as', staff.username]);
		expect(marked.code).toBe(0);
		expect(marked.stdout).toContain('3 delegate(s) checked in (present 3 of 3 enrolled)');
		const undone = cli(['presence:mark', String(session.id), c, '--absent', '--as', staff.username]);
		expect(undone.code).toBe(0);
		expect((await getVotingSession(sql, session.id))?.present).toBe(2);
		const [audit] = await sql<{ count: number }[]>`
			select count(*)::int from audit_entry where voting_session_id = ${session.id} and action = 'presence.marked'
			  and details ->> 'by' = 'cli' and actor_user_id = ${staff.id}`;
		expect(audit?.count).toBe(4);
	});
});

describe('the demo data', () => {
	const demo = useTestDatabase();
	let demoApp: RunningApp;
	let credentials: Awaited<ReturnType<typeof seedDemo>>;
	beforeAll(async () => {
		credentials = await seedDemo(demo.sql, { adminPassword: 'demo admin password' });
		demoApp = await startApp(demo.url);
	});
	afterAll(async () => {
		await demoApp?.stop();
	});

	it('opens the 2022 vote with its quorum met, the three demo delegates checked in', async () => {
		const votingSession = await getVotingSession(demo.sql, credentials.votingSessionId);
		expect(votingSession).toMatchObject({ status: 'open', enrolled: 444, present: DEMO_PRESENT_DELEGATES });
		expect(votingSession?.quorum).toMatchObject({ needed: 297, met: true });
		const present = await demo.sql<{ username: string }[]>`
			select u.username from electorate_member e join app_user u on u.id = e.delegate_id
			where e.voting_session_id = ${credentials.votingSessionId} and e.present and u.username = any(${credentials.delegates.map((delegate) => delegate.username)})`;
		expect(present).toHaveLength(3);
		const delegate = new Visitor(demoApp.baseUrl);
		const first = credentials.delegates[0]!;
		expect((await delegate.signIn(first.username, first.password)).status).toBe(303);
		const ballot = text(await (await delegate.get(`/vote/${credentials.votingSessionId}`)).text());
		expect(ballot).toContain('过半数：223 票');
		expect(ballot).toContain('下一步');
	});

	it("shows the current year's list of 34 candidates in 12 categories, with the other years a switch away", async () => {
		const anyone = new Visitor(demoApp.baseUrl);
		const html = await (await anyone.get('/projects')).text();
		const page = text(html);
		expect(page).toContain('2022年候选项目');
		expect(page).toMatch(/12\s*个方面.*34\s*个候选项目|12 categories.*34/);
		expect(page).toContain('2021年（6 个项目）');
		// The demo candidates that are not the report's own 2022 tasks say so.
		const labelled = new Set(html.match(/<h3><a [^>]*>[^<]*（示例，非报告原文）<\/a><\/h3>/g));
		expect(labelled.size).toBe(5);
		const past = text(await (await anyone.get('/projects?year=2021')).text());
		expect(past).toContain('2021年候选项目');
		expect(past).toContain('（2021示例）新建城乡社区居家养老服务中心');
		expect(past).not.toContain('建设智慧公办养老院');

		const created = runCli(
			['session:create', '--title', '年度清单', '--year', '2022', '--seats', '10', '--candidates', 'all'],
			{ databaseUrl: demo.url }
		);
		expect(created.code).toBe(0);
		const id = Number(/voting session (\d+)/.exec(created.stdout)?.[1]);
		const [counts] = await demo.sql<{ candidates: number; enrolled: number }[]>`
			select (select count(*) from voting_session_candidate where voting_session_id = ${id})::int as candidates,
			       (select count(*) from electorate_member where voting_session_id = ${id})::int as enrolled`;
		expect(counts).toEqual({ candidates: 34, enrolled: 444 });
	});
});
