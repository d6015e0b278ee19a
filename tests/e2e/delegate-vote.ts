// Journey 5 (and 8: the same in English with JavaScript off): a delegate signs in with the access
// code from the credential sheet on a tablet, votes with the keyboard alone, reviews, casts and
// keeps the receipt; voting again is refused. Button names and texts come from the messages.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { issueAccessCodes } from '../../src/lib/server/electorate/access-codes';
import type { TestDatabase } from '../helpers/database';
import { createUser, createVotingSession, type TestSession } from '../helpers/factory';
import { focusedValue, screenshot, tabUntilFocused, waitForScripts } from '../helpers/browser';

export const RECEIPT_CODE = /^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/;
const WAIT = { timeout: 15_000, interval: 100 };

export interface DelegateWorld {
	session: TestSession;
	titles: Map<number, string>;
	/** The access code printed on the first delegate's sheet. */
	code: string;
}

/** An open session of six candidates for two seats, and the first delegate's access code. */
export async function delegateWorld(database: TestDatabase): Promise<DelegateWorld> {
	const session = await createVotingSession(database.sql, { candidates: 6, seats: 2, delegates: 3 });
	const staff = await createUser(database.sql, ['staff'], 'staff');
	const issued = await issueAccessCodes(database.sql, {
		votingSessionId: session.id,
		delegateId: session.delegates[0]!.id,
		actorUserId: staff.id
	});
	if (!issued.ok) throw new Error(`no access code: ${issued.error}`);
	const rows = await database.sql<
		{ id: number; title: string }[]
	>`select id, title from candidate where id in ${database.sql(session.candidateIds)}`;
	return { session, titles: new Map(rows.map((row) => [row.id, row.title])), code: issued.credentials[0]!.code };
}

/** The text of a locator, whitespace collapsed (waits for the element). */
export async function textOf(locator: Locator): Promise<string> {
	return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function voteAsDelegate(
	page: Page,
	baseUrl: string,
	world: DelegateWorld,
	options: { locale: 'zh-CN' | 'en'; javaScript: boolean; name: string }
): Promise<void> {
	const locale = { locale: options.locale };
	const { session, titles } = world;
	const ballotPath = `/vote/${session.id}`;

	// Sign in with the code from the credential sheet, just this once.
	await page.goto(`${baseUrl}/login/code`);
	if (options.javaScript) await waitForScripts(page);
	expect(await page.locator('html').getAttribute('lang')).toBe(options.locale);
	await page.getByLabel(m.electorate_code_label({}, locale)).fill(world.code);
	await page.getByRole('button', { name: m.electorate_code_submit({}, locale), exact: true }).click();
	await page.getByRole('button', { name: m.electorate_code_once_submit({}, locale) }).click();
	// One open ballot for this delegate: the sign-in lands on it (issue 15).
	await page.waitForURL((url) => url.pathname === ballotPath);
	if (options.javaScript) await waitForScripts(page);

	// The ballot: a fieldset per category with a legend, a labelled checkbox per candidate.
	const options_ = page.locator('label.ballot-option input[name="candidate"]');
	await options_.first().waitFor();
	expect(await options_.count()).toBe(6);
	expect(await page.locator('form.ballot fieldset legend').count()).toBeGreaterThan(0);
	const counter = page.locator('form.ballot .counter');
	if (options.javaScript) {
		expect(await counter.getAttribute('aria-live')).toBe('polite');
		await expect
			.poll(() => textOf(counter), WAIT)
			.toContain(m.hall_counter_open({ marked: 0, seats: 2, left: 2 }, locale));
	} else {
		expect(await textOf(counter)).toBe(m.ballot_limit_static({ seats: 2 }, locale));
	}

	// Keyboard only: Tab to the second candidate, Space; Tab on (past the details links) to the fourth, Space.
	await tabUntilFocused(page, options_.nth(1));
	await page.keyboard.press('Space');
	const first = Number(await focusedValue(page));
	await tabUntilFocused(page, options_.nth(3));
	await page.keyboard.press('Space');
	const second = Number(await focusedValue(page));
	const chosen = [first, second];
	expect(chosen).toEqual([session.candidateIds[1], session.candidateIds[3]]);
	if (options.javaScript) {
		// Two of two: full is a state of its own (green, a tick), not the error.
		await expect.poll(() => textOf(counter), WAIT).toContain(m.hall_counter_full({ marked: 2, seats: 2 }, locale));
		expect(await counter.getAttribute('class')).toContain('counter-full');
		expect(await page.locator('#ballot-error').count()).toBe(0);
	}
	for (const index of [0, 1, 2, 3, 4, 5])
		expect(await options_.nth(index).isChecked()).toBe(index === 1 || index === 3);
	// Chosen or not, in words as well as the tick.
	expect(await page.locator('label.ballot-option').nth(1).locator('.option-state').innerText()).toBe(
		m.ballot_chosen({}, locale)
	);
	expect(await page.locator('label.ballot-option').nth(0).locator('.option-state').innerText()).toBe(
		m.ballot_not_chosen({}, locale)
	);
	await screenshot(page, `${options.name}-ballot`);

	// Review (by keyboard: Tab to the button, Enter), go back to change nothing, review again.
	const next = page.getByRole('button', { name: m.ballot_next({}, locale) });
	await tabUntilFocused(page, next);
	await page.keyboard.press('Enter');
	await page.getByRole('heading', { name: m.review_title({}, locale) }).waitFor();
	const reviewList = page.locator('ol.review-list');
	await expect.poll(() => reviewList.locator('li').allTextContents(), WAIT).toEqual(chosen.map((id) => titles.get(id)));
	if (options.javaScript) {
		expect(new URL(page.url()).search, 'the enhanced form stays on the page instead of posting it').toBe('');
		await page.getByRole('button', { name: m.review_back({}, locale) }).click();
		await next.waitFor();
		await expect
			.poll(() => Promise.all([0, 1, 2, 3, 4, 5].map((index) => options_.nth(index).isChecked())), WAIT)
			.toEqual([false, true, false, true, false, false]);
		await next.click();
		await page.getByRole('heading', { name: m.review_title({}, locale) }).waitFor();
	} else {
		expect(new URL(page.url()).search).toBe('?/review');
	}
	await screenshot(page, `${options.name}-review`);

	const cast = page.getByRole('button', { name: m.review_cast({}, locale) });
	await tabUntilFocused(page, cast);
	await page.keyboard.press('Enter');
	const receiptCode = page.locator('.receipt-code');
	await receiptCode.waitFor();
	expect(await textOf(receiptCode)).toMatch(RECEIPT_CODE);
	expect(await textOf(page.locator('.receipt [role="status"]'))).toContain(m.receipt_success({}, locale));
	// On a shared tablet the choices stay hidden until the delegate asks for them (issue 15).
	const castList = page.locator('.receipt .cast-choices ol');
	expect(await castList.isVisible()).toBe(false);
	await page.getByText(m.hall_show_choices({}, locale), { exact: true }).click();
	await castList.waitFor();
	expect(await castList.locator('li').allTextContents()).toEqual(chosen.map((id) => titles.get(id)));
	expect(await page.getByRole('button', { name: m.hall_finish_sign_out({}, locale) }).count()).toBe(1);
	// Printing needs JavaScript: without it the button is left out rather than shown dead.
	expect(await page.getByRole('button', { name: m.receipt_print({}, locale) }).count()).toBe(
		options.javaScript ? 1 : 0
	);
	await screenshot(page, `${options.name}-receipt`);

	// Voting again is refused: the ballot says the vote is done, and a cast posted anyway is turned down.
	await page.goto(`${baseUrl}${ballotPath}`);
	await page.getByText(m.error_already_voted({}, locale)).waitFor();
	expect(await page.locator('form.ballot').count()).toBe(0);
	expect(await page.locator('.receipt-code').count()).toBe(0);
	const again = await page.request.post(`${baseUrl}${ballotPath}?/cast`, {
		form: { candidate: String(session.candidateIds[0]) },
		headers: { origin: baseUrl, accept: 'text/html', 'accept-language': options.locale }
	});
	expect(await again.text()).toContain(m.error_already_voted({}, locale));
}
