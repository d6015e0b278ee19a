// The projector screen in a real browser at 1920×1080 and 3840×2160: turnout that moves with each
// cast without a reload, "counting" after closing, the ranked bars after publication (the chosen
// first, then the rest page by page: issue 15), and the staff page fed by the same stream.
// Screenshots are kept under test-results/e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { auditHead } from '../../src/lib/server/audit/audit';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { setPresence } from '../../src/lib/server/electorate/presence';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession, passwordSignIn } from '../helpers/factory';
import { launchChromium, newContext, screenshot, signInThroughForm, watchErrors } from '../helpers/browser';

const FULL_HD = { width: 1920, height: 1080 };
const UHD = { width: 3840, height: 2160 };
const WAIT = { timeout: 15_000, interval: 100 };

async function textOf(locator: Locator): Promise<string> {
	return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The big figure under a label (应到, 实到, 已投票) on the screen. */
function screenFigure(page: Page, label: string): Locator {
	return page
		.locator('.screen-figures > div')
		.filter({ has: page.locator('dt', { hasText: label }) })
		.locator('dd');
}

/** Whether the page fits its window: no scroll bar either way. */
function fitsWithoutScrolling(page: Page): Promise<boolean> {
	return page.evaluate(
		() =>
			document.documentElement.scrollHeight <= window.innerHeight &&
			document.documentElement.scrollWidth <= window.innerWidth
	);
}

describe('the projector screen in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let session: TestSession;
	let staff: { id: number; username: string };
	let scrutineer: { id: number; username: string };
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		database = await createTestDatabase();
		// Four of the five checked in at the door (the quorum of two thirds); the fifth arrives during the vote.
		session = await createVotingSession(database.sql, {
			candidates: 6,
			seats: 2,
			delegates: 5,
			checkedIn: 4,
			open: false
		});
		// Voting closes in two hours: the screen counts down.
		await database.sql`update voting_session set closes_at = now() + interval '2 hours' where id = ${session.id}`;
		const opened = await applyLifecycle(database.sql, session.id, 'open', null);
		if (!opened.ok) throw new Error(opened.error);
		staff = await createUser(database.sql, ['staff'], 'staff');
		scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		app = await startApp(database.url);
		browser = await launchChromium();
	});

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => {});
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	async function open(
		viewport: { width: number; height: number },
		javaScriptEnabled = true
	): Promise<{ page: Page; errors: string[] }> {
		const context = await newContext(browser, { viewport, javaScriptEnabled });
		contexts.push(context);
		const page = await context.newPage();
		return { page, errors: watchErrors(page) };
	}

	function cast(delegateIndex: number, candidateIndexes: number[], target = session) {
		return castBallot(database.sql, {
			votingSessionId: target.id,
			delegateId: target.delegates[delegateIndex]!.id,
			selection: { method: 'approval', candidateIds: candidateIndexes.map((index) => target.candidateIds[index]!) }
		});
	}

	it('shows turnout in very large type, moving with each cast without a reload, and the staff page follows the same stream', async () => {
		const { page, errors } = await open(FULL_HD);
		await page.goto(`${app.baseUrl}/screen/${session.id}`);
		await page.locator('.screen-live-live').waitFor();
		expect(await textOf(page.locator('h1'))).toBe(
			await database.sql<{ title: string }[]>`select title from voting_session where id = ${session.id}`.then(
				(rows) => rows[0]!.title
			)
		);
		expect(await textOf(screenFigure(page, '应到'))).toBe('5');
		expect(await textOf(screenFigure(page, '实到'))).toBe('4');
		expect(await textOf(screenFigure(page, '已投票'))).toBe('0');
		expect(await textOf(screenFigure(page, '未投票'))).toBe('4');
		expect(await textOf(page.locator('.screen-clock .clock'))).toMatch(/^\d{2}:\d{2}:\d{2}$/);
		expect(await textOf(page.locator('.screen-deadline'))).toMatch(/^截止时间 /);
		expect(await page.locator('.site-header').isVisible()).toBe(false);
		expect(await fitsWithoutScrolling(page)).toBe(true);
		// Readable from the back of the hall: the figures are over a tenth of the screen's height.
		const figureHeight = await screenFigure(page, '已投票').evaluate(
			(element) => element.getBoundingClientRect().height
		);
		expect(figureHeight).toBeGreaterThan(FULL_HD.height / 10);
		expect(await textOf(page.locator('.countdown'))).toMatch(/距投票结束还有 [12]:\d{2}:\d{2}/);

		const staffView = await open(FULL_HD);
		await signInThroughForm(
			staffView.page,
			app.baseUrl,
			staff.username,
			TEST_PASSWORD,
			`/admin/sessions/${session.id}`
		);
		const staffCast = staffView.page
			.locator('dl.figures > div')
			.filter({ has: staffView.page.locator('dt', { hasText: '已投票' }) })
			.locator('dd');
		expect(await textOf(staffCast)).toBe('0');

		// Marks that vanish if either page reloads.
		for (const target of [page, staffView.page])
			await target.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
		// The late delegate is checked in at the door: 实到 moves on the screen without a reload.
		const lateArrival = await setPresence(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[4]!.id,
			present: true,
			actorUserId: staff.id
		});
		expect(lateArrival.ok).toBe(true);
		await expect.poll(() => textOf(screenFigure(page, '实到')), WAIT).toBe('5');
		await cast(0, [0, 1]);
		await cast(1, [0, 2]);
		await expect.poll(() => textOf(screenFigure(page, '已投票')), WAIT).toBe('2');
		expect(await textOf(screenFigure(page, '未投票'))).toBe('3');
		expect(await page.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('2');
		expect(await textOf(page.locator('.screen-percent'))).toBe('已投票 40%');
		await expect.poll(() => textOf(staffCast), WAIT).toBe('2');
		for (const target of [page, staffView.page])
			expect(await target.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
		await screenshot(page, 'screen-open-1080p');

		const { page: large } = await open(UHD);
		await large.goto(`${app.baseUrl}/screen/${session.id}?theme=dark`);
		await large.locator('.screen-live-live').waitFor();
		expect(await fitsWithoutScrolling(large)).toBe(true);
		const largeFigureHeight = await screenFigure(large, '已投票').evaluate(
			(element) => element.getBoundingClientRect().height
		);
		expect(largeFigureHeight).toBeGreaterThan(1.8 * figureHeight);
		expect(await large.locator('.screen').evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
			'rgb(0, 0, 0)'
		);
		await screenshot(large, 'screen-open-4k-dark');

		// On a phone the screen still reads: nothing wider than the window (it may scroll down).
		const { page: phone } = await open({ width: 360, height: 740 });
		await phone.goto(`${app.baseUrl}/screen/${session.id}`);
		await phone.locator('.screen-live-live').waitFor();
		expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
		await screenshot(phone, 'screen-open-phone');
		expect(errors).toEqual([]);
		expect(staffView.errors).toEqual([]);
	}, 120_000); // four windows, two of them 4K: past a minute on a busy 2-core machine

	it('without JavaScript, refreshes itself', async () => {
		const { page } = await open(FULL_HD, false);
		await page.goto(`${app.baseUrl}/screen/${session.id}`);
		expect(await textOf(screenFigure(page, '已投票'))).toBe('2');
		await cast(2, [1]);
		// The meta refresh (every 10 s) brings the new figure.
		await expect.poll(() => textOf(screenFigure(page, '已投票')), { timeout: 25_000, interval: 250 }).toBe('3');
	});

	it('says "counting" with the audit head after closing, then draws the ranked result after publication', async () => {
		const { page, errors } = await open(FULL_HD);
		await page.goto(`${app.baseUrl}/screen/${session.id}`);
		await page.locator('.screen-live-live').waitFor();
		await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
		// Ballots so far: [0,1], [0,2], [1]; with [0,1] candidates 0 and 1 reach 3 votes, the pass mark (more than half of 5).
		await cast(3, [0, 1]);
		await expect.poll(() => textOf(screenFigure(page, '已投票')), WAIT).toBe('4');

		expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
		await page.getByText('计票中 / 待公布').waitFor();
		expect(await page.locator('.board-table').count()).toBe(0);
		expect(await fitsWithoutScrolling(page)).toBe(true);
		// The audit head stays off the hall's screen: in the controls, which a keyboard (or the mouse in
		// the corner) brings up.
		const auditHash = page.locator('.screen-audit code').last();
		expect(await auditHash.isVisible()).toBe(false);
		// The controls' button: clipped to one pixel until the mouse comes to the corner or the keyboard to it.
		expect((await page.getByText('放映控制').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
		await screenshot(page, 'screen-closed-1080p');
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('放映控制');
		await page.getByText('放映控制').click();
		await auditHash.waitFor();
		expect(await textOf(auditHash)).toBe((await auditHead(database.sql))!.hash);
		await page.getByText('放映控制').click();

		expect(
			(await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id)))
				.ok
		).toBe(true);
		expect((await applyLifecycle(database.sql, session.id, 'publish', staff.id)).ok).toBe(true);
		// The chosen projects first, on a page of their own; the rest follow on the next page.
		const board = page.locator('table.board-table');
		await board.waitFor();
		expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
		const chosenTitles = await database.sql<
			{ title: string }[]
		>`select title from candidate where id in ${database.sql([session.candidateIds[0]!, session.candidateIds[1]!])}`;
		expect(await textOf(page.locator('.board-head h2'))).toBe('当选项目（2 项）');
		expect(await board.locator('tbody tr').count()).toBe(2);
		const chosen = board.locator('tbody tr.outcome-chosen');
		expect((await chosen.locator('th.board-title').allTextContents()).map((title) => title.trim()).sort()).toEqual(
			chosenTitles.map((row) => row.title).sort()
		);
		for (const mark of await chosen.locator('td.board-mark').allTextContents())
			expect(mark.replace(/\s+/g, ' ').trim()).toBe('✓ 当选');
		expect(await board.locator('td.board-votes').allTextContents()).toEqual(['3', '3']);
		expect(await board.locator('.board-line').count()).toBe(2);
		expect(await fitsWithoutScrolling(page)).toBe(true);
		await screenshot(page, 'screen-published-1080p');
		await page.getByText('放映控制').focus();
		await page.getByText('放映控制').click();
		expect(await textOf(page.locator('.screen-audit code').last())).toBe((await auditHead(database.sql))!.hash);
		await page.getByRole('link', { name: '下一页' }).click();
		await expect.poll(() => textOf(page.locator('.board-head h2')), WAIT).toBe('其余候选项目（4 项）');
		expect(await board.locator('td.board-votes').allTextContents()).toEqual(['1', '0', '0', '0']);
		expect(await board.locator('tbody tr.outcome-not_chosen td.board-mark').allTextContents()).toEqual(
			Array(4).fill('未当选')
		);

		const { page: large } = await open(UHD);
		await large.goto(`${app.baseUrl}/screen/${session.id}`);
		await large.locator('table.board-table').waitFor();
		expect(await fitsWithoutScrolling(large)).toBe(true);
		await screenshot(large, 'screen-published-4k');
		expect(errors).toEqual([]);
	});

	it('marks the chosen projects with a tick and a word, at 1080p and 4K, also for 34 candidates', async () => {
		const big = await createVotingSession(database.sql, { candidates: 34, seats: 10, delegates: 21 });
		// Candidates 0–9 get 21, 20, … 12 votes (all over the pass mark of 11); candidates 10–18 one each.
		for (let delegate = 0; delegate < 21; delegate += 1) {
			const ticks = Array.from({ length: 10 }, (_, index) => index).filter((index) => index <= 20 - delegate);
			await cast(delegate, delegate >= 12 ? [...ticks, 10 + delegate - 12] : ticks, big);
		}
		expect((await applyLifecycle(database.sql, big.id, 'close', staff.id)).ok).toBe(true);
		expect(
			(await confirmTally(database.sql, big.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id))).ok
		).toBe(true);
		expect((await applyLifecycle(database.sql, big.id, 'publish', staff.id)).ok).toBe(true);

		for (const [viewport, name, theme] of [
			[FULL_HD, 'screen-published-34-1080p', 'light'],
			[UHD, 'screen-published-34-4k-dark', 'dark']
		] as const) {
			const { page, errors } = await open(viewport);
			await page.goto(`${app.baseUrl}/screen/${big.id}?theme=${theme}`);
			const board = page.locator('table.board-table');
			await board.waitFor();
			// The first page: the ten chosen, large, each marked with a tick and a word.
			expect(await board.locator('tbody tr').count()).toBe(10);
			const chosenMarks = await board.locator('tbody tr.outcome-chosen td.board-mark').allTextContents();
			expect(chosenMarks.map((mark) => mark.replace(/\s+/g, ' ').trim())).toEqual(Array(10).fill('✓ 当选'));
			expect(await page.locator('.screen-legend').textContent()).toContain('✓ 当选');
			expect(await textOf(page.locator('.board-page'))).toBe('第 1 / 3 页');
			expect(await fitsWithoutScrolling(page)).toBe(true);
			// The titles stay legible: at least 2.5% of the screen height.
			const titleHeight = await board
				.locator('tbody th.board-title')
				.first()
				.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
			expect(titleHeight).toBeGreaterThan(viewport.height * 0.025);
			await screenshot(page, name);
			expect(errors).toEqual([]);
		}
	}, 120_000); // 21 casts and a 4K window: past a minute on a busy 2-core machine

	it('lets staff browse the audit log of the session and verify the chain with one button', async () => {
		const { page, errors } = await open({ width: 1366, height: 768 });
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, `/admin/sessions/${session.id}`);
		await page.getByRole('link', { name: '审计日志' }).last().click();
		await page.waitForURL(
			(url) => url.pathname === '/admin/audit' && url.searchParams.get('session') === String(session.id)
		);
		const actions = await page.locator('table.audit-table tbody th').allTextContents();
		expect(actions.map((text) => text.replace(/\s+/g, ' ').trim().split(' ')[0])).toEqual(
			expect.arrayContaining([
				'公布票决结果',
				'监票人确认计票结果',
				'结束投票并计票',
				// No entry per cast (issue 16): the chain records checkpoints of the turnout and receipts.
				'投票进度检查点（已投票人数与回执数）',
				'开始投票',
				'创建票决会议'
			])
		);
		await page.getByRole('button', { name: '核验审计链' }).click();
		const verdict = page.locator('.audit-verdict');
		await verdict.waitFor();
		const head = (await auditHead(database.sql))!;
		expect(await textOf(verdict)).toContain(`审计链完整：共 ${head.seq - 1} 条记录`);
		await screenshot(page, 'audit-browser');
		expect(errors).toEqual([]);
	});
});
