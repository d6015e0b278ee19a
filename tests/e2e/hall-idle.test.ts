// Issue 15: a ballot left alone on a shared hall tablet signs out by itself (here after 10 seconds,
// PIAOJUE_BALLOT_IDLE_SECONDS; 2 minutes by default), with the time left shown; any use starts the
// count again. Without JavaScript the receipt page signs out the same way (a meta refresh).
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';
import { createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { PHONE, screenshot, signInThroughForm, TABLET, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const IDLE_SECONDS = 10;
const WAIT = { timeout: 15_000, interval: 100 };

describe('the idle sign-out of a shared tablet (issue 15)', () => {
	let session: TestSession;
	const suite = browserSuite(
		async (database) => {
			session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		},
		{ env: { PIAOJUE_BALLOT_IDLE_SECONDS: String(IDLE_SECONDS) } }
	);

	for (const locale of ['zh-CN', 'en'] as const) {
		it(`counts down on the ballot, starts again on a touch, then signs out to the sign-in page (${locale})`, async () => {
			const { page, errors } = await suite.windows.open(locale === 'en' ? TABLET : PHONE, { locale });
			const delegate = session.delegates[locale === 'en' ? 1 : 0]!;
			const ballot = `/vote/${session.id}`;
			await page.goto(`${suite.app.baseUrl}/login?redirectTo=${encodeURIComponent(ballot)}`);
			await waitForScripts(page);
			await page.locator('main form input[name="username"]').fill(delegate.username);
			await page.locator('main form input[name="password"]').fill(TEST_PASSWORD);
			await page.locator('main form button[type="submit"]').click();
			await page.waitForURL((url) => url.pathname === ballot);
			await waitForScripts(page);
			const countdown = page.locator('.idle-countdown');
			const time = countdown.locator('.idle-time');
			await countdown.waitFor();
			expect(await countdown.isVisible()).toBe(true);
			expect(await countdown.getAttribute('role')).toBe('timer');
			// It ticks down...
			await expect
				.poll(() => textOf(time), WAIT)
				.toBe(m.hall_idle_countdown({ time: `0:0${IDLE_SECONDS - 4}` }, { locale }));
			// ...and a touch starts it again.
			await page.locator('form.ballot input[name="candidate"]').first().check();
			await expect.poll(() => textOf(time), WAIT).toMatch(/0:(10|09)/);
			// The last seconds: a banner that says so.
			await page.locator('.idle-warning').waitFor({ timeout: 15_000 });
			expect(await textOf(page.locator('.idle-alert'))).toBe(m.hall_idle_warning({}, { locale }));
			await screenshot(page, `hall-idle-warning-${locale}`);
			// Then the tablet is signed out and shows the sign-in page.
			await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.has('idle'), { timeout: 20_000 });
			await page.getByText(m.hall_idle_signed_out({}, { locale })).waitFor();
			await page.goto(`${suite.app.baseUrl}${ballot}`);
			expect(new URL(page.url()).pathname).toBe('/login');
			expect(errors).toEqual([]);
		});
	}

	it('signs out of a receipt shown without JavaScript too', async () => {
		const { page } = await suite.windows.open(TABLET, { javaScriptEnabled: false });
		const ballot = `/vote/${session.id}`;
		await signInThroughForm(page, suite.app.baseUrl, session.delegates[2]!.username, TEST_PASSWORD, ballot);
		await page.locator('form.ballot input[name="candidate"]').first().check();
		await page.getByRole('button', { name: m.ballot_next({}, { locale: 'zh-CN' }) }).click();
		await page.getByRole('button', { name: m.review_cast({}, { locale: 'zh-CN' }) }).click();
		await page.locator('.receipt-code').waitFor();
		// The time is shown (fixed, without scripts), and the page leaves by itself.
		expect(await textOf(page.locator('.idle-countdown .idle-time'))).toBe(
			m.hall_idle_countdown({ time: `0:${IDLE_SECONDS}` }, { locale: 'zh-CN' })
		);
		await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.has('idle'), { timeout: 25_000 });
		await page.getByText(m.hall_idle_signed_out({}, { locale: 'zh-CN' })).waitFor();
		await page.goto(`${suite.app.baseUrl}${ballot}`);
		expect(new URL(page.url()).pathname).toBe('/login');
	});
});
