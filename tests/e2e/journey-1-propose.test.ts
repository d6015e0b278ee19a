// Journey 1: a resident registers on a phone, proposes a project (correcting a mistake the form
// points out first) and sees it under review on their page.
import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/lib/server/residents/campaigns';

import { createCandidates, createUser } from '../helpers/factory';
import { PHONE, screenshot, waitForProofOfWork, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

const HOUR = 3_600_000;
const TITLE = '为椒江区老旧小区加装电梯';
const RESIDENT = { username: 'chen.xiaomei', password: 'my street needs a lift' };

describe('journey 1: a resident proposes a project', () => {
	let staff: { id: number; username: string };
	let categoryName: string;
	let candidateIds: number[];

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		candidateIds = await createCandidates(database.sql, 5);
		const [category] = await database.sql<
			{ id: number; name: string }[]
		>`select g.id, g.name from category g join candidate c on c.category_id = g.id where c.id = ${candidateIds[0]!}`;
		categoryName = (category as { name: string }).name;
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
	});

	it('lets a resident register on a phone and propose a project, with an error to correct first', async () => {
		const { page, errors: residentErrors } = await suite.windows.open(PHONE);
		await page.goto(`${suite.app.baseUrl}/proposals/new`);
		await page.getByRole('link', { name: '注册' }).first().waitFor();
		await page.locator('main').getByRole('link', { name: '注册' }).click();
		await page.waitForURL((url) => url.pathname === '/register');
		await waitForScripts(page);
		await page.getByLabel('用户名').fill(RESIDENT.username);
		await page.getByLabel('密码', { exact: true }).fill(RESIDENT.password);
		await page.getByLabel('再次输入密码').fill(RESIDENT.password);
		await page.getByLabel('我已阅读并同意上述个人信息处理方式').check();
		await waitForProofOfWork(page);
		await page.getByRole('button', { name: '注册并登录' }).click();
		// Registered and signed in, the resident is offered to verify a mobile number first (issue 14);
		// a proposal needs none, so they go back to the form they came for.
		await page.waitForURL((url) => url.pathname === '/me/verify');
		await page.goto(`${suite.app.baseUrl}/proposals/new`);

		await page.getByLabel('建议标题').fill(TITLE);
		await page.getByLabel('所属方面').selectOption({ label: categoryName });
		await page.getByLabel('要解决的问题').fill('多层住宅没有电梯，\n老人上下楼困难。');
		await page.getByLabel('建议的措施').fill('为 50 个老旧小区加装电梯。');
		await page.getByLabel('受益群体').fill('约 2000 户居民');
		// The district is missing: the form says so and keeps the rest.
		await page.getByRole('button', { name: '提交建议' }).click();
		await page.locator('#district-error').waitFor();
		expect(await page.locator('#district-error').innerText()).toBe('请选择所在区县。');
		expect(await page.getByLabel('建议标题').inputValue()).toBe(TITLE);
		await screenshot(page, 'journey-1-proposal-error');

		await page.getByLabel('所在区县').selectOption('椒江区');
		await page.getByRole('button', { name: '提交建议' }).click();
		await page.waitForURL((url) => /^\/proposals\/\d+$/.test(url.pathname));
		await page.getByText('建议已提交').waitFor();
		expect(await page.locator('main h1').innerText()).toBe(TITLE);
		expect(await page.locator('main .badge').first().innerText()).toBe('已提交');
		// Line breaks are kept, as text.
		expect(await page.locator('p.plain-text').first().innerText()).toBe('多层住宅没有电梯，\n老人上下楼困难。');
		await screenshot(page, 'journey-1-proposal-submitted');

		// Their own page lists it, awaiting review.
		await page.goto(`${suite.app.baseUrl}/me`);
		const mine = page.locator('.my-proposals li').filter({ hasText: TITLE });
		await mine.getByText('已提交', { exact: true }).waitFor();
		await screenshot(page, 'journey-1-me');
		expect(residentErrors).toEqual([]);
	});
});
