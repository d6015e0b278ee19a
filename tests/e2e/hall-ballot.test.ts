// Issue 15, the hall as its delegates see it, with the real size of the list: the demo's 34
// candidates in 12 categories (N = 10) and its open satisfaction evaluation, in Chromium on a 360 px
// phone, a 1024 px tablet and a 1366 px laptop, in Chinese and English. The focused ballot (no site
// navigation, one way out, the counter's open / full / over states, one error, a line and the budget
// on each row, details in place, a jump list, two columns from 900 px), the satisfaction options that
// never wrap inside a word, and the receipt that hides the choices and signs out.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { seedDemo, type DemoCredentials } from '../../src/lib/server/seed/demo';
import { DESKTOP, PHONE, screenshot, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const WAIT = { timeout: 15_000, interval: 100 };
const TABLET_LANDSCAPE = { width: 1024, height: 768 };
type Locale = 'zh-CN' | 'en';

/** Signs in through /login with no page asking for it: where the app sends the person is their landing. */
async function signInAndLand(page: Page, baseUrl: string, username: string, password: string): Promise<string> {
	await page.goto(`${baseUrl}/login`);
	await waitForScripts(page);
	const form = page.locator('main form');
	await form.locator('input[name="username"]').fill(username);
	await form.locator('input[name="password"]').fill(password);
	await form.locator('button[type="submit"]').click();
	await page.waitForURL((url) => url.pathname !== '/login');
	await page.waitForLoadState('networkidle');
	return new URL(page.url()).pathname;
}

/** Elements of the page wider than their box (a title cut off), and whether the page scrolls sideways. */
async function overflowOf(page: Page): Promise<{ pageOverflows: boolean }> {
	return page.evaluate(() => ({
		pageOverflows: document.documentElement.scrollWidth > document.documentElement.clientWidth
	}));
}

describe('the focused ballot, the satisfaction ballot and the shared tablet’s receipt (issue 15)', () => {
	let demo: DemoCredentials;
	const suite = browserSuite(async (database) => {
		demo = await seedDemo(database.sql, { adminPassword: 'demo admin password' });
	});

	async function openBallot(viewport: { width: number; height: number }, locale: Locale, delegateIndex: number) {
		const { page, errors } = await suite.windows.open(viewport, { locale });
		const delegate = demo.delegates[delegateIndex]!;
		// Two open ballots (the vote and the evaluation): the sign-in lands on the list of them.
		expect(await signInAndLand(page, suite.app.baseUrl, delegate.username, delegate.password)).toBe('/vote');
		await page.goto(`${suite.app.baseUrl}/vote/${demo.votingSessionId}`);
		await waitForScripts(page);
		await page.locator('form.ballot').waitFor();
		return { page, errors };
	}

	it('shows 34 candidates as a focused ballot on a phone, a tablet and a laptop', async () => {
		const locale = { locale: 'zh-CN' as const };
		const { page, errors } = await openBallot(PHONE, 'zh-CN', 0);
		const rows = page.locator('form.ballot .ballot-row');
		expect(await rows.count()).toBe(34);

		// The site's navigation gives way to one way out.
		expect(await page.getByRole('navigation', { name: m.nav_label({}, locale) }).count()).toBe(0);
		expect(await page.locator('header a').allTextContents()).toEqual([m.hall_exit_ballot({}, locale)]);
		expect(await page.locator('footer.site-footer').count()).toBe(0);

		// Each row says what the project does and what it costs, under its title.
		for (let index = 0; index < 34; index += 1) {
			const row = rows.nth(index);
			expect((await textOf(row.locator('.option-title'))).length).toBeGreaterThan(0);
			expect((await textOf(row.locator('.option-brief'))).length).toBeGreaterThan(0);
			expect(await textOf(row.locator('.option-budget'))).toMatch(/^估算投资 /);
		}
		// A jump list of the 12 categories, each with its count, leading to its group on the page.
		const jumps = page.getByRole('navigation', { name: m.hall_jump_label({}, locale) }).getByRole('link');
		expect(await jumps.count()).toBe(12);
		const lastJump = jumps.nth(11);
		const target = ((await lastJump.getAttribute('href')) ?? '').slice(1);
		await lastJump.click();
		await expect.poll(() => new URL(page.url()).hash, WAIT).toBe(`#${target}`);
		expect(await page.locator(`#${target}`).evaluate((element) => element.getBoundingClientRect().top)).toBeLessThan(
			PHONE.height
		);

		// Details open in place (a disclosure), not in a new window.
		const firstDetails = rows.first().locator('details.option-more');
		expect(await firstDetails.locator('.option-more-body').isVisible()).toBe(false);
		await firstDetails.locator('summary').click();
		await firstDetails.locator('.option-more-body').waitFor();
		expect(await page.context().pages()).toHaveLength(1);
		expect(await page.locator('form.ballot a[target="_blank"]').count()).toBe(0);
		await firstDetails.locator('summary').click();

		// The counter: how many are chosen and how many more are allowed.
		const counter = page.locator('form.ballot .counter');
		const counterText = counter.locator('.counter-text');
		await expect
			.poll(() => textOf(counterText), WAIT)
			.toBe(m.hall_counter_open({ marked: 0, seats: 10, left: 10 }, locale));
		const boxes = page.locator('form.ballot input[name="candidate"]');
		for (let index = 0; index < 7; index += 1) await boxes.nth(index).check();
		await expect
			.poll(() => textOf(counterText), WAIT)
			.toBe(m.hall_counter_open({ marked: 7, seats: 10, left: 3 }, locale));
		for (let index = 7; index < 10; index += 1) await boxes.nth(index).check();
		// 10 of 10 is "full": a state of its own, not the error.
		await expect.poll(() => textOf(counterText), WAIT).toBe(m.hall_counter_full({ marked: 10, seats: 10 }, locale));
		expect(await counter.getAttribute('class')).toContain('counter-full');
		expect(await page.locator('#ballot-error').count()).toBe(0);
		await screenshot(page, 'hall-ballot-phone-full');

		// One over: one error message, next to the counter and the button, in another colour than "selected".
		await boxes.nth(10).check();
		await expect.poll(() => counter.getAttribute('class'), WAIT).toContain('counter-over');
		const overText = m.ballot_over_limit({ seats: 10 }, locale);
		expect(await page.getByText(overText).count()).toBe(1);
		const bar = page.locator('.ballot-bar');
		expect(await bar.locator('#ballot-error').count()).toBe(1);
		expect(await bar.locator('button[type="submit"]').count()).toBe(1);
		const selectedBorder = await rows
			.first()
			.locator('label.ballot-option')
			.evaluate((element) => getComputedStyle(element).borderTopColor);
		const errorBorder = await page
			.locator('#ballot-error')
			.evaluate((element) => getComputedStyle(element).borderTopColor);
		const overBorder = await counter.evaluate((element) => getComputedStyle(element).borderTopColor);
		expect(selectedBorder).not.toBe(errorBorder);
		expect(selectedBorder).not.toBe(overBorder);
		// And different signs: a tick for chosen, a warning sign for the error.
		expect(await textOf(page.locator('#ballot-error .error-icon'))).toBe('⚠');
		expect(await textOf(counter.locator('.counter-icon'))).toBe('⚠');
		await screenshot(page, 'hall-ballot-phone-over');
		await boxes.nth(10).uncheck();
		await expect.poll(() => counter.getAttribute('class'), WAIT).toContain('counter-full');

		// Sizes: one column on the phone and nothing wider than it; two columns from 900 px; the whole
		// list in a few screens on a tablet rather than fifteen.
		expect((await overflowOf(page)).pageOverflows).toBe(false);
		const columnsAt = () =>
			page
				.locator('.ballot-columns > .ballot-category')
				.evaluateAll((groups) => new Set(groups.map((group) => Math.round(group.getBoundingClientRect().left))).size);
		expect(await columnsAt()).toBe(1);
		for (const viewport of [TABLET_LANDSCAPE, DESKTOP]) {
			await page.setViewportSize(viewport);
			await expect.poll(columnsAt, WAIT).toBe(2);
			expect((await overflowOf(page)).pageOverflows).toBe(false);
			const height = await page.evaluate(() => document.documentElement.scrollHeight);
			expect(height / viewport.height, `${viewport.width} px: screens of ballot`).toBeLessThan(8);
		}
		await page.setViewportSize(TABLET_LANDSCAPE);
		await screenshot(page, 'hall-ballot-tablet');
		await page.setViewportSize(PHONE);
		await screenshot(page, 'hall-ballot-phone');
		expect(errors).toEqual([]);
	});

	it('says the same in English on a tablet', async () => {
		const locale = { locale: 'en' as const };
		const { page, errors } = await openBallot(TABLET_LANDSCAPE, 'en', 1);
		expect(await page.locator('header a').allTextContents()).toEqual([m.hall_exit_ballot({}, locale)]);
		const counter = page.locator('form.ballot .counter');
		const counterText = counter.locator('.counter-text');
		await expect
			.poll(() => textOf(counterText), WAIT)
			.toBe(m.hall_counter_open({ marked: 0, seats: 10, left: 10 }, locale));
		const boxes = page.locator('form.ballot input[name="candidate"]');
		for (let index = 0; index < 10; index += 1) await boxes.nth(index).check();
		await expect.poll(() => textOf(counterText), WAIT).toBe(m.hall_counter_full({ marked: 10, seats: 10 }, locale));
		expect(await textOf(page.locator('form.ballot .option-budget').first())).toMatch(/^Budget /);
		await screenshot(page, 'hall-ballot-tablet-en');
		// The way out leads back to the delegate's list.
		await page.getByRole('link', { name: m.hall_exit_ballot({}, locale) }).click();
		await page.waitForURL((url) => url.pathname === '/vote');
		expect(errors).toEqual([]);
	});

	for (const locale of ['zh-CN', 'en'] as const) {
		it(`stacks the satisfaction options on a 360 px phone without breaking a word, and goes to the first unanswered project (${locale})`, async () => {
			const { page, errors } = await suite.windows.open(PHONE, { locale });
			const delegate = demo.delegates[2]!;
			await signInAndLand(page, suite.app.baseUrl, delegate.username, delegate.password);
			await page.goto(`${suite.app.baseUrl}/vote/${demo.evaluationSessionId}`);
			await waitForScripts(page);
			const projects = page.locator('form.ballot fieldset.ballot-option');
			await projects.first().waitFor();
			const count = await projects.count();
			expect(count).toBeGreaterThan(1);
			// An evaluation is called 测评, not 投票, down to its way out.
			expect(await page.locator('header a').allTextContents()).toEqual([m.hall_exit_evaluation({}, { locale })]);

			// Every option's words on one line, the options one under the other.
			const layout = await page
				.locator('form.ballot .choice-options')
				.first()
				.evaluate((options) =>
					[...options.querySelectorAll('label')].map((label) => {
						const text = label.querySelector('.choice-label') as HTMLElement;
						const range = document.createRange();
						range.selectNodeContents(text);
						const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
						const box = label.getBoundingClientRect();
						return {
							lines,
							left: Math.round(box.left),
							top: Math.round(box.top),
							fits: text.scrollWidth <= label.clientWidth
						};
					})
				);
			expect(layout.length).toBeGreaterThanOrEqual(3);
			for (const option of layout) {
				expect(option.lines).toBe(1);
				expect(option.fits).toBe(true);
			}
			expect(new Set(layout.map((option) => option.left)).size).toBe(1);
			expect(layout.map((option) => option.top)).toEqual([...layout.map((option) => option.top)].sort((a, b) => a - b));
			const allWords = await page.locator('form.ballot .choice-label').evaluateAll((labels) =>
				labels.every((label) => {
					const range = document.createRange();
					range.selectNodeContents(label);
					return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size === 1;
				})
			);
			expect(allWords).toBe(true);
			expect((await overflowOf(page)).pageOverflows).toBe(false);

			// Answer the first project only, then try to go on: the rest are marked, one message says so,
			// and the focus goes to the first project without an answer.
			await projects.first().locator('input[type="radio"]').first().check();
			await page.locator('.ballot-bar button[type="submit"]').click();
			const second = projects.nth(1);
			await expect.poll(() => second.evaluate((element) => element === document.activeElement), WAIT).toBe(true);
			expect(await second.getAttribute('aria-invalid')).toBe('true');
			expect(await page.locator('fieldset.ballot-option.unanswered').count()).toBe(count - 1);
			expect(await page.locator('.ballot-error').count()).toBe(1);
			expect(await textOf(page.locator('.ballot-error'))).toContain(
				m.evaluation_error_missing_choice({ count: count - 1 }, { locale })
			);
			expect(new URL(page.url()).search, 'nothing was posted').toBe('');
			await screenshot(page, `hall-evaluation-phone-${locale}`);
			expect(errors).toEqual([]);
		});
	}

	it('hides the choices on the receipt, shows the code large and as a QR code, and "完成并退出" signs out', async () => {
		const locale = { locale: 'zh-CN' as const };
		const { page, errors } = await openBallot(TABLET_LANDSCAPE, 'zh-CN', 0);
		const boxes = page.locator('form.ballot input[name="candidate"]');
		for (let index = 0; index < 10; index += 1) await boxes.nth(index).check();
		const titles = await page
			.locator('form.ballot .option-title')
			.evaluateAll((elements) => elements.slice(0, 10).map((element) => element.textContent?.trim()));
		await page.getByRole('button', { name: m.ballot_next({}, locale) }).click();
		await page.getByRole('button', { name: m.review_cast({}, locale) }).click();
		const code = page.locator('.receipt-code');
		await code.waitFor();

		// The code: large, in groups of four, and as a QR code that leads to the receipt check.
		expect(await code.evaluate((element) => parseFloat(getComputedStyle(element).fontSize))).toBeGreaterThanOrEqual(24);
		expect(await code.locator('.code-group').count()).toBe(7);
		const qr = page.getByRole('img', { name: m.hall_receipt_qr({}, locale) });
		expect(await qr.locator('svg').count()).toBe(1);
		expect((await qr.boundingBox())!.width).toBeGreaterThanOrEqual(150);

		// The choices are there but hidden until asked for.
		const list = page.locator('.receipt .cast-choices ol');
		expect(await list.isVisible()).toBe(false);
		for (const title of titles) expect(await page.getByText(title!, { exact: true }).isVisible()).toBe(false);
		await screenshot(page, 'hall-receipt-tablet');
		await page.getByText(m.hall_show_choices({}, locale), { exact: true }).click();
		await list.waitFor();
		expect(await list.locator('li').allTextContents()).toEqual(titles);

		// 完成并退出: the next person at this tablet sees the sign-in page, and the back button shows nothing.
		const finish = page.getByRole('button', { name: m.hall_finish_sign_out({}, locale) });
		expect((await finish.boundingBox())!.height).toBeGreaterThanOrEqual(56);
		await finish.click();
		await page.waitForURL((url) => url.pathname === '/login');
		await page.getByText(m.hall_signed_out({}, locale)).waitFor();
		await page.goBack();
		await page.waitForLoadState('networkidle');
		expect(new URL(page.url()).pathname).toBe('/login');
		for (const title of titles) expect(await page.getByText(title!, { exact: true }).count()).toBe(0);
		expect(await page.locator('.receipt-code').count()).toBe(0);
		await page.goto(`${suite.app.baseUrl}/vote/${demo.votingSessionId}`);
		expect(new URL(page.url()).pathname).toBe('/login');
		expect(errors).toEqual([]);
	});
});
