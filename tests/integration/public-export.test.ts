// Pattern voting (issue 12, item 7): the public export no longer lists every ballot's exact choices,
// which let a coercer prescribe a signature combination and find it. The public gets the counts per
// candidate, the figures and the digest; the anonymous ballots go to scrutineers and staff after
// closing, and to the public only where the session's setting says so (off by default, its risk
// stated on the form, frozen once voting opens), and then without the per-ballot channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballotsDigest } from '../../src/lib/domain/counting';
import type { BallotContent } from '../../src/lib/domain/types';
import { castBallot } from '../../src/lib/server/voting/casting';
import { enterPaperBatch, confirmPaperBatch } from '../../src/lib/server/voting/paper';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, createVotingSession, passwordSignIn, TEST_PASSWORD } from '../helpers/factory';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let publisher: { id: number; username: string };
let scrutineer: { id: number; username: string };

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	publisher = await createUser(database.sql, ['staff'], 'publisher');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});
afterAll(async () => {
	await app?.stop();
});

/** Opens (unless already open), casts one electronic and one paper ballot, closes, confirms and publishes. */
async function runToPublication(
	sessionId: number,
	delegates: { id: number; username: string }[],
	candidateIds: number[]
) {
	const { sql } = database;
	const cast = await castBallot(sql, {
		votingSessionId: sessionId,
		delegateId: delegates[0]!.id,
		selection: { method: 'approval', candidateIds: [candidateIds[0]!, candidateIds[2]!] }
	});
	expect(cast.ok).toBe(true);
	const paper = await enterPaperBatch(sql, {
		votingSessionId: sessionId,
		enteredBy: staff.id,
		delegateReferences: [delegates[1]!.username],
		ballots: [{ isVoid: false, choices: [{ candidateId: candidateIds[1]!, choice: 'for' }], channel: 'paper' }],
		scrutineerIds: [scrutineer.id],
		note: ''
	});
	if (!paper.ok) throw new Error('the paper batch was refused');
	const signedIn = await passwordSignIn(sql, scrutineer.id);
	expect(
		(await confirmPaperBatch(sql, { batchId: paper.batchId, scrutineerId: scrutineer.id, authSessionId: signedIn })).ok
	).toBe(true);
	expect((await applyLifecycle(sql, sessionId, 'close', staff.id)).ok).toBe(true);
	expect((await confirmTally(sql, sessionId, scrutineer.id, signedIn)).ok).toBe(true);
	expect((await applyLifecycle(sql, sessionId, 'publish', publisher.id)).ok).toBe(true);
}

describe('the public export of a result', () => {
	it('carries the counts, the figures and the digest, but not the ballots, by default', async () => {
		const session = await createVotingSession(database.sql, { candidates: 5, seats: 2, delegates: 3 });
		await runToPublication(session.id, session.delegates, session.candidateIds);

		const publicJson = await (await fetch(`${app.baseUrl}/results/${session.id}/export.json`)).text();
		const exported = JSON.parse(publicJson) as {
			ballots?: unknown;
			tally: { ballotsDigest: string; candidates: unknown[] };
		};
		expect(exported.ballots).toBeUndefined();
		expect(publicJson).not.toContain('"channel"');
		expect(exported.tally.candidates).toHaveLength(5);
		expect(exported.tally.ballotsDigest).toMatch(/^[0-9a-f]{64}$/);
		expect(exported).toMatchObject({ tally: { ballotsCast: 2, electronicBallots: 1, paperBallots: 1 } });

		// Scrutineers and staff have the anonymous ballots for a recount.
		const scrutineerVisitor = new Visitor(app.baseUrl);
		expect((await scrutineerVisitor.signIn(scrutineer.username, TEST_PASSWORD)).status).toBe(303);
		const forScrutiny = (await (await scrutineerVisitor.get(`/admin/sessions/${session.id}/export.json`)).json()) as {
			ballots: BallotContent[];
			tally: { ballotsDigest: string };
		};
		expect(forScrutiny.ballots).toHaveLength(2);
		expect(ballotsDigest(forScrutiny.ballots)).toBe(forScrutiny.tally.ballotsDigest);
	});

	it('publishes the ballots, without their channel, only where the session was set up so, with the risk stated', async () => {
		const candidateIds = await createCandidates(database.sql, 5);
		const staffVisitor = new Visitor(app.baseUrl);
		expect((await staffVisitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
		const form = await (await staffVisitor.get('/admin/sessions/new')).text();
		expect(form).toContain('可以指定一个特殊组合');
		const created = await staffVisitor.post('/admin/sessions/new', [
			['title', '公开选票明细的票决'],
			['year', '2024'],
			['ballotMethod', 'approval'],
			['seats', '2'],
			['thresholdBase', 'cast'],
			['opensAt', ''],
			['closesAt', ''],
			['publishBallots', 'yes'],
			...candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		]);
		expect(created.status).toBe(303);
		const sessionId = Number(/\/admin\/sessions\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1]);
		const delegates = await createUserDelegates(sessionId);
		expect(await applyLifecycle(database.sql, sessionId, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
		// Frozen once voting opened.
		await expect(
			database.sql`update voting_session set publish_ballots = false where id = ${sessionId}`
		).rejects.toMatchObject({ code: 'PJ130' });
		await runToPublication(sessionId, delegates, candidateIds);

		const publicJson = await (await fetch(`${app.baseUrl}/results/${sessionId}/export.json`)).text();
		const exported = JSON.parse(publicJson) as { ballots: BallotContent[]; tally: { ballotsDigest: string } };
		expect(exported.ballots).toHaveLength(2);
		expect(publicJson).not.toContain('"channel"');
		expect(ballotsDigest(exported.ballots)).toBe(exported.tally.ballotsDigest);
	});
});

async function createUserDelegates(sessionId: number) {
	const first = await createUser(database.sql, ['delegate'], 'delegate');
	const second = await createUser(database.sql, ['delegate'], 'delegate');
	await database.sql`insert into electorate_member (voting_session_id, delegate_id) values (${sessionId}, ${first.id}), (${sessionId}, ${second.id})`;
	// The whole electorate (a new session's defaults to the roster) checked in at the hall: the quorum is met.
	await database.sql`update electorate_member set present = true where voting_session_id = ${sessionId}`;
	return [first, second];
}
