// Issue 15, the staff console for 444 delegates (the demo's nine delegations, 430 checked in), in
// Chromium: turnout by delegation as counts, the check-in list filtered by delegation, by 未签到 and
// by name with a whole delegation checked in at once (on a 360 px phone, in both languages), the
// close step that says how many have not voted in a style of its own, and paper ballots keyed as a
// grid twice by two people, a mismatch refused and shown before anything is saved (1366 px).
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { seedDemo, DEMO_DELEGATIONS, type DemoCredentials } from '../../src/lib/server/seed/demo';
import { castBallot } from '../../src/lib/server/voting/casting';
import { DESKTOP, PHONE, screenshot, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const WAIT = { timeout: 15_000, interval: 100 };
const STAFF_PASSWORD = 'demo admin password';
/** The last delegation: delegates 401–444, of whom 431–444 are not checked in. */
const LAST = DEMO_DELEGATIONS[DEMO_DELEGATIONS.length - 1]!;

async function signIn(page: Page, baseUrl: string, username: string, password: string, target: string) {
	await page.goto(`${baseUrl}/login?redirectTo=${encodeURIComponent(target)}`);
	await waitForScripts(page);
	await page.locator('main form input[name="username"]').fill(username);
	await page.locator('main form input[name="password"]').fill(password);
	await page.locator('main form button[type="submit"]').click();
	await page.waitForURL((url) => url.pathname === target.split('?')[0]);
	await waitForScripts(page);
}

describe('the staff console for 444 delegates (issue 15)', () => {
	let demo: DemoCredentials;
	const suite = browserSuite(async (database) => {
		demo = await seedDemo(database.sql, { adminPassword: STAFF_PASSWORD });
		// Twenty delegates of the first delegation have voted.
		const voters = await database.sql<{ id: number }[]>`
			select e.delegate_id as id from electorate_member e join app_user u on u.id = e.delegate_id
			where e.voting_session_id = ${demo.votingSessionId} and u.delegation = ${DEMO_DELEGATIONS[0]!} and e.present
			order by u.username limit 20`;
		const [candidate] = await database.sql<{ id: number }[]>`
			select candidate_id as id from voting_session_candidate where voting_session_id = ${demo.votingSessionId} order by position limit 1`;
		for (const voter of voters) {
			const cast = await castBallot(database.sql, {
				votingSessionId: demo.votingSessionId,
				delegateId: voter.id,
				selection: { method: 'approval', candidateIds: [candidate!.id] }
			});
			if (!cast.ok) throw new Error(JSON.stringify(cast.error));
		}
	});

	it('shows turnout by delegation and a close step that says who is still to vote, in a style of its own', async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		await signIn(page, suite.app.baseUrl, 'admin', STAFF_PASSWORD, `/admin/sessions/${demo.votingSessionId}`);
		const table = page.locator('table.delegation-turnout');
		expect(await table.locator('tbody tr').count()).toBe(DEMO_DELEGATIONS.length);
		const rowOf = (delegation: string) =>
			table.locator('tbody tr').filter({ has: page.locator('th', { hasText: delegation }) });
		expect(await rowOf(DEMO_DELEGATIONS[0]!).locator('td').allTextContents()).toEqual(['50', '50', '20', '30']);
		expect(await rowOf(LAST).locator('td').allTextContents()).toEqual(['44', '30', '0', '30']);

		// Closing: how many have not voted, said before the button, and a button like no other.
		const warning = page.locator('#close-warning');
		expect(await textOf(warning)).toContain(
			m.hall_close_waiting({ count: '410', present: '430', cast: '20' }, { locale: 'zh-CN' })
		);
		const close = page.getByRole('button', { name: m.admin_action_close({}, { locale: 'zh-CN' }) });
		expect(await close.getAttribute('aria-describedby')).toBe('close-warning');
		const style = (selector: string) =>
			page
				.locator(selector)
				.first()
				.evaluate((element) => {
					const css = getComputedStyle(element);
					return { background: css.backgroundColor, border: css.borderTopStyle + css.borderTopWidth, color: css.color };
				});
		const closeStyle = await style('button.danger');
		// Any other primary button of the site (none is on this page while voting is open).
		await page.evaluate(() => {
			const primary = document.createElement('button');
			primary.className = 'primary probe';
			primary.textContent = 'probe';
			document.querySelector('main')!.append(primary);
		});
		const primaryStyle = await style('button.primary.probe');
		await page.evaluate(() => document.querySelector('button.probe')?.remove());
		expect(closeStyle).not.toEqual(primaryStyle);
		expect(closeStyle.background).not.toBe(primaryStyle.background);
		await screenshot(page, 'hall-console');
		// The delegation's name leads to its people not yet checked in.
		await rowOf(LAST).getByRole('link', { name: LAST }).click();
		await page.waitForURL((url) => url.pathname.endsWith('/check-in') && url.searchParams.get('absent') === '1');
		expect(await page.locator('.check-in-list li').count()).toBe(14);
		expect(errors).toEqual([]);
	});

	// English first: the Chinese run then checks the last delegation in.
	for (const locale of ['en', 'zh-CN'] as const) {
		it(`filters the check-in list by delegation, 未签到 and name, and checks a delegation in at once on a phone (${locale})`, async () => {
			const t = { locale };
			const { page, errors } = await suite.windows.open(PHONE, { locale });
			const path = `/admin/sessions/${demo.votingSessionId}/check-in`;
			await signIn(page, suite.app.baseUrl, 'admin', STAFF_PASSWORD, path);
			const rows = page.locator('.check-in-list li');
			// 444 rows no more: 100 a page, and filters.
			expect(await rows.count()).toBe(100);
			await page.getByLabel(m.hall_filter_delegation({}, t), { exact: true }).selectOption(DEMO_DELEGATIONS[1]!);
			await page.getByRole('button', { name: m.hall_filter_submit({}, t) }).click();
			await page.waitForURL((url) => url.searchParams.get('delegation') === DEMO_DELEGATIONS[1]);
			expect(await rows.count()).toBe(50);
			for (const text of await rows.locator('.who .muted').allTextContents())
				expect(text).toContain(DEMO_DELEGATIONS[1]!);
			// By name.
			await page.getByLabel(m.hall_filter_delegation({}, t), { exact: true }).selectOption('');
			await page.getByLabel(m.electorate_search_label({}, t)).fill('示例代表077');
			await page.getByRole('button', { name: m.hall_filter_submit({}, t) }).click();
			await expect.poll(() => rows.count(), WAIT).toBe(1);
			expect(await textOf(rows.first().locator('strong'))).toBe('示例代表077');
			// Not checked in, of the last delegation.
			await page.getByLabel(m.electorate_search_label({}, t)).fill('');
			await page.getByLabel(m.hall_filter_delegation({}, t), { exact: true }).selectOption(LAST);
			await page.getByLabel(m.hall_filter_absent({}, t)).check();
			await page.getByRole('button', { name: m.hall_filter_submit({}, t) }).click();
			await page.waitForURL(
				(url) => url.searchParams.get('absent') === '1' && url.searchParams.get('delegation') === LAST
			);
			const absent = await rows.count();
			expect(absent).toBeGreaterThan(0);
			expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
			await screenshot(page, `hall-check-in-filtered-${locale}`);

			if (locale === 'zh-CN') {
				// The whole delegation at once: the rest of it checked in, the count moves, the list empties.
				const before = Number(await textOf(page.locator('#check-in-present')));
				await page
					.getByRole('button', { name: m.hall_delegation_check_in({ delegation: LAST, count: String(absent) }, t) })
					.click();
				await page.getByText(m.hall_delegation_checked_in({ delegation: LAST, count: absent }, t)).waitFor();
				await expect.poll(() => rows.count(), WAIT).toBe(0);
				await expect
					.poll(async () => Number(await textOf(page.locator('#check-in-present'))), WAIT)
					.toBe(before + absent);
				const [audit] = await suite.database.sql<{ count: number }[]>`
					select count(*)::int as count from audit_entry
					where action = 'presence.marked' and voting_session_id = ${demo.votingSessionId} and details->>'present' = 'true'`;
				expect(audit!.count).toBe(430 + absent);
			}
			expect(errors).toEqual([]);
		});
	}

	it('takes paper ballots as a grid keyed twice by two people, and refuses a mismatch before saving', async () => {
		const path = `/admin/sessions/${demo.votingSessionId}/paper/keying`;
		const staffWindow = await suite.windows.open(DESKTOP);
		const staffPage = staffWindow.page;
		await signIn(staffPage, suite.app.baseUrl, 'admin', STAFF_PASSWORD, `${path}?rows=3`);
		const t = { locale: 'zh-CN' as const };
		const grid = staffPage.locator('table.paper-grid');
		expect(await grid.locator('tbody tr').count()).toBe(3);
		expect(await grid.locator('thead th').count()).toBe(2 + 34);
		// Three paper ballots: 1 and 5; 2, 3 and 34; a void one.
		const tick = (page: Page, row: number, position: number) =>
			page.locator(`input[name="cell-${row}-${position}"]`).check();
		await tick(staffPage, 1, 1);
		await tick(staffPage, 1, 5);
		await tick(staffPage, 2, 2);
		await tick(staffPage, 2, 3);
		await tick(staffPage, 2, 34);
		await staffPage.locator('input[name="void-3"]').check();
		await staffPage.getByRole('button', { name: m.hall_keying_save_first({}, t) }).click();
		await staffPage.getByText(/第一次录入已保存（第 \d+ 号，3 张）/).waitFor();
		await screenshot(staffPage, 'hall-paper-first-keying');

		// The second keying, by the session's 总监票人 (a delegate named by the meeting), blind to the
		// first; one cell keyed differently.
		const scrutineerWindow = await suite.windows.open(DESKTOP);
		const page = scrutineerWindow.page;
		const chief = demo.delegates[0]!;
		await signIn(page, suite.app.baseUrl, chief.username, chief.password, path);
		await page.getByRole('link', { name: m.hall_keying_do_second({}, t) }).click();
		await page.waitForURL((url) => url.searchParams.has('second'));
		const secondGrid = page.locator('table.paper-grid');
		expect(await secondGrid.locator('tbody tr').count()).toBe(3);
		expect(await secondGrid.locator('input:checked').count()).toBe(0);
		await tick(page, 1, 1);
		await tick(page, 1, 5);
		await tick(page, 2, 2);
		await tick(page, 2, 4);
		await tick(page, 2, 34);
		await page.locator('input[name="void-3"]').check();
		const paperDelegates = ['delegate100', 'delegate101', 'delegate102'];
		await page.getByLabel(m.paper_delegates_label({}, t)).fill(paperDelegates.join('\n'));
		await page.getByLabel(m.attendance_paper_issued({}, t)).fill('3');
		// The batch names two of the session's 监票人 to confirm it.
		await page.getByLabel('示例代表002').check();
		await page.getByLabel('示例代表003').check();
		await page.getByRole('button', { name: m.hall_keying_save_second({}, t) }).click();
		const errorsBox = page.locator('#keying-errors');
		await errorsBox.waitFor();
		expect(await textOf(errorsBox)).toContain(m.hall_keying_mismatch({ count: 2 }, t));
		expect(await page.locator('td.mismatch').count()).toBe(2);
		expect(await page.locator('td.mismatch input[aria-invalid="true"]').count()).toBe(2);
		// What was typed stays; nothing was saved.
		expect(await page.locator('input[name="cell-2-4"]').isChecked()).toBe(true);
		expect(await page.getByLabel(m.paper_delegates_label({}, t)).inputValue()).toBe(paperDelegates.join('\n'));
		const [none] = await suite.database.sql<{ count: number }[]>`
			select count(*)::int as count from paper_batch where voting_session_id = ${demo.votingSessionId}`;
		expect(none!.count).toBe(0);
		await screenshot(page, 'hall-paper-mismatch');

		// Checked against the paper: the first keying was right. Corrected, the batch goes in, pending.
		await page.locator('input[name="cell-2-4"]').uncheck();
		await tick(page, 2, 3);
		await page.getByRole('button', { name: m.hall_keying_save_second({}, t) }).click();
		await page.getByText(m.paper_entered({ ballots: 3, void: 1 }, t)).waitFor();
		const [batch] = await suite.database.sql<{ status: string; count: number }[]>`
			select status, ballot_count as count from paper_batch where voting_session_id = ${demo.votingSessionId}`;
		expect(batch).toEqual({ status: 'pending', count: 3 });
		expect(await page.locator('.keyings li').count()).toBe(0);
		expect(staffWindow.errors).toEqual([]);
		expect(scrutineerWindow.errors).toEqual([]);
	});
});
