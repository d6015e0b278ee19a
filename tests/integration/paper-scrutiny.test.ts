// A paper batch counts only once each scrutineer it names has confirmed it with their own sign-in
// (issue 12, item 2): staff alone can no longer enter ballots for an absent delegate and name a
// scrutineer who was not there. Run as the app's runtime role; the pages as a scrutineer uses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { voteTally } from '../../src/lib/domain/tally';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { castBallot } from '../../src/lib/server/voting/casting';
import { confirmPaperBatch, enterPaperBatch, rejectPaperBatch } from '../../src/lib/server/voting/paper';
import { verifyTally } from '../../src/lib/server/voting/results';
import { applyLifecycle, getVotingSession } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { countRows, createUser, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';

const database = useTestDatabase();
let staff: { id: number; username: string };
let first: { id: number; username: string };
let second: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	first = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	second = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});

async function enter(session: TestSession, delegates: number[], text: string, scrutineerIds: number[]) {
	const reading = readPaperBallots('approval', 2, session.candidateIds, text);
	if (!reading.ok) throw new Error('unreadable test ballots');
	const result = await enterPaperBatch(database.sql, {
		votingSessionId: session.id,
		enteredBy: staff.id,
		delegateReferences: delegates.map((index) => session.delegates[index]!.username),
		ballots: reading.ballots,
		scrutineerIds,
		note: ''
	});
	if (!result.ok) throw new Error(`the batch was refused: ${JSON.stringify(result.error)}`);
	return result.batchId;
}

async function waiting(sessionId: number): Promise<number> {
	const [row] = await database.ownerSql<{ count: number }[]>`
		select count(*)::int as count from paper_batch_ballot where voting_session_id = ${sessionId}`;
	return row!.count;
}

async function presentCount(sessionId: number): Promise<number> {
	const [row] = await database.sql<{ count: number }[]>`
		select count(*)::int as count from electorate_member where voting_session_id = ${sessionId} and present`;
	return row!.count;
}

describe('a paper batch awaits the scrutineers it names', () => {
	it('counts nothing of a batch until each named scrutineer confirmed it with their own sign-in', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 4 });
		// Staff enter the paper ballots of two delegates (checked in at the hall, as a paper ballot
		// needs since issue 13) and name two scrutineers.
		const batchId = await enter(session, [0, 1], '1 2\n3', [first.id, second.id]);
		expect(await countRows(sql, session.id)).toEqual({ marks: 2, ballots: 0, choices: 0 });
		expect(await waiting(session.id)).toBe(2);
		expect((await getVotingSession(sql, session.id))?.cast).toBe(0);
		expect(await presentCount(session.id)).toBe(4);
		// The delegates cannot vote again meanwhile.
		const again = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		expect(again).toEqual({ ok: false, error: { code: 'already_voted' } });
		// Voting cannot close over a waiting batch, in the app or in the database.
		expect(await applyLifecycle(sql, session.id, 'close', staff.id)).toEqual({
			ok: false,
			error: 'paper_batch_pending'
		});
		await expect(sql`update voting_session set status = 'closed' where id = ${session.id}`).rejects.toMatchObject({
			code: 'PJ124'
		});

		// One scrutineer confirms: still waiting for the other.
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: first.id,
				authSessionId: await passwordSignIn(sql, first.id)
			})
		).toEqual({ ok: true, status: 'pending' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 2, ballots: 0, choices: 0 });
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: first.id,
				authSessionId: await passwordSignIn(sql, first.id)
			})
		).toEqual({ ok: false, error: 'already_confirmed' });
		// The second: the batch is counted (its delegates stay present, as they were checked in).
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: second.id,
				authSessionId: await passwordSignIn(sql, second.id)
			})
		).toEqual({ ok: true, status: 'counted' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 2, ballots: 2, choices: 3 });
		expect(await waiting(session.id)).toBe(0);
		expect((await getVotingSession(sql, session.id))?.cast).toBe(2);
		expect(await presentCount(session.id)).toBe(4);

		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		const tally = voteTally(verification!.recomputed);
		expect(tally).toMatchObject({ ballotsCast: 2, paperBallots: 2 });
		expect(tally.candidates.find((row) => row.candidateId === session.candidateIds[0])?.for).toBe(1);
		const audit = await sql<{ action: string; details: Record<string, unknown> }[]>`
			select action, details from audit_entry where voting_session_id = ${session.id} and action like 'paper_batch.%' order by seq`;
		expect(audit.map((entry) => [entry.action, entry.details.counted ?? entry.details.status])).toEqual([
			['paper_batch.entered', 'pending'],
			['paper_batch.confirmed', false],
			['paper_batch.confirmed', true]
		]);
	});

	it('refuses a confirmation from a scrutineer the batch does not name, a code sign-in, or staff', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2 });
		const batchId = await enter(session, [0], '1', [first.id]);
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: second.id,
				authSessionId: await passwordSignIn(sql, second.id)
			})
		).toEqual({ ok: false, error: 'not_named' });
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: staff.id,
				authSessionId: await passwordSignIn(sql, staff.id)
			})
		).toEqual({ ok: false, error: 'not_named' });
		const byCode = await createSession(sql, first.id, { openedBy: 'access_code', votingSessionScope: [session.id] });
		expect(await confirmPaperBatch(sql, { batchId, scrutineerId: first.id, authSessionId: byCode.sessionId })).toEqual({
			ok: false,
			error: 'sign_in_again'
		});
		// Written directly, as the app's role: the database refuses an unnamed scrutineer and every shortcut.
		await expect(
			sql`insert into paper_batch_confirmation (paper_batch_id, scrutineer_id) values (${batchId}, ${second.id})`
		).rejects.toMatchObject({ code: '23503' });
		await expect(sql`update paper_batch set status = 'counted' where id = ${batchId}`).rejects.toThrow(
			/permission denied/
		);
		await expect(sql`delete from paper_batch_ballot where paper_batch_id = ${batchId}`).rejects.toThrow(
			/permission denied/
		);
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot (voting_session_id, channel) values (${session.id}, 'paper')`;
			})
		).rejects.toMatchObject({ code: 'PJ101' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 0, choices: 0 });
		expect(await waiting(session.id)).toBe(1);
	});

	it('lets a named scrutineer refuse a batch with a reason: its ballots and marks go, its delegates may vote', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
		const batchId = await enter(session, [0, 1], '1\n2', [first.id]);
		expect(
			await rejectPaperBatch(sql, {
				batchId,
				userId: first.id,
				authSessionId: await passwordSignIn(sql, first.id),
				reason: '这两位代表当时不在会场'
			})
		).toEqual({ ok: true, status: 'rejected' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
		expect(await waiting(session.id)).toBe(0);
		const vote = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[3]!] }
		});
		expect(vote.ok).toBe(true);
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: first.id,
				authSessionId: await passwordSignIn(sql, first.id)
			})
		).toEqual({ ok: false, error: 'not_pending' });
		const [entry] = await sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'paper_batch.rejected' and voting_session_id = ${session.id}`;
		expect(entry!.details).toEqual({ batchId, reason: '这两位代表当时不在会场' });
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		expect((await verifyTally(sql, session.id))?.differences).toEqual([]);
	});
});

describe('the paper batch page', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp(database.url);
	});
	afterAll(async () => {
		await app.stop();
	});

	it('shows the named scrutineer what was entered, and counts the batch when they confirm it', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 2 });
		const batchId = await enter(session, [0, 1], '1 2\n作废', [first.id]);
		const { token } = await createSession(database.sql, first.id, { openedBy: 'password' });
		const scrutineer = new Visitor(app.baseUrl, { cookie: `${SESSION_COOKIE}=${token}` });
		const page = await (await scrutineer.get(`/admin/sessions/${session.id}/paper/${batchId}`)).text();
		expect(page).toContain('待监票人确认');
		expect(page).toMatch(/<code[^>]*>1 2<\/code>/);
		expect(page).toMatch(/<code[^>]*>作废<\/code>/);
		const list = await (await scrutineer.get(`/admin/sessions/${session.id}/paper`)).text();
		expect(list).toContain(`/admin/sessions/${session.id}/paper/${batchId}`);

		const confirmed = await scrutineer.post(`/admin/sessions/${session.id}/paper/${batchId}?/confirm`, {
			confirm: 'yes'
		});
		expect(confirmed.status).toBe(200);
		expect(await confirmed.text()).toContain('这一批已计入');
		expect(await countRows(database.sql, session.id)).toEqual({ marks: 2, ballots: 2, choices: 2 });
	});
});
