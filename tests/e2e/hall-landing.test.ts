// Issue 15: after signing in (with no page asking for it) each role lands where its work is: a
// delegate at their open ballot (or the list when several are open), staff at the live session's
// console (or /admin), a scrutineer at /admin, a department at /department, a resident at /me. Voting
// links are offered only to that session's delegates; an evaluation is called 测评. In Chromium on a
// 360 px phone (Chinese) and a 1920 px screen (English).
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { applyLifecycle, enrollDelegates } from '../../src/lib/server/voting/sessions';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { PHONE, PROJECTOR, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

type Account = { id: number; username: string };

async function signInAndLand(page: Page, baseUrl: string, username: string): Promise<string> {
	await page.goto(`${baseUrl}/login`);
	await waitForScripts(page);
	const form = page.locator('main form');
	await form.locator('input[name="username"]').fill(username);
	await form.locator('input[name="password"]').fill(TEST_PASSWORD);
	await form.locator('button[type="submit"]').click();
	await page.waitForURL((url) => url.pathname !== '/login');
	return new URL(page.url()).pathname;
}

describe('landing by role after sign-in (issue 15)', () => {
	let first: TestSession;
	let second: TestSession;
	let accounts: Record<'staff' | 'scrutineer' | 'department' | 'resident', Account>;
	const suite = browserSuite(async (database) => {
		first = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		// A second vote, not yet open, in which the first session's second delegate is enrolled too.
		// (no one checked in yet: a draft whose check-in has begun is a live session for staff).
		second = await createVotingSession(database.sql, {
			candidates: 3,
			seats: 1,
			delegates: 1,
			open: false,
			checkedIn: 0
		});
		await database.sql.begin((tx) => enrollDelegates(tx, second.id, [first.delegates[1]!.id], null));
		accounts = {
			staff: await createUser(database.sql, ['staff'], 'staff'),
			scrutineer: await createUser(database.sql, ['scrutineer'], 'scrutineer'),
			department: await createUser(database.sql, ['department'], 'department'),
			resident: await createUser(database.sql, ['resident'], 'resident')
		};
	});

	for (const [viewport, locale] of [
		[PHONE, 'zh-CN'],
		[PROJECTOR, 'en']
	] as const) {
		it(`lands each role where its work is, one vote open (${viewport.width} px, ${locale})`, async () => {
			const land = async (username: string) => {
				const { page, errors } = await suite.windows.open(viewport, { locale });
				const path = await signInAndLand(page, suite.app.baseUrl, username);
				expect(errors).toEqual([]);
				return { page, path };
			};
			// The delegate with one open ballot lands on it.
			const delegate = await land(first.delegates[0]!.username);
			expect(delegate.path).toBe(`/vote/${first.id}`);
			await delegate.page.locator('form.ballot').waitFor();
			expect((await land(accounts.staff.username)).path).toBe(`/admin/sessions/${first.id}`);
			expect((await land(accounts.scrutineer.username)).path).toBe('/admin');
			expect((await land(accounts.department.username)).path).toBe('/department');
			const resident = await land(accounts.resident.username);
			expect(resident.path).toBe('/me');

			// The home page offers "前往投票" to the session's delegates only; others may follow it live.
			const goVote = m.home_go_vote({}, { locale });
			await resident.page.goto(`${suite.app.baseUrl}/`);
			expect(await resident.page.getByRole('link', { name: goVote, exact: true }).count()).toBe(0);
			expect(await resident.page.getByRole('link', { name: m.hall_watch_live({}, { locale }) }).count()).toBe(1);
			await delegate.page.goto(`${suite.app.baseUrl}/`);
			// The focused ballot's header gave way to the site's again (the menu on a phone).
			expect(await delegate.page.getByRole('link', { name: goVote, exact: true }).count()).toBe(1);
			const { page: visitor } = await suite.windows.open(viewport, { locale });
			await visitor.goto(`${suite.app.baseUrl}/`);
			expect(await visitor.getByRole('link', { name: goVote, exact: true }).count()).toBe(0);
		}, 180_000); // five password sign-ins (argon2id) and seven windows: past a minute on a busy 2-core machine
	}

	it('sends a delegate with two open ballots to the list, and staff with two live sessions to /admin', async () => {
		await suite.database.sql`update electorate_member set present = true where voting_session_id = ${second.id}`;
		expect(await applyLifecycle(suite.database.sql, second.id, 'open', accounts.staff.id)).toMatchObject({ ok: true });
		const { page } = await suite.windows.open(PHONE);
		expect(await signInAndLand(page, suite.app.baseUrl, first.delegates[1]!.username)).toBe('/vote');
		expect(await page.getByRole('link', { name: m.vote_go_to_ballot({}, { locale: 'zh-CN' }) }).count()).toBe(2);
		const { page: staffPage } = await suite.windows.open(PHONE);
		expect(await signInAndLand(staffPage, suite.app.baseUrl, accounts.staff.username)).toBe('/admin');
		// A page that asked for the sign-in still comes first.
		const { page: asked } = await suite.windows.open(PHONE);
		await asked.goto(`${suite.app.baseUrl}/login?redirectTo=%2Fprojects`);
		await waitForScripts(asked);
		await asked.locator('main form input[name="username"]').fill(first.delegates[1]!.username);
		await asked.locator('main form input[name="password"]').fill(TEST_PASSWORD);
		await asked.locator('main form button[type="submit"]').click();
		await asked.waitForURL((url) => url.pathname === '/projects');
	}, 180_000);
});
