// Journey 3: a resident supports candidates in the public selection, changes their mind and
// meets the limit; with JavaScript switched off on a phone.
import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { createRound } from '../../src/lib/server/residents/selection';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';
import { PHONE, screenshot } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { verifyMobile } from '../helpers/verification';

const HOUR = 3_600_000;
describe('journey 3: a resident supports candidates in the public selection', () => {
	let staff: { id: number; username: string };
	let candidateIds: number[];
	let resident: { id: number; username: string };

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		candidateIds = await createCandidates(database.sql, 5);
		await createCampaign(
			database.sql,
			{
				title: '2026年民生实事项目公开征集',
				year: 2026,
				opensAt: new Date(Date.now() - HOUR),
				closesAt: new Date(Date.now() + 72 * HOUR),
				criteria: '普惠性、可行性、当年完成、有量化目标、一事一建议'
			},
			staff.id
		);
		resident = await createUser(database.sql, ['resident'], 'resident');
		await verifyMobile(database.sql, resident.id); // the round takes phone-verified residents (the default)
	});

	it('takes a resident’s supports in a public selection without JavaScript', async () => {
		const round = await createRound(
			suite.database.sql,
			{
				title: '2026年民生实事项目网上评选',
				opensAt: new Date(Date.now() - 60_000),
				closesAt: new Date(Date.now() + 24 * HOUR),
				maxSupports: 2,
				liveRanking: true,
				candidateIds
			},
			staff.id
		);
		const roundId = (round as { id: number }).id;
		const { page, errors } = await suite.windows.open(PHONE, { javaScriptEnabled: false });
		await page.goto(`${suite.app.baseUrl}/login?redirectTo=${encodeURIComponent(`/selection/${roundId}`)}`);
		await page.getByLabel('用户名').fill(resident.username);
		await page.getByLabel('密码').fill(TEST_PASSWORD);
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.waitForURL((url) => url.pathname === `/selection/${roundId}`);
		const options = page.locator('form.ballot input[name="candidate"]');
		expect(await options.count()).toBe(5);
		for (const index of [0, 1, 2]) await options.nth(index).check();
		await page.getByRole('button', { name: '保存我的选择' }).click();
		await page.getByText('您选择了 3 项，超过了最多 2 项的限制').waitFor();
		await options.nth(2).uncheck();
		await page.getByRole('button', { name: '保存我的选择' }).click();
		await page.getByText('您的选择已保存').waitFor();
		await page.getByRole('heading', { name: '您目前支持 2 个项目：' }).waitFor();
		expect(await page.locator('table.tally tbody tr').count()).toBe(5); // the round shows its ranking live
		await screenshot(page, 'journey-3-selection-nojs');

		// A change of mind: the fourth candidate instead of the first; the page shows the new choice.
		await options.nth(0).uncheck();
		await options.nth(3).check();
		await page.getByRole('button', { name: '保存我的选择' }).click();
		await page.getByText('您的选择已保存').waitFor();
		await page.goto(`${suite.app.baseUrl}/selection/${roundId}`);
		expect(await Promise.all([0, 1, 2, 3, 4].map((index) => options.nth(index).isChecked()))).toEqual([
			false,
			true,
			false,
			true,
			false
		]);
		await screenshot(page, 'journey-3-selection-changed');
		// The refused choice came back as a 400 page, which the suite.browser logs; nothing else went wrong.
		expect(errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
	});
});
