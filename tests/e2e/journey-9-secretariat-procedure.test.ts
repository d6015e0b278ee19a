// Journey 9: a congress secretariat runs a whole session in the order of the meeting's procedure
// (issue 13): the roster, the 票决办法 adopted, the standing committee's review recorded, the
// scrutineers named, check-in at the door until the quorum is met, open, the delegates vote, close, the 总监票人 and the
// 监票人 confirm with their own accounts, another staff member publishes, and the presidium's
// announcement is printed to PDF (Chromium's print) and its text read back with pdftotext.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';
import { hashPassword } from '../../src/lib/server/auth/password';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot, SCREENSHOT_DIR, signInThroughForm, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { checkInBySearch, openCheckIn, presentFigure } from './check-in-door';

const WAIT = { timeout: 15_000, interval: 100 };
const MEETING = '某市第八届人民代表大会第二次会议';
const ROSTER =
	'\uFEFF序号,姓名,代表团,代表证号,联系电话\r\n' +
	'1,陈海燕,椒江区代表团,TZ0201,13800000001\r\n' +
	'2,林志强,黄岩区代表团,TZ0202,\r\n' +
	'3,王丽华,路桥区代表团,TZ0203,\r\n' +
	'4,张建国,临海市代表团,TZ0204,\r\n' +
	'5,李晓梅,温岭市代表团,TZ0205,\r\n';

describe('journey 9: the secretariat runs a session in the meeting’s order, to the printed announcement', () => {
	let secretary: { id: number; username: string };
	let publisher: { id: number; username: string };
	let titles: string[] = [];

	const suite = browserSuite(async (database) => {
		secretary = await createUser(database.sql, ['staff'], 'secretary');
		publisher = await createUser(database.sql, ['staff'], 'publisher');
		const candidateIds = await createCandidates(database.sql, 6);
		await database.sql`update candidate set targets = ${['新增养老床位 500 张']}, lead_department = '市民政局'
			where id in ${database.sql(candidateIds)}`;
		titles = (
			await database.sql<
				{ title: string }[]
			>`select title from candidate where id in ${database.sql(candidateIds)} order by id`
		).map((row) => row.title);
	});

	/** A delegate of the roster (by delegate number) signs in with the password they chose. */
	async function delegatePage(delegateNumber: string, target: string): Promise<Page> {
		const [user] = await suite.database.sql<{ username: string }[]>`
			select username from app_user where delegate_number = ${delegateNumber}`;
		const { page } = await suite.windows.open(PHONE);
		await signInThroughForm(page, suite.app.baseUrl, user!.username, TEST_PASSWORD, target);
		return page;
	}

	it('goes from the roster to the printed announcement', { timeout: 300_000 }, async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		const base = suite.app.baseUrl;
		await signInThroughForm(page, base, secretary.username, TEST_PASSWORD, '/admin/sessions/new');

		// The draft: six candidates for two places, the meeting named, the procedure required (the defaults).
		await page.getByLabel(m.session_form_title(), { exact: true }).fill('2027年民生实事项目代表票决');
		await page.getByLabel(m.session_form_year(), { exact: true }).fill('2027');
		await page.getByLabel(m.rules_seats(), { exact: true }).fill('2');
		await page.getByLabel(m.procedure_meeting_name()).fill(MEETING);
		await expect
			.poll(() => page.locator('.candidate-ratio').innerText(), WAIT)
			.toContain(m.procedure_ratio({ candidates: '6', places: '2', ratio: '3' }));
		await page.getByRole('button', { name: m.session_form_create() }).click();
		await page.waitForURL((url) => /^\/admin\/sessions\/\d+$/.test(url.pathname));
		const sessionId = Number(new URL(page.url()).pathname.split('/').pop());

		// 1. The roster, imported and enrolled.
		await page.goto(`${base}/admin/delegates`);
		await page
			.locator('input[name="roster"]')
			.setInputFiles({ name: '代表名册.csv', mimeType: 'text/csv', buffer: Buffer.from(ROSTER, 'utf8') });
		await page.getByRole('button', { name: m.electorate_roster_import_submit() }).click();
		await page.locator('#import-result').waitFor();
		await page.goto(`${base}/admin/sessions/${sessionId}/electorate`);
		await page.getByLabel(m.electorate_enrol_all()).check();
		await page.getByRole('button', { name: m.electorate_enrol_submit() }).click();
		await page.getByText(m.electorate_enrol_done({ count: 5 })).waitFor();
		// The delegates chose their passwords (with the code of their credential sheet, journey 5).
		await suite.database.sql`update app_user set password_hash = ${await hashPassword(TEST_PASSWORD)}
			where delegate_number like 'TZ02%'`;

		// Opening is refused while the procedure is missing, and says what is missing.
		await page.goto(`${base}/admin/sessions/${sessionId}`);
		await page.getByLabel(m.admin_confirm_open()).check();
		await page.getByRole('button', { name: m.admin_action_open() }).click();
		await page.getByText(m.procedure_error_open_rules()).waitFor();

		// 2. The 票决办法: the app's draft, adopted by the presidium.
		await page.goto(`${base}/admin/sessions/${sessionId}/procedure`);
		await waitForScripts(page);
		expect(await page.locator('#rules-text').inputValue()).toContain(`${MEETING}2027年度民生实事项目票决办法`);
		await page.getByLabel(m.procedure_adopted_on()).fill('2027-01-18');
		await page.getByRole('button', { name: m.procedure_adopt_submit() }).click();
		await page.getByText(m.procedure_done_adopt()).waitFor();

		// 3. The standing committee's review of the candidate list.
		await page.getByLabel(m.procedure_review_meeting()).fill('市人大常委会第二十次会议');
		await page.getByLabel(m.procedure_review_on()).fill('2027-01-10');
		await page.getByLabel(m.procedure_review_document()).fill('人常〔2027〕1号');
		await page.getByRole('button', { name: m.procedure_review_submit() }).click();
		await page.getByText(m.procedure_done_review()).waitFor();

		// 4. The scrutineers, approved by the plenary.
		await page.goto(`${base}/admin/sessions/${sessionId}/scrutineers`);
		await waitForScripts(page);
		await page.getByLabel(m.procedure_duty_chief()).fill('TZ0201');
		await page.getByLabel(m.procedure_members_label()).fill('TZ0202\nTZ0203');
		await page.getByLabel(m.procedure_counters_label()).fill(secretary.username);
		await page.getByLabel(m.procedure_scrutineers_approved_on()).fill('2027-01-19');
		await page.getByRole('button', { name: m.procedure_scrutineers_submit() }).click();
		await page.getByText(m.procedure_done_scrutineers()).waitFor();

		// 5. Check-in at the door, found by delegate number, delegation or name: 应到 5, so the quorum
		// (more than two thirds) is 4. With three checked in, opening is refused with the numbers.
		await openCheckIn(page, base, sessionId);
		await page.getByText(m.attendance_quorum_short({ needed: '4', missing: '4' })).waitFor();
		await checkInBySearch(page, 'TZ0201', '陈海燕');
		await checkInBySearch(page, '黄岩区', '林志强');
		await checkInBySearch(page, '王丽华', '王丽华');
		await expect.poll(() => presentFigure(page), WAIT).toBe('3');
		await page.goto(`${base}/admin/sessions/${sessionId}`);
		await page.getByLabel(m.admin_confirm_open()).check();
		await page.getByRole('button', { name: m.admin_action_open() }).click();
		await page.getByText(m.attendance_error_below_quorum({ enrolled: '5', present: '3', needed: '4' })).waitFor();
		await openCheckIn(page, base, sessionId);
		await checkInBySearch(page, 'TZ0204', '张建国');
		await page.getByText(m.attendance_quorum_reached({ needed: '4' })).waitFor();
		await screenshot(page, 'journey-9-check-in-quorum');

		// 6. Open: every step of the procedure is recorded, the quorum checked in.
		await page.goto(`${base}/admin/sessions/${sessionId}`);
		await waitForScripts(page);
		await expect.poll(() => page.locator('.procedure-steps .todo').count(), WAIT).toBe(0);
		await screenshot(page, 'journey-9-before-opening');
		await page.getByLabel(m.admin_confirm_open()).check();
		await page.getByRole('button', { name: m.admin_action_open() }).click();
		await page.getByText(m.admin_action_done({ action: m.admin_action_open() })).waitFor();

		// The delegate who did not check in gets no ballot: the page tells them to 签到 first.
		const absent = await delegatePage('TZ0205', `/vote/${sessionId}`);
		await absent.getByText(m.attendance_vote_check_in_title()).waitFor();
		expect(await absent.getByRole('button', { name: m.ballot_next() }).count()).toBe(0);

		// 7. Four delegates vote (the 总监票人 and 监票人 among them): the first two candidates for three of them.
		const ballots: [string, number[]][] = [
			['TZ0201', [0, 1]],
			['TZ0202', [0, 1]],
			['TZ0203', [0, 2]],
			['TZ0204', [1]]
		];
		for (const [delegateNumber, ticks] of ballots) {
			const ballot = await delegatePage(delegateNumber, `/vote/${sessionId}`);
			await waitForScripts(ballot);
			expect(await ballot.getByRole('link', { name: m.procedure_rules_link() }).count()).toBe(1);
			for (const index of ticks)
				await ballot.locator('label.ballot-option').filter({ hasText: titles[index]! }).click();
			await ballot.getByRole('button', { name: m.ballot_next() }).click();
			await ballot.getByRole('button', { name: m.review_cast() }).click();
			await ballot.locator('.receipt-code').waitFor();
		}

		// 8. Close.
		await page.goto(`${base}/admin/sessions/${sessionId}`);
		await page.getByLabel(m.admin_confirm_close()).check();
		await page.getByRole('button', { name: m.admin_action_close() }).click();
		await page.getByText(m.admin_action_done({ action: m.admin_action_close() })).waitFor();
		expect(await page.getByRole('button', { name: m.admin_action_publish() }).count()).toBe(0);

		// 9. The scrutineers confirm, each with their own account, from their ballot list.
		for (const delegateNumber of ['TZ0201', 'TZ0202', 'TZ0203']) {
			const scrutineer = await delegatePage(delegateNumber, '/vote');
			await scrutineer.getByRole('link', { name: m.procedure_vote_confirm_link() }).click();
			await scrutineer.waitForURL((url) => url.pathname === `/admin/sessions/${sessionId}`);
			await scrutineer.getByLabel(m.admin_confirm_confirm()).check();
			await scrutineer.getByRole('button', { name: m.admin_action_confirm() }).click();
			await scrutineer.getByText(m.admin_action_done({ action: m.admin_action_confirm() })).waitFor();
			if (delegateNumber === 'TZ0201') {
				// Not yet: the page says who has confirmed and who has not.
				await scrutineer
					.getByText(
						m.procedure_confirmation_progress({ chief: m.procedure_yes(), confirmed: 0, members: 2, needed: 2 })
					)
					.waitFor();
				await screenshot(scrutineer, 'journey-9-chief-confirmed');
			}
		}

		// 10. Another staff member publishes, as announcement No. 5.
		const { page: publishing } = await suite.windows.open(DESKTOP);
		await signInThroughForm(publishing, base, publisher.username, TEST_PASSWORD, `/admin/sessions/${sessionId}`);
		// The tally's ballot account says the vote is valid; the confirmation rule is met.
		expect(await publishing.locator('[data-validity="valid"]').innerText()).toBe(
			m.attendance_vote_valid({ returned: '4', issued: '4' })
		);
		await publishing.getByText('计票结果已经总监票人和过半数的监票人确认').waitFor();
		await publishing.getByLabel(m.procedure_announcement_number()).fill('5');
		await publishing.getByLabel(m.admin_confirm_publish()).check();
		await publishing.getByRole('button', { name: m.admin_action_publish() }).click();
		await publishing.getByText(m.admin_action_done({ action: m.admin_action_publish() })).waitFor();

		// 11. The announcement, printed to PDF by Chromium and read back.
		const { page: reader } = await suite.windows.open(DESKTOP);
		await reader.goto(`${base}/results/${sessionId}/announcement`);
		await reader.locator('article.official-document').waitFor();
		const pdf = await reader.pdf({ format: 'A4', printBackground: true });
		mkdirSync(SCREENSHOT_DIR, { recursive: true });
		const file = path.join(SCREENSHOT_DIR, 'journey-9-announcement.pdf');
		writeFileSync(file, pdf);
		// -raw: the text in the order Chromium wrote it (a table cell's lines stay together).
		const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
		const compact = text.replace(/\s+/g, '');
		expect(compact).toContain(MEETING);
		expect(compact).toContain('主席团公告');
		expect(compact).toContain('（第5号）');
		expect(compact).toContain('会议应到代表5人，实到代表4人，符合法定人数。');
		expect(compact).toContain('本次票决发出选票4张，收回选票4张，其中有效票4张，无效票0张。');
		expect(compact).toContain('收回选票不多于发出选票，本次票决有效。');
		expect(compact).toContain('现将票决产生的2027年度民生实事项目（2个）按得票多少公告如下');
		for (const title of [titles[0]!, titles[1]!]) expect(compact).toContain(title.replace(/\s+/g, ''));
		expect(compact).toContain('市民政局');
		expect(compact).toContain('特此公告。');
		expect(compact).toContain(`${MEETING}主席团`);
		// One A4 page, numbered at its foot, and none of the site's navigation.
		expect(text).toMatch(/—\s*1\s*—/);
		expect(text).not.toMatch(/—\s*2\s*—/);
		expect(compact).not.toContain(m.nav_home());
		expect(errors).toEqual([]);
	});
});
