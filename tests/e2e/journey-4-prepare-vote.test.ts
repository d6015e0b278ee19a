// Journey 4: staff prepare a voting session from the public selection (the top of the closed
// round's ranking is carried into a draft), import the delegate roster, enrol it, go through the
// meeting's procedure (票决办法 adopted, review recorded, scrutineers named), print the credential
// sheets, check the delegates in at the door until the quorum is met and open the vote. Labels come
// from the messages (Chinese, the default).
import { describe, expect, it } from 'vitest';
import { m } from '../../src/lib/paraglide/messages';
import { closeRoundNow, createRound, replaceSupports } from '../../src/lib/server/residents/selection';
import { createCandidates, createUser, createUsers, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, screenshot, signInThroughForm } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { verifyMobile } from '../helpers/verification';
import { checkInByCode, checkInBySearch, openCheckIn, presentFigure } from './check-in-door';

const HOUR = 3_600_000;
const WAIT = { timeout: 15_000, interval: 100 };
const ROSTER =
	'\uFEFF序号,姓名,代表团,代表证号,联系电话\r\n' +
	'1,陈海燕,椒江区代表团,TZ0101,13800000001\r\n' +
	'2,林志强,黄岩区代表团,TZ0102,\r\n' +
	'3,王丽华,路桥区代表团,TZ0103,\r\n' +
	'4,张建国,临海市代表团,TZ0104,\r\n' +
	'5,李晓梅,温岭市代表团,TZ0105,\r\n';

describe('journey 4: staff prepare a voting session from the selection and open it', () => {
	let staff: { id: number; username: string };
	let roundId: number;
	/** The round's candidates, most supported first. */
	let ranked: number[];

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		const candidateIds = await createCandidates(database.sql, 5);
		const round = await createRound(
			database.sql,
			{
				title: '2026年民生实事项目网上评选',
				opensAt: new Date(Date.now() - HOUR),
				closesAt: new Date(Date.now() + HOUR),
				maxSupports: 3,
				liveRanking: true,
				candidateIds
			},
			staff.id
		);
		if (!round.ok) throw new Error(round.problem);
		roundId = round.id;
		// Five residents support: candidate 4 most, then 2, 0, 1, 3.
		ranked = [candidateIds[4]!, candidateIds[2]!, candidateIds[0]!, candidateIds[1]!, candidateIds[3]!];
		const residents = await createUsers(database.sql, 5, ['resident'], 'resident');
		// The round takes phone-verified residents (the default): each verifies a number first.
		for (const resident of residents) await verifyMobile(database.sql, resident.id);
		const picks = [[4, 2, 0], [4, 2, 0], [4, 2, 1], [4, 2], [4]];
		for (const [index, resident] of residents.entries()) {
			const supported = await replaceSupports(
				database.sql,
				roundId,
				resident.id,
				picks[index]!.map((at) => candidateIds[at]!)
			);
			if (!supported.ok) throw new Error(JSON.stringify(supported));
		}
		const closed = await closeRoundNow(database.sql, roundId, staff.id);
		if (!closed.ok) throw new Error(closed.problem);
	});

	it('carries the ranking into a session, imports and enrols the roster, prints the credentials, checks in and opens the vote', async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		await signInThroughForm(page, suite.app.baseUrl, staff.username, TEST_PASSWORD, `/admin/rounds/${roundId}`);

		// 1. The top four of the selection become the candidates of a draft session for two seats.
		await page.getByLabel(m.residents_carry_count()).fill('4');
		await page.getByLabel(m.residents_carry_session_title()).fill('2026年民生实事项目代表票决');
		await page.getByLabel(m.residents_campaign_field_year()).fill('2026');
		await page.getByLabel(m.rules_seats()).fill('2');
		await screenshot(page, 'journey-4-carry');
		await page.getByRole('button', { name: m.residents_carry_submit() }).click();
		await page.getByRole('link', { name: m.residents_carried_open_session() }).click();
		await page.waitForURL((url) => /^\/admin\/sessions\/\d+$/.test(url.pathname));
		const sessionId = Number(new URL(page.url()).pathname.split('/').pop());
		const candidates = await suite.database.sql<{ candidateId: number }[]>`
			select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${sessionId} order by candidate_id`;
		expect(candidates.map((row) => row.candidateId)).toEqual(ranked.slice(0, 4).sort((a, b) => a - b));

		// 2. The roster of delegates, from a CSV file with Chinese headings.
		await page.goto(`${suite.app.baseUrl}/admin/delegates`);
		await page
			.locator('input[name="roster"]')
			.setInputFiles({ name: '代表名册.csv', mimeType: 'text/csv', buffer: Buffer.from(ROSTER, 'utf8') });
		await page.getByRole('button', { name: m.electorate_roster_import_submit() }).click();
		await page.locator('#import-result').waitFor();
		await expect.poll(() => page.locator('table.roster tbody tr').count(), WAIT).toBe(5);

		// 3. Every delegate of the roster is enrolled in the session.
		await page.goto(`${suite.app.baseUrl}/admin/sessions/${sessionId}/electorate`);
		await page.getByLabel(m.electorate_enrol_all()).check();
		await page.getByRole('button', { name: m.electorate_enrol_submit() }).click();
		await page.getByText(m.electorate_enrol_done({ count: 5 })).waitFor();

		// 4. The meeting's procedure: the app's draft of the 票决办法 adopted by the presidium, the standing
		// committee's review of the list recorded, a 总监票人 and two 监票人 named from the delegates.
		await page.goto(`${suite.app.baseUrl}/admin/sessions/${sessionId}`);
		await page.getByRole('link', { name: m.procedure_page_link() }).first().click();
		expect(await page.locator('#rules-text').inputValue()).toContain('从中票决产生2个2026年度民生实事项目');
		await page.getByLabel(m.procedure_adopted_on()).fill('2026-01-18');
		await page.getByRole('button', { name: m.procedure_adopt_submit() }).click();
		await page.getByText(m.procedure_done_adopt()).waitFor();
		await page.getByLabel(m.procedure_review_meeting()).fill('市人大常委会第二十次会议');
		await page.getByLabel(m.procedure_review_on()).fill('2026-01-10');
		await page.getByLabel(m.procedure_review_document()).fill('人常〔2026〕1号');
		await page.getByRole('button', { name: m.procedure_review_submit() }).click();
		await page.getByText(m.procedure_done_review()).waitFor();
		await screenshot(page, 'journey-4-procedure');
		await page.goto(`${suite.app.baseUrl}/admin/sessions/${sessionId}/scrutineers`);
		await page.getByLabel(m.procedure_duty_chief()).fill('TZ0101');
		await page.getByLabel(m.procedure_members_label()).fill('TZ0102\nTZ0103');
		await page.getByLabel(m.procedure_scrutineers_approved_on()).fill('2026-01-19');
		await page.getByRole('button', { name: m.procedure_scrutineers_submit() }).click();
		await page.getByText(m.procedure_done_scrutineers()).waitFor();
		expect(await page.locator('table tbody th').allInnerTexts()).toEqual(['陈海燕', '林志强', '王丽华']);

		// 5. The credential sheets, with the code and the QR code, ready to print: one per delegate but
		// the named scrutineers, who act (and vote) with their own password sign-in, as the page says.
		await page.goto(`${suite.app.baseUrl}/admin/sessions/${sessionId}/credentials`);
		await page.getByLabel(m.electorate_issue_all_confirm()).check();
		await page.getByRole('button', { name: m.electorate_issue_all_submit() }).click();
		const sheets = page.locator('article.credential-sheet');
		await expect.poll(() => sheets.count(), WAIT).toBe(2);
		expect(await sheets.locator('.sheet-name').allInnerTexts()).toEqual(['张建国', '李晓梅']);
		expect(await page.locator('#codes-skipped').innerText()).toBe(
			m.trust_codes_skipped({ count: 3, names: '陈海燕、王丽华、林志强' })
		);
		const codes = await sheets.locator('code.access-code').allInnerTexts();
		await page.emulateMedia({ media: 'print' });
		await screenshot(page, 'journey-4-credential-sheets-print');
		expect(await page.locator('header.site-header nav').filter({ visible: true }).count()).toBe(0);
		await page.emulateMedia({ media: 'screen' });

		// 6. Check-in at the door (签到): 应到 5, the quorum (more than two thirds) 4. The two holding a
		// sheet show its code; the scrutineers are found by delegate number or name.
		await openCheckIn(page, suite.app.baseUrl, sessionId);
		await page.getByText(m.attendance_quorum_short({ needed: '4', missing: '4' })).waitFor();
		await checkInByCode(page, codes[0]!, '张建国');
		await checkInByCode(page, codes[1]!, '李晓梅');
		await checkInBySearch(page, 'TZ0101', '陈海燕');
		await checkInBySearch(page, '林志强', '林志强');
		await page.getByText(m.attendance_quorum_reached({ needed: '4' })).waitFor();
		expect(await presentFigure(page)).toBe('4');
		await screenshot(page, 'journey-4-check-in');

		// 7. Open the vote.
		await page.goto(`${suite.app.baseUrl}/admin/sessions/${sessionId}`);
		await page.getByLabel(m.admin_confirm_open()).check();
		await page.getByRole('button', { name: m.admin_action_open() }).click();
		await page.getByText(m.admin_action_done({ action: m.admin_action_open() })).waitFor();
		await screenshot(page, 'journey-4-opened');
		const [session] = await suite.database.sql<{ status: string; enrolled: number; present: number }[]>`
			select s.status, (select count(*)::int from electorate_member e where e.voting_session_id = s.id) as enrolled,
			       (select count(*)::int from electorate_member e where e.voting_session_id = s.id and e.present) as present
			from voting_session s where s.id = ${sessionId}`;
		expect(session).toEqual({ status: 'open', enrolled: 5, present: 4 });
		expect(errors).toEqual([]);
	});
});
