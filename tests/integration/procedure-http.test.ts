// The meeting's procedure through the built server, as a secretariat and the named scrutineers use
// it without JavaScript: the 票决办法 edited, adopted and printed, the review recorded, the
// scrutineers named (errors in Chinese with what was typed kept), the 差额 ratio confirmed at
// opening, each named scrutineer confirming with their own account while the page shows who has
// and who has not, and another staff member publishing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { enterPaperBatch } from '../../src/lib/server/voting/paper';
import { getProcedure } from '../../src/lib/server/voting/procedure';
import { applyLifecycle, getVotingSession } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD } from '../helpers/factory';
import { runProcedure } from '../helpers/procedure';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let publisher: { id: number; username: string };

async function signedIn(username: string): Promise<Visitor> {
	const visitor = new Visitor(app.baseUrl);
	expect((await visitor.signIn(username, TEST_PASSWORD)).status).toBe(303);
	return visitor;
}

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	publisher = await createUser(database.sql, ['staff'], 'publisher');
});
afterAll(async () => {
	await app?.stop();
});

describe('the procedure over HTTP', () => {
	it('runs from the draft to the publication with the named scrutineers confirming', async () => {
		const { sql } = database;
		// 11 candidates for 10 places: below the default ratio of 1.2.
		const session = await createVotingSession(sql, {
			candidates: 11,
			seats: 10,
			delegates: 5,
			open: false,
			procedure: 'default'
		});
		const [chief, member1, member2, member3, bystander] = session.delegates as [
			(typeof session.delegates)[number],
			...typeof session.delegates
		];
		const secretariat = await signedIn(staff.username);
		const anonymous = new Visitor(app.baseUrl);

		// Before adoption the public sees a notice, staff the app's draft.
		expect(await (await anonymous.get(`/rules/${session.id}`)).text()).toContain('本次票决的票决办法尚未通过');
		const draft = await (await secretariat.get(`/admin/sessions/${session.id}/procedure`)).text();
		expect(draft).toContain('以下是系统按本次票决的设置起草的文本');
		expect(draft).toContain('从中票决产生10个2022年度民生实事项目');

		// Staff edit the text; an empty one is refused.
		expect((await secretariat.post(`/admin/sessions/${session.id}/procedure?/text`, { text: '  ' })).status).toBe(400);
		const edited = `某市民生实事项目票决办法\n\n一、本次会议采用无记名投票方式。\n二、经修改的条文。`;
		expect((await secretariat.post(`/admin/sessions/${session.id}/procedure?/text`, { text: edited })).status).toBe(
			200
		);

		// Adoption: a date that does not exist is refused with what was typed kept; then recorded.
		const badAdoption = await secretariat.post(`/admin/sessions/${session.id}/procedure?/adopt`, {
			by: 'presidium',
			on: '2022-02-30'
		});
		expect(badAdoption.status).toBe(400);
		const badAdoptionPage = await badAdoption.text();
		expect(badAdoptionPage).toContain('请填写有效的日期');
		expect(badAdoptionPage).toContain('value="2022-02-30"');
		expect(
			(await secretariat.post(`/admin/sessions/${session.id}/procedure?/adopt`, { by: 'plenary', on: '2022-01-18' }))
				.status
		).toBe(200);
		const rules = await (await anonymous.get(`/rules/${session.id}`)).text();
		expect(rules).toContain('某市民生实事项目票决办法');
		expect(rules).toContain('二、经修改的条文。');
		expect(rules).toContain('（2022年1月18日大会全体会议通过）');
		expect(rules).toContain('href="/document.css"');

		// The review: missing fields are named; then recorded.
		const badReview = await secretariat.post(`/admin/sessions/${session.id}/procedure?/review`, {
			meeting: '市人大常委会第十二次会议',
			on: '2022-01-10',
			document: ''
		});
		expect(badReview.status).toBe(400);
		const badReviewPage = await badReview.text();
		expect(badReviewPage).toContain('请填写审议文件的文号');
		expect(badReviewPage).toContain('value="市人大常委会第十二次会议"');
		expect(
			(
				await secretariat.post(`/admin/sessions/${session.id}/procedure?/review`, {
					meeting: '市人大常委会第十二次会议',
					on: '2022-01-10',
					document: '人常〔2022〕3号'
				})
			).status
		).toBe(200);

		// The scrutineers: someone outside the electorate is refused, the form keeps what was typed.
		const outsider = await createUser(sql, ['delegate'], 'outsider');
		const refusedNaming = await secretariat.post(`/admin/sessions/${session.id}/scrutineers`, {
			chief: chief.username,
			members: `${member1!.username}\n${outsider.username}`,
			counters: '',
			approvedBy: 'plenary',
			approvedOn: '2022-01-19'
		});
		expect(refusedNaming.status).toBe(409);
		const refusedPage = await refusedNaming.text();
		expect(refusedPage).toContain('总监票人和监票人须是本次票决的代表');
		expect(refusedPage).toContain(outsider.username);
		expect(
			(
				await secretariat.post(`/admin/sessions/${session.id}/scrutineers`, {
					chief: chief.username,
					members: `${member1!.username}\n${member2!.username}、${member3!.username}`,
					counters: staff.username,
					approvedBy: 'plenary',
					approvedOn: '2022-01-19'
				})
			).status
		).toBe(200);

		// The session page lists the steps and the ratio; opening below it needs the confirmation and a reason.
		const sessionPage = await (await secretariat.get(`/admin/sessions/${session.id}`)).text();
		expect(sessionPage).toContain('已于 2022年1月18日 经大会全体会议通过');
		expect(sessionPage).toContain('市人大常委会第十二次会议（2022年1月10日，人常〔2022〕3号）');
		expect(sessionPage).toContain('候选项目 11 个 : 应选 10 个（1.1 : 1）');
		expect(sessionPage).toContain('name="ratioReason"');
		const unconfirmed = await secretariat.post(`/admin/sessions/${session.id}?/open`, {
			confirm: 'yes',
			ratioReason: '名单经审议后只余 11 个'
		});
		expect(unconfirmed.status).toBe(409);
		const unconfirmedPage = await unconfirmed.text();
		expect(unconfirmedPage).toContain('请勾选确认并说明理由后再开启');
		expect(unconfirmedPage).toContain('名单经审议后只余 11 个');
		expect(
			(
				await secretariat.post(`/admin/sessions/${session.id}?/open`, {
					confirm: 'yes',
					ratioConfirm: 'yes',
					ratioReason: '名单经审议后只余 11 个'
				})
			).status
		).toBe(200);
		expect((await getProcedure(sql, session.id))?.ratioBelowReason).toBe('名单经审议后只余 11 个');

		for (const delegate of session.delegates) {
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, 3) }
			});
		}
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);

		// The 总监票人 finds the session on their ballot list and confirms on its page.
		const chiefVisitor = await signedIn(chief.username);
		const list = await (await chiefVisitor.get('/vote')).text();
		expect(list).toContain('您是本次票决的总监票人');
		expect(list).toContain(`href="/admin/sessions/${session.id}"`);
		const chiefPage = await chiefVisitor.get(`/admin/sessions/${session.id}`);
		expect(chiefPage.status).toBe(200);
		expect(await chiefPage.text()).toContain('action="?/confirm"');
		expect((await chiefVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(200);
		expect((await chiefVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(409);

		// A delegate who is not named cannot see the page or confirm.
		const bystanderVisitor = await signedIn(bystander!.username);
		expect((await bystanderVisitor.get(`/admin/sessions/${session.id}`)).status).toBe(403);
		expect((await bystanderVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(
			403
		);

		// The page shows who has confirmed and who has not.
		const progress = await (await secretariat.get(`/admin/sessions/${session.id}`)).text();
		expect(progress).toContain('总监票人：已确认；监票人已确认 0/3（须 2）');
		expect(progress.match(/尚未确认/g)?.length).toBeGreaterThanOrEqual(3);
		expect(progress).not.toContain('action="?/publish"');

		for (const member of [member1!, member2!]) {
			const visitor = await signedIn(member.username);
			expect((await visitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(200);
		}
		const confirmedPage = await (await secretariat.get(`/admin/sessions/${session.id}`)).text();
		expect(confirmedPage).toContain('总监票人：已确认；监票人已确认 2/3（须 2）');
		expect(confirmedPage).toContain('计票结果已经总监票人和过半数的监票人确认');
		expect(confirmedPage).toContain('name="announcementNumber"');

		// Another staff member publishes as 公告第7号.
		const publisherVisitor = await signedIn(publisher.username);
		const badNumber = await publisherVisitor.post(`/admin/sessions/${session.id}?/publish`, {
			confirm: 'yes',
			announcementNumber: '0'
		});
		expect(badNumber.status).toBe(400);
		expect(await badNumber.text()).toContain('公告编号须为 1 到 9999 的整数');
		expect(
			(
				await publisherVisitor.post(`/admin/sessions/${session.id}?/publish`, {
					confirm: 'yes',
					announcementNumber: '7'
				})
			).status
		).toBe(200);
		expect((await getVotingSession(sql, session.id))?.status).toBe('published');
		expect((await getProcedure(sql, session.id))?.announcementNumber).toBe(7);
	});

	it('lets the named 监票人, delegates with no other role, confirm a paper batch on its page, and nobody else', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, {
			candidates: 4,
			seats: 1,
			delegates: 5,
			open: false,
			procedure: 'default'
		});
		const [chief, member1, member2, bystander, paperVoter] = session.delegates as [
			(typeof session.delegates)[number],
			...typeof session.delegates
		];
		await runProcedure(sql, session.id, staff.id, {
			chief: chief.username,
			members: [member1!.username, member2!.username]
		});
		expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);
		const entered = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: [paperVoter!.username],
			ballots: [
				{ isVoid: false, choices: [{ candidateId: session.candidateIds[0]!, choice: 'for' }], channel: 'paper' }
			],
			scrutineerIds: [member1!.id, member2!.id],
			note: ''
		});
		if (!entered.ok) throw new Error(JSON.stringify(entered.error));
		const batchPath = `/admin/sessions/${session.id}/paper/${entered.batchId}`;

		// A delegate the meeting did not name sees neither the batches nor the batch.
		const outsider = await signedIn(bystander!.username);
		expect((await outsider.get(`/admin/sessions/${session.id}/paper`)).status).toBe(403);
		expect((await outsider.get(batchPath)).status).toBe(403);
		expect((await outsider.post(`${batchPath}?/confirm`, { confirm: 'yes' })).status).toBe(403);

		// Each named 监票人 the batch names goes from the session page to the batch and confirms it.
		for (const [index, member] of [member1!, member2!].entries()) {
			const visitor = await signedIn(member.username);
			expect(await (await visitor.get(`/admin/sessions/${session.id}`)).text()).toContain(
				`href="/admin/sessions/${session.id}/paper"`
			);
			expect(await (await visitor.get(`/admin/sessions/${session.id}/paper`)).text()).toContain(`href="${batchPath}"`);
			const batchPage = await (await visitor.get(batchPath)).text();
			expect(batchPage).toContain('action="?/confirm"');
			expect((await visitor.post(`${batchPath}?/confirm`, { confirm: 'yes' })).status).toBe(200);
			const [batch] = await sql<{ status: string }[]>`select status from paper_batch where id = ${entered.batchId}`;
			expect(batch?.status).toBe(index === 0 ? 'pending' : 'counted');
		}
		// The 总监票人, named in the session but not on this batch, sees it and cannot confirm it.
		const chiefVisitor = await signedIn(chief.username);
		expect((await chiefVisitor.get(batchPath)).status).toBe(200);
		expect((await chiefVisitor.post(`${batchPath}?/confirm`, { confirm: 'yes' })).status).toBe(409);
		const [counted] = await sql<{ count: number }[]>`
			select count(*)::int as count from ballot where voting_session_id = ${session.id} and channel = 'paper'`;
		expect(counted?.count).toBe(1);
	});
});
