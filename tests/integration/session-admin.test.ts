// Staff prepare a voting session (draft), the scheduler opens and closes it on time, and the
// result is exported and announced with the same numbers as the pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { runDueTransitions } from '../../src/lib/server/voting/scheduler';
import { applyLifecycle, confirmTally, getVotingSession } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createCandidates, createUser, createVotingSession, TEST_PASSWORD, passwordSignIn } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };
let staffVisitor: Visitor;

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	staffVisitor = new Visitor(app.baseUrl);
	expect((await staffVisitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
});
afterAll(async () => {
	await app?.stop();
});

describe('preparing a session', () => {
	it('creates a draft from the form, keeping the input and explaining every error', async () => {
		const candidateIds = await createCandidates(database.sql, 3);
		const refused = await staffVisitor.post('/admin/sessions/new', [
			['title', '  '],
			['year', '1999'],
			['ballotMethod', 'approval'],
			['seats', '3'],
			['thresholdBase', 'enrolled'],
			['opensAt', '2030-01-02T10:00'],
			['closesAt', '2030-01-02T09:00'],
			...candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		]);
		expect(refused.status).toBe(400);
		const html = await refused.text();
		expect(html).toContain('请填写名称');
		expect(html).toContain('请填写 2000 到 2100 之间的年度');
		expect(html).toContain('差额票决要求候选项目数多于应选项目数');
		expect(html).toContain('结束时间须晚于开始时间');
		expect(html).toContain('value="1999"');
		expect(html).toContain('value="2030-01-02T10:00"');

		const created = await staffVisitor.post('/admin/sessions/new', [
			['title', '区人大票决'],
			['year', '2030'],
			['ballotMethod', 'for_against_abstain'],
			['seats', '2'],
			['thresholdBase', 'present'],
			['opensAt', '2030-01-02T09:00'],
			['closesAt', ''],
			...candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		]);
		expect(created.status).toBe(303);
		const id = Number(/\/admin\/sessions\/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
		const votingSession = await getVotingSession(database.sql, id);
		expect(votingSession).toMatchObject({
			title: '区人大票决',
			status: 'draft',
			rules: { ballotMethod: 'for_against_abstain', seats: 2, thresholdBase: 'present' },
			candidateCount: 3,
			closesAt: null
		});
		expect(votingSession?.opensAt?.toISOString()).toBe('2030-01-02T01:00:00.000Z'); // 09:00 Beijing time

		const edited = await staffVisitor.post(`/admin/sessions/${id}/edit`, [
			['title', '区人大票决（修订）'],
			['year', '2030'],
			['ballotMethod', 'approval'],
			['seats', '1'],
			['thresholdBase', 'enrolled'],
			['opensAt', ''],
			['closesAt', ''],
			['candidate', String(candidateIds[2])],
			['candidate', String(candidateIds[0])]
		]);
		expect(edited.status).toBe(303);
		expect(await getVotingSession(database.sql, id)).toMatchObject({
			title: '区人大票决（修订）',
			rules: { seats: 1, ballotMethod: 'approval' },
			candidateCount: 2,
			opensAt: null
		});
		const [audit] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from audit_entry where voting_session_id = ${id} and action = 'session.updated' and actor_user_id = ${staff.id}`;
		expect(audit?.count).toBe(1);
	});

	it('refuses to edit a session once it has opened', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2 });
		const response = await staffVisitor.post(`/admin/sessions/${session.id}/edit`, [
			['title', 'changed'],
			['year', '2022'],
			['ballotMethod', 'approval'],
			['seats', '3'],
			['thresholdBase', 'enrolled'],
			...session.candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		]);
		expect(response.status).toBe(409);
		expect(await response.text()).toContain('票决规则和候选项目已锁定');
		expect((await getVotingSession(database.sql, session.id))?.rules.seats).toBe(2);
	});

	it('keeps non-staff out of the session forms', async () => {
		const delegate = new Visitor(app.baseUrl);
		const user = await createUser(database.sql, ['delegate', 'scrutineer']);
		await delegate.signIn(user.username, TEST_PASSWORD);
		expect((await delegate.get('/admin/sessions/new')).status).toBe(403);
		expect((await delegate.post('/admin/sessions/new', { title: 'x' })).status).toBe(403);
	});
});

describe('scheduled opening and closing', () => {
	it('opens a draft whose time has come and closes an open session at its closing time', async () => {
		const toOpen = await createVotingSession(database.sql, { open: false });
		const toClose = await createVotingSession(database.sql);
		const later = await createVotingSession(database.sql, { open: false });
		await database.sql`update voting_session set opens_at = now() - interval '1 second' where id = ${toOpen.id}`;
		await database.sql`update voting_session set opens_at = now() + interval '1 hour' where id = ${later.id}`;
		// Closing times are part of the frozen rules, so the open session got its time while a draft.
		const scheduled = await createVotingSession(database.sql, { open: false });
		await database.sql`update voting_session set closes_at = now() + interval '300 milliseconds' where id = ${scheduled.id}`;
		await applyLifecycle(database.sql, scheduled.id, 'open', staff.id);
		await castBallot(database.sql, {
			votingSessionId: scheduled.id,
			delegateId: scheduled.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		await new Promise((resolve) => setTimeout(resolve, 400));

		const transitions = await runDueTransitions(database.sql);
		const mine = transitions.filter((transition) =>
			[toOpen.id, scheduled.id, later.id, toClose.id].includes(transition.votingSessionId)
		);
		expect(mine).toEqual([
			{ votingSessionId: toOpen.id, action: 'open', result: { ok: true, status: 'open' } },
			{ votingSessionId: scheduled.id, action: 'close', result: { ok: true, status: 'closed' } }
		]);
		expect((await getVotingSession(database.sql, later.id))?.status).toBe('draft');
		expect((await getVotingSession(database.sql, toClose.id))?.status).toBe('open');
		// A late ballot after the closing time is refused even before the scheduler runs.
		const lateSession = await createVotingSession(database.sql, { open: false });
		await database.sql`update voting_session set closes_at = now() + interval '200 milliseconds' where id = ${lateSession.id}`;
		await applyLifecycle(database.sql, lateSession.id, 'open', staff.id);
		await new Promise((resolve) => setTimeout(resolve, 300));
		const late = await castBallot(database.sql, {
			votingSessionId: lateSession.id,
			delegateId: lateSession.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		expect(late).toEqual({ ok: false, error: { code: 'not_open', status: 'open', reason: 'closed' } });
		// Two schedulers at once (two app instances) close it once.
		const [first, second] = await Promise.all([runDueTransitions(database.sql), runDueTransitions(database.sql)]);
		const closes = [...first!, ...second!].filter((transition) => transition.votingSessionId === lateSession.id);
		expect(closes.filter((transition) => transition.result.ok)).toHaveLength(1);
		const [entries] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from audit_entry where voting_session_id = ${lateSession.id} and action = 'session.close'`;
		expect(entries?.count).toBe(1);
	});
});

describe('exports and the announcement', () => {
	it('gives staff the result from closing on and the public only after publication, with the page numbers', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 3 });
		for (const [index, delegate] of session.delegates.entries()) {
			await castBallot(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: index < 2 ? [session.candidateIds[1]!] : [] }
			});
		}
		const anonymous = new Visitor(app.baseUrl);
		expect((await staffVisitor.get(`/admin/sessions/${session.id}/export.csv`)).status).toBe(404);
		expect((await anonymous.get(`/admin/sessions/${session.id}/export.csv`)).status).toBe(303);
		await applyLifecycle(database.sql, session.id, 'close', staff.id);

		const staffCsv = await staffVisitor.get(`/admin/sessions/${session.id}/export.csv`);
		expect(staffCsv.status).toBe(200);
		expect(staffCsv.headers.get('content-type')).toContain('text/csv');
		const bytes = new Uint8Array(await staffCsv.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
		const rows = new TextDecoder()
			.decode(bytes)
			.replace(/^\uFEFF/, '')
			.trim()
			.split('\r\n');
		expect(rows[0]).toBe('名次,候选项目,所属方面,赞成票,反对票,弃权票,是否过半数,结果');
		// Three candidates, then after an empty line the vote's figures (发出, 收回, …).
		expect(rows.indexOf('')).toBe(4);
		expect(rows).toContain('收回选票,3');
		expect(rows[1]).toMatch(/^1,.*,2,0,0,过半数,当选$/);

		for (const path of [
			`/results/${session.id}/export.csv`,
			`/results/${session.id}/export.json`,
			`/results/${session.id}/export.xml`
		]) {
			expect((await anonymous.get(path)).status, path).toBe(404);
		}
		expect(await (await anonymous.get(`/results/${session.id}/announcement`)).text()).toContain('票决结果尚未公布');

		await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id));
		await applyLifecycle(database.sql, session.id, 'publish', staff.id);
		const json = (await (await anonymous.get(`/results/${session.id}/export.json`)).json()) as {
			tally: {
				ballotsCast: number;
				electronicBallots: number;
				candidates: { candidateId: number; for: number; outcome: string }[];
			};
			ballots?: unknown[];
		};
		expect(json.tally.ballotsCast).toBe(3);
		expect(json.tally.electronicBallots).toBe(3);
		expect(json.ballots).toBeUndefined(); // the anonymous ballots are for staff and scrutineers (public-export.test.ts)
		const api = (await (await fetch(`${app.baseUrl}/api/sessions/${session.id}/results`)).json()) as { tally: unknown };
		expect(json.tally).toEqual(api.tally);

		const announcement = await (await anonymous.get(`/results/${session.id}/announcement`)).text();
		expect(announcement).toContain('主席团公告');
		expect(announcement).toContain('会议应到代表3人');
		expect(announcement).toContain('本次票决发出选票3张，收回选票3张，其中有效票3张，无效票0张。');
		expect(announcement).toContain('民生实事项目（1个）按得票多少公告如下');
		expect(announcement).toMatch(/审计链末端[\s\S]*#\d+ [0-9a-f]{64}/);
		expect(announcement).toContain(scrutineer.username);
	});
});
