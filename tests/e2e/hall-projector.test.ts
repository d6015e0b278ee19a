// Issue 15, the projector and the results page with the real size of the list: the demo's 34
// candidates (titles as long as Taizhou's), 444 delegates and 430 checked in. At 1920×1080 the
// turnout shows 应到 / 实到 / 已投票 / 未投票, the clock and the deadline, with the controls and the
// audit hash off the hall's screen; the published ranking shows the chosen ten large with their bars
// and the majority line, then pages through the rest by itself, no title cut. The results page puts
// the chosen first on a phone, draws the chart (SVG with a text alternative) and links each chosen
// project to its delivery page.
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { seedDemo, type DemoCredentials } from '../../src/lib/server/seed/demo';
import { passwordSignIn } from '../helpers/factory';
import { PHONE, PROJECTOR, screenshot, DESKTOP } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const WAIT = { timeout: 20_000, interval: 100 };
/** Ballots cast before the projector is looked at: the first 300 of the 430 checked in. */
const VOTERS = 300;

function figure(page: Page, label: string): Locator {
	return page
		.locator('.screen-figures > div')
		.filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
		.locator('dd');
}

/** Whether the hall can see it: shown, and more than the one clipped pixel of a visually hidden element. */
async function seenOnScreen(locator: Locator): Promise<boolean> {
	if (!(await locator.isVisible())) return false;
	const box = await locator.boundingBox();
	return !!box && box.width > 1 && box.height > 1;
}

function fitsWithoutScrolling(page: Page): Promise<boolean> {
	return page.evaluate(
		() =>
			document.documentElement.scrollHeight <= window.innerHeight &&
			document.documentElement.scrollWidth <= window.innerWidth
	);
}

/**
 * Rows of the board not wholly on the screen, or reaching under the legend below the board (the
 * page itself never scrolls on a projector, so a row too many would be cut off unseen): none may be.
 */
function rowsOffScreen(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const notes = document.querySelector('.screen-notes');
		const floor = Math.min(window.innerHeight, notes?.getBoundingClientRect().top ?? Infinity);
		return [...document.querySelectorAll('table.board-table tbody tr')]
			.filter((row) => row.getBoundingClientRect().bottom > floor + 0.5)
			.map((row) => row.querySelector('th')?.textContent?.trim() ?? '');
	});
}

/** Ranks and vote counts broken over two lines ("1" above "0"): none may be. */
function brokenCounts(page: Page): Promise<string[]> {
	return page.locator('table.board-table tbody :is(td.board-rank, td.board-votes)').evaluateAll((cells) =>
		cells
			.filter((cell) => {
				const range = document.createRange();
				range.selectNodeContents(cell);
				return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
			})
			.map((cell) => cell.textContent ?? '')
	);
}

/** Titles on the board cut off (wider than their cell) or hidden: none may be. */
function cutTitles(page: Page): Promise<string[]> {
	return page
		.locator('table.board-table tbody th.board-title')
		.evaluateAll((cells) =>
			cells
				.filter((cell) => cell.scrollWidth > cell.clientWidth || cell.scrollHeight > cell.clientHeight + 1)
				.map((cell) => cell.textContent ?? '')
		);
}

describe('the projector and the results page with 34 candidates (issue 15)', () => {
	let demo: DemoCredentials;
	let titles: Map<number, string>;
	let chosenIds: number[];
	const suite = browserSuite(async (database) => {
		demo = await seedDemo(database.sql, { adminPassword: 'demo admin password' });
		const candidates = await database.sql<{ id: number; title: string }[]>`
			select c.id, c.title from voting_session_candidate v join candidate c on c.id = v.candidate_id
			where v.voting_session_id = ${demo.votingSessionId} order by v.position`;
		titles = new Map(candidates.map((row) => [row.id, row.title]));
		const present = await database.sql<{ id: number }[]>`
			select delegate_id as id from electorate_member where voting_session_id = ${demo.votingSessionId} and present
			order by delegate_id`;
		// Candidates 0–9 get 300, 295, … 255 votes (over the majority of 444: 223); the rest a few each.
		const ids = candidates.map((row) => row.id);
		chosenIds = ids.slice(0, 10);
		for (let index = 0; index < VOTERS; index += 1) {
			const ticks = chosenIds.filter((_, rank) => index < VOTERS - 5 * rank);
			const extra = index < 96 ? [ids[10 + (index % 24)]!] : [];
			const cast = await castBallot(database.sql, {
				votingSessionId: demo.votingSessionId,
				delegateId: present[index]!.id,
				selection: { method: 'approval', candidateIds: [...ticks, ...extra].slice(0, 10) }
			});
			if (!cast.ok) throw new Error(`cast ${index}: ${cast.error}`);
		}
	});

	for (const locale of ['zh-CN', 'en'] as const) {
		it(`shows turnout with 未投票, the clock and the deadline, and nothing of the controls (${locale})`, async () => {
			const { page, errors } = await suite.windows.open(PROJECTOR, { locale });
			await page.goto(`${suite.app.baseUrl}/screen/${demo.votingSessionId}`);
			await page.locator('.screen-live-live').waitFor();
			const t = { locale };
			expect(await textOf(figure(page, m.figure_enrolled({}, t)))).toBe('444');
			expect(await textOf(figure(page, m.figure_present({}, t)))).toBe('430');
			expect(await textOf(figure(page, m.figure_cast({}, t)))).toBe(String(VOTERS));
			expect(await textOf(figure(page, m.hall_figure_not_cast({}, t)))).toBe(String(430 - VOTERS));
			const clock = page.locator('.screen-clock .clock');
			const first = await textOf(clock);
			expect(first).toMatch(/^\d{2}:\d{2}:\d{2}$/);
			await expect.poll(() => textOf(clock), WAIT).not.toBe(first);
			// The demo vote has no closing time set: the screen says so rather than leaving it out
			// (screen.test.ts shows a set deadline counting down).
			expect(await textOf(page.locator('.screen-deadline'))).toBe(
				`${m.hall_deadline({}, t)} ${m.hall_deadline_none({}, t)}`
			);
			// Off the hall's screen: the controls and the audit hash.
			expect(await seenOnScreen(page.locator('.screen-controls summary'))).toBe(false);
			for (const hash of await page.locator('.screen-audit code').all()) expect(await seenOnScreen(hash)).toBe(false);
			expect(await seenOnScreen(page.getByRole('link', { name: m.screen_theme_dark({}, t) }))).toBe(false);
			// The mouse in the corner (or the keyboard) brings the controls up.
			await page.mouse.move(PROJECTOR.width - 10, PROJECTOR.height - 10);
			await expect.poll(() => seenOnScreen(page.locator('.screen-controls summary')), WAIT).toBe(true);
			await page.mouse.move(PROJECTOR.width / 2, PROJECTOR.height / 2);
			expect(await fitsWithoutScrolling(page)).toBe(true);
			await screenshot(page, `hall-projector-turnout-${locale}`);
			expect(errors).toEqual([]);
		});
	}

	it('shows the chosen ten large, then pages through the other 24 by itself, no title cut', async () => {
		const { sql } = suite.database;
		const [staff] = await sql<{ id: number }[]>`select id from app_user where username = 'admin'`;
		expect(await applyLifecycle(sql, demo.votingSessionId, 'close', staff!.id)).toMatchObject({ ok: true });
		// The meeting named the demo's first three delegates 总监票人 and 监票人: each confirms, signed in.
		const panel = await sql<{ id: number }[]>`
			select id from app_user where username in ${sql(demo.delegates.map((delegate) => delegate.username))} order by username`;
		expect(panel).toHaveLength(3);
		for (const member of panel)
			expect(await confirmTally(sql, demo.votingSessionId, member.id, await passwordSignIn(sql, member.id))).toEqual({
				ok: true
			});
		expect(await applyLifecycle(sql, demo.votingSessionId, 'publish', staff!.id)).toMatchObject({ ok: true });

		const { page, errors } = await suite.windows.open(PROJECTOR);
		await page.goto(`${suite.app.baseUrl}/screen/${demo.votingSessionId}?every=6`);
		const board = page.locator('table.board-table');
		await board.waitFor();
		const heading = page.locator('.board-head h2');
		expect(await textOf(heading)).toBe('当选项目（10 项）');
		expect(await textOf(page.locator('.board-page'))).toBe('第 1 / 3 页');
		const shownTitles = () => board.locator('tbody th.board-title').allTextContents();
		expect((await shownTitles()).map((title) => title.trim())).toEqual(chosenIds.map((id) => titles.get(id)));
		expect(await board.locator('tbody tr .board-line').count()).toBe(10);
		expect(await cutTitles(page)).toEqual([]);
		expect(await fitsWithoutScrolling(page)).toBe(true);
		expect(await rowsOffScreen(page)).toEqual([]);
		expect(await brokenCounts(page)).toEqual([]);
		// Large: the chosen rows' type is at least 3% of the screen's height.
		const size = await board
			.locator('tbody th.board-title')
			.first()
			.evaluate((cell) => parseFloat(getComputedStyle(cell).fontSize));
		expect(size).toBeGreaterThanOrEqual(PROJECTOR.height * 0.03);
		await screenshot(page, 'hall-projector-result-chosen');

		// The rest follow by themselves, page after page, each title whole.
		const seen = new Set((await shownTitles()).map((title) => title.trim()));
		for (const [pageNumber, name] of [
			[2, 'hall-projector-result-page-2'],
			[3, 'hall-projector-result-page-3']
		] as const) {
			await expect.poll(() => textOf(page.locator('.board-page')), WAIT).toBe(`第 ${pageNumber} / 3 页`);
			expect(await textOf(heading)).toBe('其余候选项目（24 项）');
			expect(await board.locator('tbody tr').count()).toBe(12);
			expect(await cutTitles(page)).toEqual([]);
			expect(await fitsWithoutScrolling(page)).toBe(true);
			expect(await rowsOffScreen(page)).toEqual([]);
			expect(await brokenCounts(page)).toEqual([]);
			for (const title of await shownTitles()) seen.add(title.trim());
			await screenshot(page, name);
		}
		expect([...seen].sort()).toEqual([...titles.values()].sort());
		await expect.poll(() => textOf(page.locator('.board-page')), WAIT).toBe('第 1 / 3 页');
		expect(errors).toEqual([]);

		// Without JavaScript the next page comes by itself too.
		const { page: still } = await suite.windows.open(PROJECTOR, { javaScriptEnabled: false });
		await still.goto(`${suite.app.baseUrl}/screen/${demo.votingSessionId}?every=5`);
		expect(await textOf(still.locator('.board-page'))).toBe('第 1 / 3 页');
		await still.waitForURL((url) => url.searchParams.get('page') === '2', { timeout: 20_000 });
		expect(await textOf(still.locator('.board-page'))).toBe('第 2 / 3 页');
		expect(await cutTitles(still)).toEqual([]);
	});

	for (const [viewport, locale] of [
		[PHONE, 'zh-CN'],
		[DESKTOP, 'en']
	] as const) {
		it(`puts the chosen first on the results page, with the chart and links to delivery (${viewport.width} px, ${locale})`, async () => {
			const { page, errors } = await suite.windows.open(viewport, { locale });
			await page.goto(`${suite.app.baseUrl}/results/${demo.votingSessionId}`);
			const chosen = page.locator('.chosen-first');
			await chosen.waitFor();
			const links = chosen.locator('ol a');
			expect(await links.count()).toBe(10);
			expect((await links.allTextContents()).map((title) => title.trim())).toEqual(
				chosenIds.map((id) => titles.get(id))
			);
			for (const href of await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href'))))
				expect(href).toMatch(/^\/delivery\/\d+$/);
			// Before any figure.
			const chosenTop = await chosen.evaluate((element) => element.getBoundingClientRect().top);
			const figuresTop = await page
				.locator('dl.figures')
				.first()
				.evaluate((element) => element.getBoundingClientRect().top);
			expect(chosenTop).toBeLessThan(figuresTop);
			expect(chosenTop).toBeLessThan(viewport.height);
			// The chart: SVG named and described in words, every candidate in it.
			const chart = page.locator('svg.result-chart');
			expect(await chart.getAttribute('role')).toBe('img');
			const description = (await chart.locator('desc').textContent()) ?? '';
			for (const title of titles.values()) expect(description).toContain(title);
			expect(await chart.locator('g.row').count()).toBe(34);
			expect(await chart.locator('line.threshold').count()).toBe(1);
			expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
			await screenshot(page, `hall-results-${viewport.width}-${locale}`);
			await links.first().click();
			await page.waitForURL((url) => url.pathname.startsWith('/delivery/'));
			expect(await textOf(page.locator('h1'))).toBe(titles.get(chosenIds[0]!));
			expect(errors).toEqual([]);
		});
	}
});
