// The presidium's announcement (大会公告) through the built server: its number, issuer and date,
// and figures, chosen projects and further vote equal to the stored tally, on the page, in the
// JSON and in the CSV alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voteTally } from '../../src/lib/domain/tally';
import { castBallot } from '../../src/lib/server/voting/casting';
import { createFollowUp } from '../../src/lib/server/voting/follow-up';
import { getStoredTally } from '../../src/lib/server/voting/results';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import type { Announcement } from '../../src/lib/server/voting/announcement';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import {
	createUser,
	createVotingSession,
	enterConfirmedPaperBatch,
	passwordSignIn,
	type TestSession
} from '../helpers/factory';
import { runProcedure } from '../helpers/procedure';

const MEETING = '某市第八届人民代表大会第二次会议';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let publisher: { id: number; username: string };

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	publisher = await createUser(database.sql, ['staff'], 'publisher');
});
afterAll(async () => {
	await app?.stop();
});

/** A vote with its procedure done and the meeting named; delegate 0 is 总监票人, 1 and 2 监票人. */
async function preparedVote(candidates: number, seats: number, delegates: number): Promise<TestSession> {
	const session = await createVotingSession(database.sql, {
		candidates,
		seats,
		delegates,
		open: false,
		procedure: 'default'
	});
	await database.sql`update session_procedure set meeting_name = ${MEETING} where voting_session_id = ${session.id}`;
	const names = session.delegates.map((delegate) => delegate.username);
	await runProcedure(database.sql, session.id, staff.id, { chief: names[0]!, members: [names[1]!, names[2]!] });
	await database.sql`update candidate set targets = ${['新增养老床位 500 张', '改造助餐点 20 个']}, lead_department = '市民政局'
		where id = ${session.candidateIds[0]!}`;
	return session;
}

async function confirmAndPublish(session: TestSession, sessionId: number, number?: number) {
	for (const delegate of session.delegates.slice(0, 3))
		expect(
			await confirmTally(database.sql, sessionId, delegate.id, await passwordSignIn(database.sql, delegate.id))
		).toEqual({ ok: true });
	expect(
		(await applyLifecycle(database.sql, sessionId, 'publish', publisher.id, { announcementNumber: number })).ok
	).toBe(true);
}

function csvRows(text: string): string[][] {
	return text
		.replace(/^\uFEFF/, '')
		.trimEnd()
		.split('\r\n')
		.map((line) => line.split(','));
}

describe('the announcement', () => {
	it('states the stored tally on the page, in the JSON and in the CSV, numbered and dated', async () => {
		const { sql } = database;
		const session = await preparedVote(5, 2, 6);
		const c = session.candidateIds;
		expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);
		// Four electronic ballots, two paper ones (one of them void): c0 and c1 on 4 each, both past 4 of 6.
		for (const [index, ticks] of [[0, 1], [0, 1], [0, 2], [1]].entries()) {
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: session.delegates[index]!.id,
				selection: { method: 'approval', candidateIds: ticks.map((position) => c[position]!) }
			});
		}
		// Entered in the presence of two named 监票人, counted once both confirm it with their own sign-in.
		const paper = await enterConfirmedPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: [session.delegates[4]!.username, session.delegates[5]!.username],
			ballots: [
				{
					isVoid: false,
					choices: [
						{ candidateId: c[0]!, choice: 'for' },
						{ candidateId: c[1]!, choice: 'for' }
					],
					channel: 'paper'
				},
				{ isVoid: true, choices: [], channel: 'paper' }
			],
			scrutineerIds: [session.delegates[1]!.id, session.delegates[2]!.id],
			note: ''
		});
		expect(paper.ok).toBe(true);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		await confirmAndPublish(session, session.id, 3);
		const tally = voteTally((await getStoredTally(sql, session.id))!);

		const anonymous = new Visitor(app.baseUrl);
		const json = (await (await anonymous.get(`/results/${session.id}/announcement.json`)).json()) as Announcement;
		expect(json).toMatchObject({
			meetingName: MEETING,
			number: 3,
			issuer: `${MEETING}主席团`,
			// The ballot account stored at closing (tally.figures), figure by figure.
			figures: {
				enrolled: tally.figures.enrolled,
				present: tally.figures.present,
				quorumRule: tally.figures.quorumRule,
				quorumNeeded: tally.figures.quorumNeeded,
				quorumMet: true,
				issued: tally.figures.issued,
				returned: tally.figures.returned,
				validBallots: tally.figures.validBallots,
				voidBallots: tally.figures.voidBallots,
				valid: true
			},
			threshold: { base: 'enrolled', baseCount: tally.thresholdBaseCount, votesNeeded: tally.votesNeeded },
			seats: 2,
			furtherVote: null
		});
		expect(tally).toMatchObject({ ballotsCast: 6, voidBallots: 1, validBallots: 5, paperBallots: 2 });
		// 6 enrolled, all checked in: 4 electronic ballots issued and 2 on paper; 6 returned.
		expect(tally.figures).toMatchObject({ enrolled: 6, present: 6, issued: 6, returned: 6, valid: true });
		const chosenInTally = tally.candidates.filter((row) => row.outcome === 'chosen');
		expect(json.chosen.map((entry) => [entry.candidateId, entry.votes, entry.place])).toEqual(
			chosenInTally.map((row, index) => [row.candidateId, row.for, index + 1])
		);
		expect(json.chosen[0]).toMatchObject({
			candidateId: c[0],
			targets: ['新增养老床位 500 张', '改造助餐点 20 个'],
			leadDepartment: '市民政局'
		});
		expect(json.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(json.confirmations.map((entry) => entry.duty).sort()).toEqual(['chief', 'member', 'member']);

		const csv = csvRows(await (await anonymous.get(`/results/${session.id}/announcement.csv`)).text());
		const field = (label: string) => csv.find((row) => row[0] === label)?.[1];
		expect(field('会议')).toBe(MEETING);
		expect(field('公告编号')).toBe('3');
		expect(field('发布机关')).toBe(`${MEETING}主席团`);
		expect(field('公告日期')).toBe(json.date);
		expect(Number(field('应到'))).toBe(tally.figures.enrolled);
		expect(Number(field('实到'))).toBe(tally.figures.present);
		expect(Number(field('法定人数'))).toBe(tally.figures.quorumNeeded);
		expect(field('是否符合法定人数')).toBe('符合法定人数');
		expect(Number(field('发出选票'))).toBe(tally.figures.issued);
		expect(Number(field('收回选票'))).toBe(tally.figures.returned);
		expect(Number(field('有效票'))).toBe(tally.figures.validBallots);
		expect(Number(field('无效票'))).toBe(tally.figures.voidBallots);
		expect(field('票决是否有效')).toBe('本次票决有效');
		expect(Number(field('入选所需赞成票'))).toBe(tally.votesNeeded);
		const header = csv.findIndex((row) => row[0] === '序号');
		expect(csv[header]).toEqual(['序号', '所属方面', '候选项目', '量化目标', '牵头单位', '赞成票', '产生轮次']);
		expect(csv.slice(header + 1).map((row) => [Number(row[5]), row[3]])).toEqual(
			json.chosen.map((entry) => [entry.votes, entry.targets.join('；')])
		);

		const page = await (await anonymous.get(`/results/${session.id}/announcement`)).text();
		expect(page).toContain(`<p class="document-kind">${MEETING}</p>`);
		expect(page).toContain('（第3号）');
		const { figures } = tally;
		expect(page).toContain(`会议应到代表${figures.enrolled}人，实到代表${figures.present}人，符合法定人数。`);
		expect(page).toContain(
			`本次票决发出选票${figures.issued}张，收回选票${figures.returned}张，其中有效票${figures.validBallots}张，无效票${figures.voidBallots}张。`
		);
		expect(page).toContain('收回选票不多于发出选票，本次票决有效。');
		expect(page).toContain(`超过全体代表的半数（${tally.votesNeeded}票）的，始得入选`);
		expect(page).toContain('特此公告。');
		expect(page).toContain(`${MEETING}主席团`);
		expect(page).toContain('href="/document.css"');

		// The next publication of the meeting takes the next number by itself; a number taken is refused.
		const next = await preparedVote(3, 1, 3);
		expect((await applyLifecycle(sql, next.id, 'open', staff.id)).ok).toBe(true);
		expect((await applyLifecycle(sql, next.id, 'close', staff.id)).ok).toBe(true);
		for (const delegate of next.delegates)
			expect(await confirmTally(sql, next.id, delegate.id, await passwordSignIn(sql, delegate.id))).toEqual({
				ok: true
			});
		expect(await applyLifecycle(sql, next.id, 'publish', publisher.id, { announcementNumber: 3 })).toEqual({
			ok: false,
			error: 'announcement_number_taken'
		});
		expect((await applyLifecycle(sql, next.id, 'publish', publisher.id)).ok).toBe(true);
		const nextJson = (await (await anonymous.get(`/results/${next.id}/announcement.json`)).json()) as Announcement;
		expect(nextJson.number).toBe(4);
		expect(nextJson.chosen).toEqual([]);
		expect(await (await anonymous.get(`/results/${next.id}/announcement`)).text()).toContain(
			'本次票决没有候选项目获得超过半数的赞成票'
		);
	});

	it('states the further vote and, once it is published, the final list of both rounds', async () => {
		const { sql } = database;
		const first = await preparedVote(4, 2, 5);
		const c = first.candidateIds;
		expect((await applyLifecycle(sql, first.id, 'open', staff.id)).ok).toBe(true);
		// c0 on 4, c1 and c2 tied on 3 for the last place.
		for (const [index, ticks] of [
			[0, 1],
			[0, 1],
			[0, 2],
			[0, 2],
			[1, 2]
		].entries()) {
			await castBallot(sql, {
				votingSessionId: first.id,
				delegateId: first.delegates[index]!.id,
				selection: { method: 'approval', candidateIds: ticks.map((position) => c[position]!) }
			});
		}
		expect((await applyLifecycle(sql, first.id, 'close', staff.id)).ok).toBe(true);
		await confirmAndPublish(first, first.id, 11);
		const anonymous = new Visitor(app.baseUrl);
		const pending = (await (await anonymous.get(`/results/${first.id}/announcement.json`)).json()) as Announcement;
		expect(pending.furtherVote).toMatchObject({ kind: 'tie', seats: 1, rounds: [], complete: false });
		expect(await (await anonymous.get(`/results/${first.id}/announcement`)).text()).toContain(
			'须就票数相等的候选项目再次投票，确定其余1个名额'
		);

		const made = await createFollowUp(sql, first.id, staff.id);
		if (!made.ok) throw new Error(made.error);
		expect((await applyLifecycle(sql, made.id, 'open', staff.id)).ok).toBe(true);
		for (const [index, ticks] of [[1], [1], [2], [2], [2]].entries()) {
			await castBallot(sql, {
				votingSessionId: made.id,
				delegateId: first.delegates[index]!.id,
				selection: { method: 'approval', candidateIds: ticks.map((position) => c[position]!) }
			});
		}
		expect((await applyLifecycle(sql, made.id, 'close', staff.id)).ok).toBe(true);
		await confirmAndPublish(first, made.id, 12);

		const done = (await (await anonymous.get(`/results/${first.id}/announcement.json`)).json()) as Announcement;
		expect(done.furtherVote).toMatchObject({
			kind: 'tie',
			rounds: [{ id: made.id, status: 'published', number: 12 }],
			complete: true
		});
		expect(done.furtherVote?.finalList.map((entry) => [entry.candidateId, entry.round, entry.votes])).toEqual([
			[c[0], 1, 4],
			[c[2], 2, 3]
		]);
		const page = await (await anonymous.get(`/results/${first.id}/announcement`)).text();
		expect(page).toContain('再次投票（票数相等）已经举行，结果见主席团公告第12号');
		expect(page).toContain('经另行票决，最终入选的民生实事项目（2个）如下');
		const csv = csvRows(await (await anonymous.get(`/results/${first.id}/announcement.csv`)).text());
		const header = csv.findIndex((row) => row[0] === '序号');
		expect(csv.slice(header + 1).map((row) => [row[2], row[6]])).toEqual(
			done.furtherVote!.finalList.map((entry) => [entry.title, String(entry.round)])
		);
		const second = (await (await anonymous.get(`/results/${made.id}/announcement.json`)).json()) as Announcement;
		expect(second.followUpOf).toMatchObject({ id: first.id, kind: 'tie' });
		expect(second.chosen.map((entry) => [entry.candidateId, entry.round])).toEqual([[c[2], 2]]);

		expect((await anonymous.get(`/results/${first.id}/announcement.xml`)).status).toBe(404);
	});
});
