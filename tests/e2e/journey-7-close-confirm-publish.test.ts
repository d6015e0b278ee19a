// Journey 7: staff close the vote, a scrutineer confirms the tally, staff publish it; the public
// results page and the announcement's print view show the counts, and the receipt list holds the
// delegate's receipt.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';
import type { Locator } from 'playwright-core';
import { setPresenceOfMany } from '../../src/lib/server/electorate/presence';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot, signInThroughForm, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const WAIT = { timeout: 15_000, interval: 100 };

/** The figure shown next to a label in a `dl.figures` (e.g. 收回选票). */
function figure(scope: Locator, label: string): Locator {
	return scope
		.locator('dl.figures > div')
		.filter({ has: scope.page().locator('dt', { hasText: label }) })
		.locator('dd');
}

/** The 赞成票 cell of a candidate's row in a tally table. */
function votesFor(scope: Locator, title: string): Locator {
	return scope
		.locator('table.tally tbody tr')
		.filter({ has: scope.page().locator('th', { hasText: title }) })
		.locator('td.num')
		.nth(1);
}

describe('journey 7: close, confirm, publish; the public sees the counts and the receipts', () => {
	let session: TestSession;
	let staff: { id: number; username: string };
	let scrutineer: { id: number; username: string };
	let titles: Map<number, string>;
	let chosen: number[];
	let receiptCode: string;

	const suite = browserSuite(async (database) => {
		session = await createVotingSession(database.sql, {
			candidates: 6,
			seats: 2,
			delegates: 3,
			checkedIn: 0,
			open: false
		});
		staff = await createUser(database.sql, ['staff'], 'staff');
		// The secretariat checks the three delegates in at the door (the check-in page's own step,
		// audited), then opens the vote: a delegate gets an electronic ballot by checking in.
		const checkedIn = await setPresenceOfMany(database.sql, {
			votingSessionId: session.id,
			delegateIds: session.delegates.map((delegate) => delegate.id),
			present: true,
			actorUserId: staff.id,
			method: 'staff'
		});
		if (!checkedIn.ok) throw new Error(`check-in refused: ${checkedIn.error}`);
		const opened = await applyLifecycle(database.sql, session.id, 'open', staff.id);
		if (!opened.ok) throw new Error(`opening refused: ${opened.error}`);
		scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		chosen = [session.candidateIds[1]!, session.candidateIds[3]!];
		const cast = await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: chosen }
		});
		if (!cast.ok) throw new Error(`the ballot was refused: ${cast.error}`);
		receiptCode = cast.receiptCode;
		const rows = await database.sql<
			{ id: number; title: string }[]
		>`select id, title from candidate where id in ${database.sql(session.candidateIds)}`;
		titles = new Map(rows.map((row) => [row.id, row.title]));
	});

	it('lets staff close the vote, a scrutineer confirm the tally and staff publish it', async () => {
		// Before publication the public page shows no count.
		const { page: visitor, errors: visitorErrors } = await suite.windows.open(DESKTOP);
		await visitor.goto(`${suite.app.baseUrl}/results/${session.id}`);
		await visitor.getByText('票决结果尚未公布').waitFor();
		expect(await visitor.locator('table.tally').count()).toBe(0);

		const { page, errors } = await suite.windows.open(DESKTOP);
		const adminPath = `/admin/sessions/${session.id}`;
		await signInThroughForm(page, suite.app.baseUrl, staff.username, TEST_PASSWORD, adminPath);
		await page.getByText('投票结束后才会计票').waitFor();
		expect(await page.locator('table.tally').count()).toBe(0);

		await page.locator('input[name="confirm"]').check();
		await page.getByRole('button', { name: '结束投票并计票' }).click();
		const tallyPanel = page.locator('section.panel').filter({ has: page.locator('table.tally') });
		await tallyPanel.getByRole('heading', { name: /尚未公布/ }).waitFor();
		// The ballot account: three checked in, so three ballots issued; one returned, valid.
		expect(await textOf(figure(tallyPanel, m.attendance_figure_issued()))).toBe('3');
		expect(await textOf(figure(tallyPanel, m.attendance_figure_returned()))).toBe('1');
		await tallyPanel.locator('[data-validity="valid"]').waitFor();
		for (const id of chosen) expect(await textOf(votesFor(tallyPanel, titles.get(id)!))).toBe('1');
		// Staff cannot publish before a scrutineer confirms the tally.
		await page.getByText('计票结果尚未经监票人确认').waitFor();
		expect(await page.getByRole('button', { name: '公布结果' }).count()).toBe(0);
		await screenshot(page, 'journey-7-staff-closed');

		const { page: scrutineerPage, errors: scrutineerErrors } = await suite.windows.open(DESKTOP);
		await signInThroughForm(scrutineerPage, suite.app.baseUrl, scrutineer.username, TEST_PASSWORD, adminPath);
		await scrutineerPage.locator('input[name="confirm"]').check();
		await scrutineerPage.getByRole('button', { name: '确认计票结果' }).click();
		await scrutineerPage.getByText(/已于 .* 确认计票结果/).waitFor();
		await screenshot(scrutineerPage, 'journey-7-scrutineer-confirmed');
		expect(scrutineerErrors).toEqual([]);

		await page.reload();
		await page.getByRole('button', { name: '公布结果' }).waitFor();
		await page.locator('input[name="confirm"]').check();
		await page.getByRole('button', { name: '公布结果' }).click();
		await tallyPanel.getByRole('heading', { name: '票决结果', exact: true }).waitFor();
		await expect.poll(() => page.getByRole('button', { name: '公布结果' }).count(), WAIT).toBe(0);
		await screenshot(page, 'journey-7-staff-published');
		expect(errors).toEqual([]);
		expect(visitorErrors).toEqual([]);
	});

	it('shows the published counts to an anonymous visitor, on the results page and in the announcement’s print view', async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		await page.goto(`${suite.app.baseUrl}/results/${session.id}`);
		const table = page.locator('table.tally');
		await table.waitFor();
		const main = page.locator('main');
		expect(await textOf(figure(main, m.attendance_figure_returned()))).toBe('1');
		expect(await textOf(figure(main, m.figure_enrolled()))).toBe('3');
		expect(await textOf(figure(main, m.figure_present()))).toBe('3');
		expect(await table.locator('tbody tr').count()).toBe(6);
		for (const id of session.candidateIds)
			expect(await textOf(votesFor(main, titles.get(id)!)), titles.get(id)).toBe(chosen.includes(id) ? '1' : '0');
		await screenshot(page, 'journey-7-public-results');

		await page.goto(`${suite.app.baseUrl}/results/${session.id}/announcement`);
		await page.emulateMedia({ media: 'print' });
		const announcement = page.locator('article.announcement');
		expect(await textOf(announcement.locator('p').filter({ hasText: '应到' }).first())).toContain('应到代表3人');
		expect(await textOf(announcement.locator('p').filter({ hasText: '收回' }).first())).toContain(
			'本次票决发出选票3张，收回选票1张，其中有效票1张，无效票0张。'
		);
		// One ballot of three: no candidate has more than half of all delegates, so none is chosen and
		// the places are left to a further vote (the notice says so; the per-candidate table is on screen only).
		expect(await announcement.locator('table.announced-projects').count()).toBe(0);
		await announcement.getByText(m.procedure_announcement_none_chosen()).waitFor();
		await announcement.getByText(m.procedure_announcement_shortfall({ seats: 2 })).waitFor();
		// Printed: no navigation, black on white.
		expect(await page.locator('header.site-header nav').filter({ visible: true }).count()).toBe(0);
		await screenshot(page, 'journey-7-announcement-print');
		await page.emulateMedia({ media: 'screen' });
		expect(errors).toEqual([]);
	});

	it('lists the delegate’s receipt among the counted ballots, and finds it from the code on a phone', async () => {
		const { page, errors } = await suite.windows.open(PHONE);
		await page.goto(`${suite.app.baseUrl}/results/${session.id}/receipts`);
		const hash = createHash('sha256')
			.update(receiptCode.replace(/[^A-Z0-9]/gi, ''))
			.digest('hex');
		expect(await page.locator('ol.receipt-hashes li code').allTextContents()).toEqual([hash]);
		// Typed before the page's scripts take over, the code would be reset by hydration.
		await waitForScripts(page);
		await page.getByLabel('回执码').fill(receiptCode);
		await page.getByRole('button', { name: /核对/ }).click();
		await page.locator('main [role="status"]').waitFor();
		expect(await page.locator('main [role="status"]').getAttribute('class')).toBe('success');
		await screenshot(page, 'journey-7-receipt-found');
		expect(errors).toEqual([]);
	});
});
