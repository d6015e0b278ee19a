// The two-person rule and how scrutineers prove themselves (issue 12, item 1), as staff, delegates
// and scrutineers use the built server: a one-time code never signs in an account that holds a
// staff or scrutineer role, a code sign-in carries the delegate role only and only for the vote its
// code was issued for, and confirming a tally needs the scrutineer's own password sign-in (with
// the second factor where enrolled). Re-issuing a code while voting is open ends the sign-ins made
// with the old one and is audited with its reason (item 2's second half).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { issueAccessCodes } from '../../src/lib/server/electorate/access-codes';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn, TEST_PASSWORD, type TestSession } from '../helpers/factory';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let staffVisitor: Visitor;

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	staffVisitor = new Visitor(app.baseUrl);
	expect((await staffVisitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
});
afterAll(async () => {
	await app?.stop();
});

/** A visitor holding a sign-in of the user made the given way (as the sign-in pages make them). */
async function visitorSignedIn(userId: number, openedBy: 'password' | 'two_factor' | 'access_code', scope?: number[]) {
	const { token } = await createSession(database.sql, userId, { openedBy, votingSessionScope: scope });
	return new Visitor(app.baseUrl, { cookie: `${SESSION_COOKIE}=${token}` });
}

async function codeOf(sessionId: number, delegateId: number, reason?: string): Promise<string> {
	const issued = await issueAccessCodes(database.sql, {
		votingSessionId: sessionId,
		delegateId,
		actorUserId: staff.id,
		reason
	});
	if (!issued.ok) throw new Error(`issuing failed: ${issued.error}`);
	return issued.credentials[0]!.code;
}

async function signInWithCode(code: string): Promise<Visitor> {
	const visitor = new Visitor(app.baseUrl);
	const response = await visitor.post('/login/code?/once', { code });
	expect(response.status, await response.text()).toBe(303);
	return visitor;
}

async function addRole(userId: number, role: string) {
	await database.sql`insert into user_role (user_id, role) values (${userId}, ${role})`;
}

describe('access codes and accounts that hold staff or scrutineer roles', () => {
	it('refuses to issue a code to a delegate who is also a scrutineer, from the page and in the database', async () => {
		const session = await createVotingSession(database.sql, { delegates: 3, open: false });
		const both = session.delegates[0]!;
		await addRole(both.id, 'scrutineer');

		// The reported attack began here: staff printed a code for this account.
		const one = await staffVisitor.post(`/admin/sessions/${session.id}/credentials?/issue`, {
			scope: 'one',
			delegateId: String(both.id)
		});
		expect(one.status).toBe(409);
		expect(await one.text()).toContain('不发一次性登录码');

		const all = await staffVisitor.post(`/admin/sessions/${session.id}/credentials?/issue`, {
			scope: 'all',
			confirm: 'yes'
		});
		expect(all.status).toBe(200);
		const sheets = await all.text();
		expect(sheets).toContain('1 名代表同时担任工作人员或监票人');
		expect(sheets.match(/class="access-code\b/g)).toHaveLength(2);
		const [row] = await database.sql<{ codes: number }[]>`
			select count(*)::int as codes from access_code where user_id = ${both.id}`;
		expect(row!.codes).toBe(0);

		await expect(
			database.sql`insert into access_code (user_id, code_hash, voting_session_id) values (${both.id}, ${Buffer.alloc(32, 7)}, ${session.id})`
		).rejects.toMatchObject({ code: 'PJ110' });
	});

	it('does not sign in with a code an account that became staff or scrutineer after the code was issued', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2 });
		const delegate = session.delegates[0]!;
		const code = await codeOf(session.id, delegate.id, 'first issue during the vote');
		await addRole(delegate.id, 'scrutineer');
		const visitor = new Visitor(app.baseUrl);
		const response = await visitor.post('/login/code?/once', { code });
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('不能用登录码登录');
		expect(visitor.hasCookie(SESSION_COOKIE)).toBe(false);
	});

	it('gives a code sign-in the delegate role only, whatever else the account holds', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1 });
		const delegate = session.delegates[0]!;
		await addRole(delegate.id, 'staff'); // as if a code sign-in of a staff member existed
		const visitor = await visitorSignedIn(delegate.id, 'access_code', [session.id]);
		expect((await visitor.get('/admin')).status).toBe(403);
		expect((await visitor.get(`/admin/sessions/${session.id}`)).status).toBe(403);
		expect((await visitor.get(`/vote/${session.id}`)).status).toBe(200);
	});
});

describe('a code sign-in', () => {
	it('votes only in the vote its code was issued for, and reaches nothing else', async () => {
		const first = await createVotingSession(database.sql, { delegates: 1, candidates: 3, seats: 1 });
		const second = await createVotingSession(database.sql, { delegates: 1, candidates: 3, seats: 1, open: false });
		// The delegate is enrolled in the second vote too, and checked in at the hall (its quorum needs them).
		await database.sql`insert into electorate_member (voting_session_id, delegate_id, present) values (${second.id}, ${first.delegates[0]!.id}, true)`;
		expect((await applyLifecycle(database.sql, second.id, 'open', null)).ok).toBe(true);
		const delegate = first.delegates[0]!;
		const visitor = await signInWithCode(await codeOf(first.id, delegate.id, 'the sheet was lost'));

		const list = await (await visitor.get('/vote')).text();
		expect(list).toContain(`/vote/${first.id}`);
		expect(list).not.toContain(`/vote/${second.id}`);
		const elsewhere = await visitor.get(`/vote/${second.id}`);
		expect(elsewhere.status).toBe(403);
		expect(await elsewhere.text()).toContain('为另一场票决签发');
		const castElsewhere = await visitor.post(`/vote/${second.id}?/cast`, [
			['candidate', String(second.candidateIds[0])]
		]);
		expect(castElsewhere.status).toBe(403);
		expect((await visitor.get('/me/monitoring')).status).toBe(403);
		expect((await visitor.get('/account/security')).status).toBe(403);

		const cast = await visitor.post(`/vote/${first.id}?/cast`, [['candidate', String(first.candidateIds[0])]]);
		expect(cast.status).toBe(200);
		const [marks] = await database.sql<{ first: number; second: number }[]>`
			select (select count(*) from ballot_mark where voting_session_id = ${first.id})::int as first,
			       (select count(*) from ballot_mark where voting_session_id = ${second.id})::int as second`;
		expect(marks).toEqual({ first: 1, second: 0 });
	});

	it('ends when the delegate’s code is issued again during the vote, which asks for a reason and audits it', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2 });
		const delegate = session.delegates[0]!;
		const visitor = await signInWithCode(await codeOf(session.id, delegate.id, 'first sheet'));
		expect((await visitor.get(`/vote/${session.id}`)).status).toBe(200);

		const withoutReason = await staffVisitor.post(`/admin/sessions/${session.id}/credentials?/issue`, {
			scope: 'one',
			delegateId: String(delegate.id)
		});
		expect(withoutReason.status).toBe(409);
		expect(await withoutReason.text()).toContain('须填写原因');
		expect((await visitor.get(`/vote/${session.id}`)).status).toBe(200);

		const reissued = await staffVisitor.post(`/admin/sessions/${session.id}/credentials?/issue`, {
			scope: 'one',
			delegateId: String(delegate.id),
			reason: '代表报告登录码被他人看到'
		});
		expect(reissued.status).toBe(200);
		expect(await reissued.text()).toContain('用旧登录码登录的 1 个会话已结束');
		const after = await visitor.get(`/vote/${session.id}`);
		expect(after.status).toBe(303);
		expect(after.headers.get('location')).toContain('/login');

		const [entry] = await database.sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'credentials.issued' and voting_session_id = ${session.id}
			order by seq desc limit 1`;
		expect(entry!.details).toMatchObject({ reason: '代表报告登录码被他人看到', endedSessions: 1, scope: 'one' });
	});
});

describe('confirming a tally', () => {
	async function closedSession(): Promise<TestSession> {
		const session = await createVotingSession(database.sql, { delegates: 2, candidates: 3, seats: 1 });
		const cast = await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
		expect(cast.ok).toBe(true);
		expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
		return session;
	}

	it('needs the scrutineer’s own password sign-in, with the second step where they enrolled one', async () => {
		const session = await closedSession();
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		// An authenticator enrolled: a sign-in with the password alone is not enough.
		await database.sql`insert into two_factor_credential (user_id, secret_ciphertext, last_used_step)
			values (${scrutineer.id}, ${Buffer.alloc(48, 1)}, 0)`;
		const passwordOnly = await visitorSignedIn(scrutineer.id, 'password');
		const page = await (await passwordOnly.get(`/admin/sessions/${session.id}`)).text();
		expect(page).toContain('请退出后用您自己的密码重新登录');
		const refused = await passwordOnly.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' });
		expect(refused.status).toBe(409);
		expect(await refused.text()).toContain('确认需要监票人本人用密码登录');

		const bothSteps = await visitorSignedIn(scrutineer.id, 'two_factor');
		const confirmed = await bothSteps.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' });
		expect(confirmed.status).toBe(200);
		const [row] = await database.sql<{ confirmedBy: number }[]>`
			select confirmed_by as "confirmedBy" from voting_session where id = ${session.id}`;
		expect(row!.confirmedBy).toBe(scrutineer.id);
	});

	it('is refused for a code sign-in and for another user’s sign-in', async () => {
		const session = await closedSession();
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const codeSession = await createSession(database.sql, scrutineer.id, {
			openedBy: 'access_code',
			votingSessionScope: [session.id]
		});
		expect(await confirmTally(database.sql, session.id, scrutineer.id, codeSession.sessionId)).toEqual({
			ok: false,
			error: 'sign_in_again'
		});
		const someoneElse = await passwordSignIn(database.sql, staff.id);
		expect(await confirmTally(database.sql, session.id, scrutineer.id, someoneElse)).toEqual({
			ok: false,
			error: 'sign_in_again'
		});
		expect(
			await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id))
		).toEqual({ ok: true });
	});
});
