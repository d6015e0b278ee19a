// The further vote (再次投票 after a tie at the cut-off, 另行票决 after a shortfall) against real
// PostgreSQL: made in one step from the counted first round, on the right candidates in the right
// order for the places left, with the same electorate, presence, rules and scrutineers; it runs
// like any session, and the first round's results and API show both rounds and the final list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { createFollowUp, roundsSummary } from '../../src/lib/server/voting/follow-up';
import { getProcedure } from '../../src/lib/server/voting/procedure';
import {
	applyLifecycle,
	confirmTally,
	getVotingSession,
	sessionCandidateIds
} from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';
import { runProcedure } from '../helpers/procedure';

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

/** A vote with its procedure done: delegate 0 is 总监票人, 1 and 2 are 监票人; delegates 0–3 present. */
async function preparedVote(candidates: number, seats: number): Promise<TestSession> {
	const session = await createVotingSession(database.sql, {
		candidates,
		seats,
		delegates: 5,
		open: false,
		procedure: 'default'
	});
	const names = session.delegates.map((delegate) => delegate.username);
	await runProcedure(database.sql, session.id, staff.id, { chief: names[0]!, members: [names[1]!, names[2]!] });
	await database.sql`update electorate_member set present = true
		where voting_session_id = ${session.id} and delegate_id = any(${session.delegates.slice(0, 4).map((delegate) => delegate.id)})`;
	return session;
}

/** Each delegate in turn casts the ballot at the same index (candidate indexes of `candidateIds`). */
async function vote(sessionId: number, candidateIds: number[], delegates: TestSession['delegates'], ticks: number[][]) {
	for (const [index, chosen] of ticks.entries()) {
		await castBallot(database.sql, {
			votingSessionId: sessionId,
			delegateId: delegates[index]!.id,
			selection: { method: 'approval', candidateIds: chosen.map((position) => candidateIds[position]!) }
		});
	}
}

async function confirmAndPublish(session: TestSession, sessionId = session.id) {
	for (const delegate of session.delegates.slice(0, 3))
		expect(
			await confirmTally(database.sql, sessionId, delegate.id, await passwordSignIn(database.sql, delegate.id))
		).toEqual({ ok: true });
	expect((await applyLifecycle(database.sql, sessionId, 'publish', publisher.id)).ok).toBe(true);
}

describe('the further vote', () => {
	it('after a tie at the cut-off: the tied candidates, the places at stake, the same electorate and procedure', async () => {
		const { sql } = database;
		const first = await preparedVote(5, 2);
		const c = first.candidateIds;
		expect(await createFollowUp(sql, first.id, staff.id)).toEqual({ ok: false, error: 'not_counted' });
		expect((await applyLifecycle(sql, first.id, 'open', staff.id)).ok).toBe(true);
		// c0: 4 votes; c1 and c2: 3 each, both past the threshold (3 of 5), for the one place left.
		await vote(first.id, c, first.delegates, [
			[0, 1],
			[0, 1],
			[0, 2],
			[0, 2],
			[1, 2]
		]);
		expect((await applyLifecycle(sql, first.id, 'close', staff.id)).ok).toBe(true);

		const made = await createFollowUp(sql, first.id, staff.id);
		expect(made).toMatchObject({ ok: true, kind: 'tie', candidates: 2, seats: 1 });
		if (!made.ok) return;
		expect(await createFollowUp(sql, first.id, staff.id)).toEqual({ ok: false, error: 'already_made' });

		const second = await getVotingSession(sql, made.id);
		// The same electorate and presence as the first round at its close.
		const presentAtClose = (await getVotingSession(sql, first.id))?.present;
		expect(presentAtClose).toBeGreaterThanOrEqual(4);
		expect(second).toMatchObject({
			status: 'draft',
			year: 2022,
			rules: { ballotMethod: 'approval', seats: 1, thresholdBase: 'enrolled' },
			enrolled: 5,
			present: presentAtClose,
			candidateCount: 2
		});
		expect(second?.title).toMatch(/（再次投票）$/);
		expect(await sessionCandidateIds(sql, made.id)).toEqual([c[1], c[2]]);
		const procedure = await getProcedure(sql, made.id);
		expect(procedure).toMatchObject({
			followUpOf: first.id,
			followUpKind: 'tie',
			rulesAdoption: { by: 'presidium', on: '2022-01-18' },
			review: { on: '2022-01-10' },
			scrutineersApproval: { by: 'plenary', on: '2022-01-19' }
		});
		expect(procedure?.storedRulesText).toBe((await getProcedure(sql, first.id))?.storedRulesText);
		expect(procedure?.scrutineers.map((entry) => [entry.userId, entry.duty])).toEqual([
			[first.delegates[0]!.id, 'chief'],
			[first.delegates[1]!.id, 'member'],
			[first.delegates[2]!.id, 'member']
		]);
		expect((await getProcedure(sql, first.id))?.followUps).toEqual([{ id: made.id, kind: 'tie', status: 'draft' }]);

		// It runs like any session: opens without further steps, c2 wins 3 to 2.
		expect(await applyLifecycle(sql, made.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
		await vote(made.id, [c[1]!, c[2]!], first.delegates, [[0], [1], [1], [0], [1]]);
		expect((await applyLifecycle(sql, made.id, 'close', staff.id)).ok).toBe(true);
		expect(await createFollowUp(sql, made.id, staff.id)).toEqual({ ok: false, error: 'nothing_to_settle' });
		await confirmAndPublish(first, made.id);

		// Until the first round is published, its further vote's result stands alone; then both, and the final list.
		await confirmAndPublish(first);
		const summary = await roundsSummary(sql, first.id);
		expect(summary).toMatchObject({
			rounds: [
				{ id: first.id, kind: null, status: 'published' },
				{ id: made.id, kind: 'tie', status: 'published' }
			],
			complete: true
		});
		expect(summary?.finalList.map((entry) => [entry.candidateId, entry.round, entry.votes, entry.place])).toEqual([
			[c[0], 1, 4, 1],
			[c[2], 2, 3, 2]
		]);
		expect(await roundsSummary(sql, made.id)).toEqual(summary);
		// The year's projects follow the final list.
		const projects = await sql<{ candidateId: number; rank: number }[]>`
			select candidate_id as "candidateId", rank from livelihood_project
			where voting_session_id in (${first.id}, ${made.id}) order by rank`;
		expect(projects).toEqual([
			{ candidateId: c[0], rank: 1 },
			{ candidateId: c[2], rank: 2 }
		]);

		// The API links them both ways and carries the rounds; the results page shows both.
		const anonymous = new Visitor(app.baseUrl);
		const firstApi = (await (await anonymous.get(`/api/sessions/${first.id}`)).json()) as Record<string, unknown>;
		expect(firstApi).toMatchObject({
			followUpOf: null,
			followUps: [{ id: made.id, kind: 'tie', status: 'published' }]
		});
		const secondApi = (await (await anonymous.get(`/api/sessions/${made.id}`)).json()) as Record<string, unknown>;
		expect(secondApi).toMatchObject({ followUpOf: first.id, followUpKind: 'tie', followUps: [] });
		const results = (await (await anonymous.get(`/api/sessions/${first.id}/results`)).json()) as {
			rounds: { finalList: { candidateId: number; round: number }[]; complete: boolean };
		};
		expect(results.rounds.complete).toBe(true);
		expect(results.rounds.finalList.map((entry) => [entry.candidateId, entry.round])).toEqual([
			[c[0], 1],
			[c[2], 2]
		]);
		const page = await (await anonymous.get(`/results/${first.id}`)).text();
		expect(page).toContain('各轮票决与最终入选项目');
		expect(page).toContain(`href="/results/${made.id}"`);
		expect(page).toContain('再次投票（票数相等）');
	});

	it('after a shortfall: the candidates not chosen in first-round vote order, for the places left', async () => {
		const { sql } = database;
		const first = await preparedVote(5, 3);
		const c = first.candidateIds;
		expect((await applyLifecycle(sql, first.id, 'open', staff.id)).ok).toBe(true);
		// Only c0 passes (5 of 5); then c3 (2), c1 (1), c4 (1), c2 (0): two places left.
		await vote(first.id, c, first.delegates, [[0, 3], [0, 3], [0, 1], [0, 4], [0]]);
		expect((await applyLifecycle(sql, first.id, 'close', staff.id)).ok).toBe(true);

		// Made from the CLI as an operator would, which prints the new session's id.
		const made = runCli(['session:followup', String(first.id), '--as', staff.username], { databaseUrl: database.url });
		expect(made.code).toBe(0);
		const id = Number(/created further vote (\d+) \(shortfall\)/.exec(made.stdout)?.[1]);
		expect(made.stdout).toContain(`of session ${first.id}, a draft: 4 candidates for 2 place(s)`);
		expect(await sessionCandidateIds(sql, id)).toEqual([c[3], c[1], c[4], c[2]]);
		const second = await getVotingSession(sql, id);
		expect(second?.rules.seats).toBe(2);
		expect(second?.title).toMatch(/（另行票决）$/);
		expect((await getProcedure(sql, id))?.followUpKind).toBe('shortfall');
		expect(
			runCli(['session:followup', String(first.id), '--as', staff.username], { databaseUrl: database.url }).stderr
		).toContain("This round's further vote exists already");
	});

	it('is linked only to a counted first round with something to settle, once (the database holds it)', async () => {
		const { sql } = database;
		const plain = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2 });
		await vote(plain.id, plain.candidateIds, plain.delegates, [[0], [0]]);
		expect((await applyLifecycle(sql, plain.id, 'close', staff.id)).ok).toBe(true);
		expect(await createFollowUp(sql, plain.id, staff.id)).toEqual({ ok: false, error: 'nothing_to_settle' });
		const other = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2, open: false });
		await expect(
			sql`update session_procedure set follow_up_of = ${plain.id}, follow_up_kind = 'tie' where voting_session_id = ${other.id}`
		).rejects.toMatchObject({ code: 'PJ313' });
		const open = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2 });
		await expect(
			sql`update session_procedure set follow_up_of = ${open.id}, follow_up_kind = 'shortfall' where voting_session_id = ${other.id}`
		).rejects.toMatchObject({ code: 'PJ313' });
	});
});
