// Journey 6: the projector in the hall shows the turnout rising live while two delegates vote on
// their tablets: no reload, the figures and the progress bar follow each cast.
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { PROJECTOR, screenshot, signInThroughForm, TABLET } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const WAIT = { timeout: 15_000, interval: 100 };

/** The big figure under a label (应到, 实到, 已投票) on the screen. */
function screenFigure(page: Page, label: string): Locator {
	return page
		.locator('.screen-figures > div')
		.filter({ has: page.locator('dt', { hasText: label }) })
		.locator('dd');
}

describe('journey 6: the projector shows the turnout rising live while delegates vote', () => {
	let session: TestSession;

	const suite = browserSuite(async (database) => {
		session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 4 });
	});

	/** A delegate ticks the first candidate on a tablet, reviews and casts. */
	async function vote(delegateIndex: number): Promise<void> {
		const { page, errors } = await suite.windows.open(TABLET);
		const ballotPath = `/vote/${session.id}`;
		await signInThroughForm(
			page,
			suite.app.baseUrl,
			session.delegates[delegateIndex]!.username,
			TEST_PASSWORD,
			ballotPath
		);
		await page.locator('label.ballot-option input[name="candidate"]').first().check();
		await page.getByRole('button', { name: m.ballot_next() }).click();
		await page.getByRole('button', { name: m.review_cast() }).click();
		await page.locator('.receipt-code').waitFor();
		expect(errors).toEqual([]);
	}

	it('moves from 0 to 1 to 2 votes on the projector without a reload', async () => {
		const { page: screen, errors } = await suite.windows.open(PROJECTOR);
		await screen.goto(`${suite.app.baseUrl}/screen/${session.id}?theme=dark`);
		await screen.locator('.screen-live-live').waitFor();
		expect(await textOf(screenFigure(screen, '应到'))).toBe('4');
		expect(await textOf(screenFigure(screen, '已投票'))).toBe('0');
		// A mark that would vanish if the page reloaded.
		await screen.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
		await screenshot(screen, 'journey-6-projector-0');

		await vote(0);
		await expect.poll(() => textOf(screenFigure(screen, '已投票')), WAIT).toBe('1');
		expect(await screen.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('1');
		await screenshot(screen, 'journey-6-projector-1');

		await vote(1);
		await expect.poll(() => textOf(screenFigure(screen, '已投票')), WAIT).toBe('2');
		expect(await screen.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('2');
		expect(await textOf(screen.locator('.screen-percent'))).toBe('已投票 50%');
		expect(await screen.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
		await screenshot(screen, 'journey-6-projector-2');
		expect(errors).toEqual([]);
	});
});
