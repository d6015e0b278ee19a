// The check-in at the hall door (签到) as a secretariat does it in the browser journeys: on the
// session's check-in page, the credential sheet's code typed (the scanner's fallback), or a delegate
// found by name, delegation or delegate number and checked in with one tap.
import type { Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { waitForScripts } from '../helpers/browser';

/** Opens the check-in page from the session's page, through its link. */
export async function openCheckIn(page: Page, baseUrl: string, sessionId: number): Promise<void> {
	await page.goto(`${baseUrl}/admin/sessions/${sessionId}`);
	await page.getByRole('link', { name: m.attendance_check_in_link() }).first().click();
	await page.waitForURL((url) => url.pathname === `/admin/sessions/${sessionId}/check-in`);
	await waitForScripts(page);
}

/** Checks a delegate in by the code printed on their credential sheet, typed as the scanner would read it. */
export async function checkInByCode(page: Page, code: string, displayName: string): Promise<void> {
	await page.getByLabel(m.attendance_code_label(), { exact: true }).fill(code);
	await page.getByRole('button', { name: m.attendance_code_submit(), exact: true }).click();
	await page
		.locator('#check-in-code-result')
		.getByText(m.attendance_done_checked_in({ name: displayName }))
		.waitFor();
}

/** Finds a delegate (by name, delegation or delegate number) and checks them in with one tap. */
export async function checkInBySearch(page: Page, search: string, displayName: string): Promise<void> {
	await page.getByLabel(m.electorate_search_label()).fill(search);
	await page.getByRole('button', { name: m.hall_filter_submit() }).click();
	await page.waitForURL((url) => url.searchParams.get('q') === search);
	await page.getByRole('button', { name: m.attendance_check_in_named({ name: displayName }) }).click();
	await page.getByText(m.attendance_done_checked_in({ name: displayName })).waitFor();
}

/** The 实到 figure at the top of the check-in page. */
export async function presentFigure(page: Page): Promise<string> {
	return (await page.locator('#check-in-present').innerText()).trim();
}
