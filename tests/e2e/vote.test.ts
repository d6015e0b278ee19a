// The whole vote in a real browser: a delegate votes on a tablet using the keyboard, staff close
// and publish, the public sees the count; and a ballot cast with JavaScript switched off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import {
	DESKTOP,
	focusedValue,
	launchChromium,
	newContext,
	screenshot,
	signInThroughForm,
	skipWithoutChromium,
	tabUntilFocused,
	TABLET,
	watchErrors
} from '../helpers/browser';

const RECEIPT_CODE = /^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/;
const WAIT = { timeout: 15_000, interval: 100 };

/** The text of a locator, whitespace collapsed (waits for the element). */
async function textOf(locator: Locator): Promise<string> {
	return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The figure shown next to a label in a `dl.figures` (e.g. 已投票). */
function figure(scope: Locator, label: string): Locator {
	return scope.locator('dl.figures > div').filter({ has: scope.page().locator('dt', { hasText: label }) }).locator('dd');
}

/** The 赞成票 cell of a candidate's row in a tally table. */
function votesFor(scope: Locator, title: string): Locator {
	return scope
		.locator('table.tally tbody tr')
		.filter({ has: scope.page().locator('th', { hasText: title }) })
		.locator('td.num')
		.nth(1);
}

describe.skipIf(skipWithoutChromium('e2e/vote'))('the vote in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let session: TestSession;
	let noScriptSession: TestSession;
	let staff: { id: number; username: string };
	let scrutineer: { id: number; username: string };
	let titles: Map<number, string>;
	const contexts: BrowserContext[] = [];
	/** The two candidates the delegate ticks (set by the first test). */
	let chosen: number[] = [];

	beforeAll(async () => {
		database = await createTestDatabase();
		session = await createVotingSession(database.sql, { candidates: 6, seats: 2, delegates: 3 });
		noScriptSession = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 2 });
		staff = await createUser(database.sql, ['staff'], 'staff');
		scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const rows = await database.sql<{ id: number; title: string }[]>`
			select id, title from candidate where id in ${database.sql([...session.candidateIds, ...noScriptSession.candidateIds])}`;
		titles = new Map(rows.map((row) => [row.id, row.title]));
		app = await startApp(database.url);
		browser = await launchChromium();
	});

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => {});
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	async function open(viewport: { width: number; height: number }, javaScriptEnabled = true): Promise<{ page: Page; errors: string[] }> {
		const context = await newContext(browser, { viewport, javaScriptEnabled });
		contexts.push(context);
		const page = await context.newPage();
		return { page, errors: watchErrors(page) };
	}

	it('lets a delegate on a tablet tick candidates with the keyboard, review, cast and get a receipt', async () => {
		const { page, errors } = await open(TABLET);
		const ballotPath = `/vote/${session.id}`;
		await signInThroughForm(page, app.baseUrl, session.delegates[0]!.username, TEST_PASSWORD, ballotPath);

		const options = page.locator('label.ballot-option input[name="candidate"]');
		await options.first().waitFor();
		expect(await options.count()).toBe(6);
		const counter = page.locator('form.ballot .counter');
		await expect.poll(() => textOf(counter), WAIT).toContain('已选择 0 项，最多 2 项');

		// Keyboard only: Tab to the second candidate, Space; Tab on (past the details links) to the fourth, Space.
		await tabUntilFocused(page, options.nth(1));
		await page.keyboard.press('Space');
		const first = Number(await focusedValue(page));
		await tabUntilFocused(page, options.nth(3));
		await page.keyboard.press('Space');
		const second = Number(await focusedValue(page));
		chosen = [first, second];
		expect(chosen).toEqual([session.candidateIds[1], session.candidateIds[3]]);

		await expect.poll(() => textOf(counter), WAIT).toContain('已选择 2 项，最多 2 项');
		for (const index of [0, 1, 2, 3, 4, 5]) expect(await options.nth(index).isChecked()).toBe(index === 1 || index === 3);
		expect(await page.locator('label.ballot-option').nth(1).locator('.option-state').innerText()).toBe('已选');
		expect(await page.locator('label.ballot-option').nth(0).locator('.option-state').innerText()).toBe('未选');
		await screenshot(page, 'delegate-ballot');

		// Review, go back to change nothing, review again: the selection survives the round trip.
		await page.getByRole('button', { name: '下一步：核对选票' }).click();
		const reviewList = page.locator('ol.review-list');
		await page.getByRole('heading', { name: '核对选票' }).waitFor();
		expect(new URL(page.url()).search, 'the enhanced form stays on the page instead of posting it').toBe('');
		await expect.poll(() => reviewList.locator('li').allTextContents(), WAIT).toEqual(chosen.map((id) => titles.get(id)));
		await page.getByRole('button', { name: '返回修改' }).click();
		await page.getByRole('button', { name: '下一步：核对选票' }).waitFor();
		await expect.poll(() => Promise.all([0, 1, 2, 3, 4, 5].map((index) => options.nth(index).isChecked())), WAIT).toEqual([false, true, false, true, false, false]);
		await page.getByRole('button', { name: '下一步：核对选票' }).click();
		await page.getByRole('heading', { name: '核对选票' }).waitFor();
		await screenshot(page, 'delegate-review');

		await page.getByRole('button', { name: '确认投票' }).click();
		const receiptCode = page.locator('.receipt-code');
		await receiptCode.waitFor();
		expect(await textOf(receiptCode)).toMatch(RECEIPT_CODE);
		expect(await textOf(page.locator('.receipt [role="status"]'))).toContain('投票成功');
		expect(await page.locator('.receipt ol li').allTextContents()).toEqual(chosen.map((id) => titles.get(id)));
		await screenshot(page, 'delegate-receipt');

		// The receipt is shown once; coming back to the ballot says the vote is done.
		await page.reload();
		await page.getByText('您已经投过票').waitFor();
		expect(await page.locator('form.ballot').count()).toBe(0);
		expect(await page.locator('.receipt-code').count()).toBe(0);
		expect(errors).toEqual([]);
	});

	it('lets staff close the vote, see the tally and publish it', async () => {
		expect(chosen).toHaveLength(2);
		// Before publication the public page shows no count.
		const { page: visitor, errors: visitorErrors } = await open(DESKTOP);
		await visitor.goto(`${app.baseUrl}/results/${session.id}`);
		await visitor.getByText('票决结果尚未公布').waitFor();
		expect(await visitor.locator('table.tally').count()).toBe(0);

		const { page, errors } = await open(DESKTOP);
		const adminPath = `/admin/sessions/${session.id}`;
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, adminPath);
		await page.getByText('投票结束后才会计票').waitFor();
		expect(await page.locator('table.tally').count()).toBe(0);

		await page.locator('input[name="confirm"]').check();
		await page.getByRole('button', { name: '结束投票并计票' }).click();
		const tallyPanel = page.locator('section.panel').filter({ has: page.locator('table.tally') });
		await tallyPanel.getByRole('heading', { name: /尚未公布/ }).waitFor();
		expect(await textOf(figure(tallyPanel, '已投票'))).toBe('1');
		for (const id of chosen) expect(await textOf(votesFor(tallyPanel, titles.get(id)!))).toBe('1');
		// Staff cannot publish before a scrutineer confirms the tally.
		await page.getByText('计票结果尚未经监票人确认').waitFor();
		expect(await page.getByRole('button', { name: '公布结果' }).count()).toBe(0);
		await screenshot(page, 'staff-closed');

		const { page: scrutineerPage, errors: scrutineerErrors } = await open(DESKTOP);
		await signInThroughForm(scrutineerPage, app.baseUrl, scrutineer.username, TEST_PASSWORD, adminPath);
		await scrutineerPage.locator('input[name="confirm"]').check();
		await scrutineerPage.getByRole('button', { name: '确认计票结果' }).click();
		await scrutineerPage.getByText(/已于 .* 确认计票结果/).waitFor();
		await screenshot(scrutineerPage, 'scrutineer-confirmed');
		expect(scrutineerErrors).toEqual([]);

		await page.reload();
		await page.getByRole('button', { name: '公布结果' }).waitFor();
		await page.locator('input[name="confirm"]').check();
		await page.getByRole('button', { name: '公布结果' }).click();
		await tallyPanel.getByRole('heading', { name: '票决结果', exact: true }).waitFor();
		await expect.poll(() => page.getByRole('button', { name: '公布结果' }).count(), WAIT).toBe(0);
		expect(errors).toEqual([]);
		expect(visitorErrors).toEqual([]);
	});

	it('shows the published count to an anonymous visitor', async () => {
		const { page, errors } = await open(DESKTOP);
		await page.goto(`${app.baseUrl}/results/${session.id}`);
		const table = page.locator('table.tally');
		await table.waitFor();
		const main = page.locator('main');
		expect(await textOf(figure(main, '已投票'))).toBe('1');
		expect(await textOf(figure(main, '应到'))).toBe('3');
		expect(await table.locator('tbody tr').count()).toBe(6);
		for (const id of session.candidateIds) {
			expect(await textOf(votesFor(main, titles.get(id)!)), titles.get(id)).toBe(chosen.includes(id) ? '1' : '0');
		}
		await screenshot(page, 'public-results');
		expect(errors).toEqual([]);
	});

	it('takes a ballot from a browser with JavaScript switched off', async () => {
		const { page, errors } = await open(TABLET, false);
		const ballotPath = `/vote/${noScriptSession.id}`;
		const delegate = noScriptSession.delegates[0]!;
		await signInThroughForm(page, app.baseUrl, delegate.username, TEST_PASSWORD, ballotPath);

		const options = page.locator('label.ballot-option input[name="candidate"]');
		await options.first().waitFor();
		expect(await options.count()).toBe(4);
		const picks = [noScriptSession.candidateIds[0]!, noScriptSession.candidateIds[2]!];
		await tabUntilFocused(page, options.nth(0));
		await page.keyboard.press('Space');
		await options.nth(2).check();
		expect(await options.nth(0).isChecked()).toBe(true);
		// The state in words follows the ticks without JavaScript too.
		expect(await page.locator('label.ballot-option').nth(0).locator('.option-state').innerText()).toBe('已选');
		expect(await page.locator('label.ballot-option').nth(1).locator('.option-state').innerText()).toBe('未选');
		expect(await textOf(page.locator('form.ballot .counter'))).toBe('最多选择 2 项。');
		await screenshot(page, 'nojs-ballot');

		await page.getByRole('button', { name: '下一步：核对选票' }).click();
		await page.waitForURL((url) => url.pathname === ballotPath && url.search === '?/review');
		await page.getByRole('heading', { name: '核对选票' }).waitFor();
		expect(await page.locator('ol.review-list li').allTextContents()).toEqual(picks.map((id) => titles.get(id)));

		await page.getByRole('button', { name: '确认投票' }).click();
		await page.waitForURL((url) => url.pathname === ballotPath && url.search === '?/cast');
		const receiptCode = page.locator('.receipt-code');
		await receiptCode.waitFor();
		expect(await textOf(receiptCode)).toMatch(RECEIPT_CODE);
		expect(await page.locator('.receipt ol li').allTextContents()).toEqual(picks.map((id) => titles.get(id)));
		// Printing needs JavaScript, so the button is left out rather than shown dead.
		expect(await page.getByRole('button', { name: '打印回执' }).count()).toBe(0);
		await screenshot(page, 'nojs-receipt');

		await page.goto(`${app.baseUrl}${ballotPath}`);
		await page.getByText('您已经投过票').waitFor();
		const [counts] = await database.sql<{ ballots: number }[]>`
			select count(*)::int as ballots from ballot where voting_session_id = ${noScriptSession.id}`;
		expect(counts?.ballots).toBe(1);
		expect(errors).toEqual([]);
	});
});
