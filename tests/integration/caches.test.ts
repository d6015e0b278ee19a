// What each instance keeps in memory (issue 16), as two instances behind one balancer would show
// it: a signed-in session validated moments ago, and the public pages (candidate list, candidate
// page, published result, announcement). A change made through one instance, or straight in the
// database, reaches the other at once through NOTIFY: a sign-out is refused there, a page shows
// the change on the next request once the notification has arrived (a moment after the commit,
// asserted within a second). Nothing personal is served from memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { SESSION_CACHE_SECONDS } from '../../src/lib/server/auth/session-cache';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { castBallot } from '../../src/lib/server/voting/casting';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCandidates, createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';

let database: TestDatabase;
let first: RunningApp;
let second: RunningApp;

beforeAll(async () => {
	database = await createTestDatabase();
	[first, second] = await Promise.all([startApp(database.url), startApp(database.url)]);
});
afterAll(async () => {
	await Promise.all([first?.stop(), second?.stop()]);
	await database?.drop();
});

/** A browser holding a signed-in session's cookie, on one instance. */
function browserWith(app: RunningApp, token: string): Visitor {
	return new Visitor(app.baseUrl, { cookie: `${SESSION_COOKIE}=${token}` });
}

/** Asks until `ask` says yes; returns how long it took (ms), or null after `withinMs`. */
async function becomesTrueWithin(ask: () => Promise<boolean>, withinMs: number): Promise<number | null> {
	const started = Date.now();
	while (Date.now() - started <= withinMs) {
		if (await ask()) return Date.now() - started;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return null;
}

const signedIn = async (visitor: Visitor) => (await visitor.get('/me')).status === 200;

describe('a signed-in session kept in memory', () => {
	it('is refused on the other instance as soon as it is signed out on one (well within the cache’s seconds)', async () => {
		const resident = await createUser(database.sql, ['resident'], 'resident');
		const { token } = await createSession(database.sql, resident.id);
		const onFirst = browserWith(first, token);
		const onSecond = browserWith(second, token);
		// Validated on both: each instance keeps it now.
		expect(await signedIn(onFirst)).toBe(true);
		expect(await signedIn(onSecond)).toBe(true);
		expect(await signedIn(onSecond)).toBe(true);
		expect((await onFirst.post('/logout', {})).status).toBe(303);
		// The very next request to the other instance; polling only guards against a slow machine.
		const delay = await becomesTrueWithin(async () => !(await signedIn(onSecond)), SESSION_CACHE_SECONDS * 1000);
		expect(delay).not.toBeNull();
		expect(delay!).toBeLessThan(1000); // NOTIFY, not the cache's expiry
	});

	it('serves a sign-in from memory for a few seconds, then asks the database again', async () => {
		const resident = await createUser(database.sql, ['resident'], 'resident');
		const { token, sessionId } = await createSession(database.sql, resident.id);
		const onSecond = browserWith(second, token);
		expect(await signedIn(onSecond)).toBe(true);
		// Removed behind the instances' backs (the owner, the notifying trigger switched off): the
		// instance that validated it moments ago still has it, for at most SESSION_CACHE_SECONDS.
		await database.ownerSql.begin(async (tx) => {
			await tx`alter table auth_session disable trigger auth_session_notify`;
			await tx`delete from auth_session where id = ${sessionId}`;
			await tx`alter table auth_session enable trigger auth_session_notify`;
		});
		const removedAt = Date.now();
		expect(await signedIn(onSecond)).toBe(true);
		const delay = await becomesTrueWithin(async () => !(await signedIn(onSecond)), (SESSION_CACHE_SECONDS + 2) * 1000);
		expect(delay).not.toBeNull();
		expect(Date.now() - removedAt).toBeLessThanOrEqual((SESSION_CACHE_SECONDS + 2) * 1000);
	});

	it('follows a disabled account and a role taken away on every instance', async () => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const delegate = await createUser(database.sql, ['delegate'], 'delegate');
		const other = await createUser(database.sql, ['staff'], 'staff');
		const delegateToken = (await createSession(database.sql, delegate.id)).token;
		const otherToken = (await createSession(database.sql, other.id)).token;
		const delegateOnSecond = browserWith(second, delegateToken);
		const otherOnSecond = browserWith(second, otherToken);
		expect(await signedIn(delegateOnSecond)).toBe(true);
		expect((await otherOnSecond.get('/admin')).status).toBe(200);

		// Staff disable the delegate on the first instance (the roster's own form).
		const admin = new Visitor(first.baseUrl);
		expect((await admin.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
		expect((await admin.post('/admin/delegates?/disable', { delegateId: String(delegate.id) })).status).toBe(200);
		expect(await becomesTrueWithin(async () => !(await signedIn(delegateOnSecond)), 1000)).not.toBeNull();

		// A role taken away in the database (e.g. by the CLI): the next page says so.
		await database.sql`delete from user_role where user_id = ${other.id} and role = 'staff'`;
		expect(
			await becomesTrueWithin(async () => (await otherOnSecond.get('/admin')).status === 403, 1000)
		).not.toBeNull();
	});
});

describe('public pages kept in memory', () => {
	let session: TestSession;
	let staff: { id: number; username: string };

	beforeAll(async () => {
		session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 3 });
		for (const delegate of session.delegates.slice(0, 2))
			await castBallot(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
			});
		staff = await createUser(database.sql, ['staff'], 'staff');
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
		expect(
			await confirmTally(
				database.sql,
				session.id,
				scrutineer.id,
				(await createSession(database.sql, scrutineer.id)).sessionId
			)
		).toEqual({ ok: true });
		expect((await applyLifecycle(database.sql, session.id, 'publish', staff.id)).ok).toBe(true);
	});

	async function candidateTitle(id: number): Promise<string> {
		const [row] = await database.sql<{ title: string }[]>`select title from candidate where id = ${id}`;
		return row!.title;
	}

	it('answers a repeat visit with 304, and a fresh CSP nonce to every visitor', async () => {
		const path = `/results/${session.id}`;
		const firstVisit = await fetch(`${second.baseUrl}${path}`);
		const secondVisit = await fetch(`${second.baseUrl}${path}`);
		expect(firstVisit.status).toBe(200);
		const etag = firstVisit.headers.get('etag');
		expect(etag).toMatch(/^W\/"/);
		expect(secondVisit.headers.get('etag')).toBe(etag);
		const nonceOf = (response: Response) =>
			/'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
		const [firstHtml, secondHtml] = [await firstVisit.text(), await secondVisit.text()];
		expect(nonceOf(firstVisit)).toBeDefined();
		expect(nonceOf(firstVisit)).not.toBe(nonceOf(secondVisit));
		expect(firstHtml).toContain(`nonce="${nonceOf(firstVisit)}"`);
		expect(secondHtml).toContain(`nonce="${nonceOf(secondVisit)}"`);
		expect(secondHtml.replaceAll(nonceOf(secondVisit)!, '')).toBe(firstHtml.replaceAll(nonceOf(firstVisit)!, ''));
		const repeat = await fetch(`${second.baseUrl}${path}`, { headers: { 'if-none-match': etag! } });
		expect(repeat.status).toBe(304);
		expect(await repeat.text()).toBe('');
		// The language is part of what is kept.
		const english = await fetch(`${second.baseUrl}${path}`, { headers: { 'accept-language': 'en' } });
		expect(english.headers.get('etag')).not.toBe(etag);
		expect(await english.text()).toContain('lang="en"');
	});

	it('shows a change made through one instance on the other within a second of the commit', async () => {
		// A candidate in no opened vote can still change (staff edit it on its form).
		const target = (await createCandidates(database.sql, 1))[0]!;
		const before = await candidateTitle(target);
		for (const app of [first, second]) {
			for (const path of ['/projects', `/projects/${target}`]) {
				await fetch(`${app.baseUrl}${path}`);
				const kept = await fetch(`${app.baseUrl}${path}`);
				expect(kept.headers.get('etag')).toMatch(/^W\//); // from memory
				expect(await kept.text()).toContain(before);
			}
		}
		// A write the notifying trigger does not see (switched off by the owner) leaves the kept
		// pages as they were: they come from memory, and the trigger is what refreshes them.
		await database.ownerSql.begin(async (tx) => {
			await tx`alter table candidate disable trigger candidate_notify_public`;
			await tx`update candidate set summary = 'unseen' where id = ${target}`;
			await tx`alter table candidate enable trigger candidate_notify_public`;
		});
		expect(await (await fetch(`${second.baseUrl}/projects/${target}`)).text()).not.toContain('unseen');
		// Staff rename it on its form, on the first instance.
		const renamed = `${before}（已更名）`;
		const [row] = await database.sql<{ categoryId: number; position: number }[]>`
			select category_id as "categoryId", position from candidate where id = ${target}`;
		const editor = new Visitor(first.baseUrl);
		expect((await editor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
		const saved = await editor.post(`/admin/candidates/${target}?/save`, {
			categoryId: String(row!.categoryId),
			position: String(row!.position),
			title: renamed,
			summary: 'unseen',
			targets: '',
			leadDepartment: '',
			budgetYuan: '',
			expectedCompletion: ''
		});
		expect(saved.status).toBeLessThan(400);
		expect(await candidateTitle(target)).toBe(renamed);
		// The NOTIFY reaches each instance on its own connection a moment after the commit: the
		// polling (bounded far below the kept pages' safety-net age) only absorbs a loaded machine.
		for (const app of [second, first]) {
			const page = async () => await (await fetch(`${app.baseUrl}/projects/${target}`)).text();
			const list = async () => await (await fetch(`${app.baseUrl}/projects`)).text();
			expect(await becomesTrueWithin(async () => (await page()).includes(renamed), 1000)).not.toBeNull();
			expect(await page()).toContain('unseen');
			expect(await becomesTrueWithin(async () => (await list()).includes(renamed), 1000)).not.toBeNull();
		}
	});

	it('shows a result once published, and the announcement’s chain head after the next audit entry', async () => {
		const open = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		// Not published: nothing kept, the page follows the session.
		const whileOpen = await fetch(`${second.baseUrl}/results/${open.id}`);
		expect(whileOpen.status).toBe(200);
		expect(whileOpen.headers.get('etag') ?? '').not.toMatch(/^W\//);

		const announcement = `/results/${session.id}/announcement`;
		const shown = await (await fetch(`${second.baseUrl}${announcement}`)).text();
		const [head] = await database.sql<{ hash: string }[]>`
			select encode(hash, 'hex') as hash from audit_entry order by seq desc limit 1`;
		expect(shown).toContain(head!.hash);
		// A staff action elsewhere appends to the chain: the announcement shows the new head.
		await applyLifecycle(database.sql, open.id, 'close', staff.id);
		const [newHead] = await database.sql<{ hash: string }[]>`
			select encode(hash, 'hex') as hash from audit_entry order by seq desc limit 1`;
		const shownNow = async () =>
			(await (await fetch(`${second.baseUrl}${announcement}`)).text()).includes(newHead!.hash);
		expect(await becomesTrueWithin(shownNow, 1000)).not.toBeNull();
	});

	it('keeps nothing for a signed-in visitor, who sees their own header', async () => {
		const resident = await createUser(database.sql, ['resident'], 'resident');
		const visitor = new Visitor(second.baseUrl);
		expect((await visitor.signIn(resident.username, TEST_PASSWORD)).status).toBe(303);
		const page = await visitor.get('/projects');
		expect(page.headers.get('etag') ?? '').not.toMatch(/^W\//);
		expect(await page.text()).toContain(resident.username);
		// Nor does an anonymous visitor see anything of theirs.
		expect(await (await fetch(`${second.baseUrl}/projects`)).text()).not.toContain(resident.username);
	});
});
