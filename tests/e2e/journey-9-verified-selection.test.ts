// Journey 9: a resident registers (the proof-of-work widget solving in the page), verifies a
// mobile number with the code the server logged, and supports candidates in a round open to
// phone-verified residents only; staff find a planted cluster of scripted accounts in the
// irregular-activity review and exclude it; the public ranking shows the exclusion.
import { describe, expect, it } from 'vitest';
import { createRound, replaceSupports } from '../../src/lib/server/residents/selection';
import { createCandidates, createUser, createUsers, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot, signInThroughForm, waitForProofOfWork, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { verifyMobile } from '../helpers/verification';

const HOUR = 3_600_000;
const CLUSTER = '203.0.113.0/24';

describe('journey 9: verified residents and the review of scripted supports', () => {
	let staff: { id: number; username: string };
	let candidateIds: number[];
	let roundId: number;

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		candidateIds = await createCandidates(database.sql, 5);
		const round = await createRound(
			database.sql,
			{
				title: '2026年民生实事项目网上评选',
				opensAt: new Date(Date.now() - HOUR),
				closesAt: new Date(Date.now() + 24 * HOUR),
				maxSupports: 2,
				liveRanking: true,
				candidateIds
			},
			staff.id
		);
		if (!round.ok) throw new Error(round.problem);
		roundId = round.id;
		// The planted script: seven verified accounts, one address block, one user agent, one candidate.
		const scripted = await createUsers(database.sql, 7, ['resident'], 'script');
		for (const account of scripted) {
			await verifyMobile(database.sql, account.id);
			const supported = await replaceSupports(database.sql, roundId, account.id, [candidateIds[4]!], {
				addressPrefix: CLUSTER,
				userAgent: 'python-requests/2.31'
			});
			if (!supported.ok) throw new Error(JSON.stringify(supported));
		}
	});

	it('registers, verifies a phone with the logged code and supports in a verified-only round', async () => {
		const { page, errors } = await suite.windows.open(PHONE);
		const roundPath = `/selection/${roundId}`;
		await page.goto(`${suite.app.baseUrl}/register?redirectTo=${encodeURIComponent(roundPath)}`);
		await waitForScripts(page);
		await page.getByLabel('用户名').fill('zhang.wei');
		await page.getByLabel('密码', { exact: true }).fill('a long enough secret');
		await page.getByLabel('再次输入密码').fill('a long enough secret');
		await page.getByLabel('我已阅读并同意上述个人信息处理方式').check();
		// The widget solves its challenge by itself (in a worker from this site) and fills the hidden field.
		await waitForProofOfWork(page);
		await screenshot(page, 'journey-9-register');
		await page.getByRole('button', { name: '注册并登录' }).click();
		await page.waitForURL((url) => url.pathname === '/me/verify');
		// The server accepted the widget's solution (and will not accept it again).
		expect(await suite.database.sql`select 1 from altcha_used_challenge`).toHaveLength(1);

		await page.getByLabel('手机号码', { exact: true }).fill('13812341234');
		await page.getByLabel('我同意为验证身份处理我的手机号码').check();
		await page.getByRole('button', { name: '发送验证码' }).click();
		await page.getByText('验证码已发送至 138****1234').waitFor();
		const code = /SMS code (\d{6}) to 138\*\*\*\*1234/.exec(suite.app.log())?.[1];
		expect(code).toMatch(/^\d{6}$/);
		await page.getByLabel('短信验证码').fill(code!);
		await screenshot(page, 'journey-9-verify');
		await page.getByRole('button', { name: '确认验证' }).click();
		await page.waitForURL((url) => url.pathname === roundPath);

		await expect.poll(() => page.locator('#how-to-verify').count()).toBe(0);
		const options = page.locator('form.ballot input[name="candidate"]');
		await options.nth(0).check();
		await options.nth(1).check();
		await page.getByRole('button', { name: '保存我的选择' }).click();
		await page.getByText('您的选择已保存').waitFor();
		await page.getByRole('heading', { name: '您目前支持 2 个项目：' }).waitFor();
		const [registered] = await suite.database.sql<{ supports: number; verified: boolean; prefix: string }[]>`
			select p.supports, r.mobile_verified_at is not null as verified, host(p.address_prefix) as prefix
			from app_user u join resident_profile r on r.user_id = u.id
			join selection_participant p on p.resident_id = u.id and p.round_id = ${roundId}
			where u.username = 'zhang.wei'`;
		expect(registered).toEqual({ supports: 2, verified: true, prefix: '127.0.0.0' });
		expect(errors).toEqual([]);
	});

	it('lets staff find the planted cluster, exclude it, and the public ranking show it', async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		await signInThroughForm(page, suite.app.baseUrl, staff.username, TEST_PASSWORD, `/admin/rounds/${roundId}/review`);
		const finding = page.locator('.finding').filter({ hasText: `地址段 ${CLUSTER}` });
		await finding.waitFor();
		await expect.poll(() => finding.locator('tbody tr').count()).toBe(7);
		// Numbers are masked for staff.
		expect(await finding.locator('tbody tr td:nth-child(3)').allTextContents()).toSatisfy((cells: string[]) =>
			cells.every((cell) => /^139\*\*\*\*\d{4}$/.test(cell.trim()))
		);
		for (const box of await finding.locator('input[name="resident"]').all()) await box.check();
		await page.getByLabel('剔除理由').fill('同一 /24 地址段、同一脚本标识，注册后立即集中支持同一项目');
		await screenshot(page, 'journey-9-review');
		await page.getByRole('button', { name: '剔除所选账号的全部支持' }).click();
		await page.getByText('已剔除 7 个账号的支持').waitFor();

		const { page: publicPage } = await suite.windows.open(PHONE);
		await publicPage.goto(`${suite.app.baseUrl}/selection/${roundId}`);
		const row = publicPage.locator('table.tally tbody tr').filter({ hasText: '剔除异常支持 7 条' });
		await row.waitFor();
		expect(await row.locator('td.num').nth(1).textContent()).toBe('0'); // kept supports of the pushed candidate
		await publicPage.getByText('工作人员核查后剔除异常支持共 7 条').waitFor();
		await screenshot(publicPage, 'journey-9-public-ranking');
		const [audit] = await suite.database.sql<{ count: number }[]>`
			select count(*)::int from audit_entry where action = 'selection.supports_excluded' and (details->>'roundId')::bigint = ${roundId}`;
		expect(audit!.count).toBe(1);
		expect(errors).toEqual([]);
	});
});
