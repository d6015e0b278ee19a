// Residents in a real browser: a resident registers on a phone and proposes a project, staff
// review it and merge it into a new candidate, and the resident sees where it went; then the
// resident supports candidates in a public selection with JavaScript switched off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { createRound } from '../../src/lib/server/residents/selection';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, launchChromium, newContext, screenshot, signInThroughForm, skipWithoutChromium, waitForScripts, watchErrors } from '../helpers/browser';

const PHONE = { width: 360, height: 740 };
const HOUR = 3_600_000;
const RESIDENT = { username: 'chen.xiaomei', password: 'my street needs a lift' };
const TITLE = '为椒江区老旧小区加装电梯';

describe.skipIf(skipWithoutChromium('e2e/residents'))('residents in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let staff: { id: number; username: string };
	let categoryName: string;
	let candidateIds: number[];
	const contexts: BrowserContext[] = [];
	let residentPage: Page;
	let residentErrors: string[];

	beforeAll(async () => {
		database = await createTestDatabase();
		staff = await createUser(database.sql, ['staff'], 'staff');
		candidateIds = await createCandidates(database.sql, 5);
		const [category] = await database.sql<{ name: string }[]>`select g.name from category g join candidate c on c.category_id = g.id where c.id = ${candidateIds[0]!}`;
		categoryName = (category as { name: string }).name;
		await createCampaign(
			database.sql,
			{ title: '2026年民生实事项目公开征集', year: 2026, opensAt: new Date(Date.now() - HOUR), closesAt: new Date(Date.now() + 72 * HOUR), criteria: '普惠性、可行性、当年完成、有量化目标、一事一建议' },
			staff.id
		);
		app = await startApp(database.url);
		browser = await launchChromium();
	});

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => {});
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	async function open(viewport: { width: number; height: number }, javaScriptEnabled = true): Promise<{ page: Page; errors: string[] }> {
		const context = await newContext(browser, { viewport, javaScriptEnabled });
		contexts.push(context);
		const page = await context.newPage();
		return { page, errors: watchErrors(page) };
	}

	it('lets a resident register on a phone and propose a project, with an error to correct first', async () => {
		({ page: residentPage, errors: residentErrors } = await open(PHONE));
		const page = residentPage;
		await page.goto(`${app.baseUrl}/proposals/new`);
		await page.getByRole('link', { name: '注册' }).first().waitFor();
		await page.locator('main').getByRole('link', { name: '注册' }).click();
		await page.waitForURL((url) => url.pathname === '/register');
		await waitForScripts(page);
		await page.getByLabel('用户名').fill(RESIDENT.username);
		await page.getByLabel('密码', { exact: true }).fill(RESIDENT.password);
		await page.getByLabel('再次输入密码').fill(RESIDENT.password);
		await page.getByRole('button', { name: '注册并登录' }).click();
		await page.waitForURL((url) => url.pathname === '/proposals/new');

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
		await screenshot(page, 'resident-proposal-error');

		await page.getByLabel('所在区县').selectOption('椒江区');
		await page.getByRole('button', { name: '提交建议' }).click();
		await page.waitForURL((url) => /^\/proposals\/\d+$/.test(url.pathname));
		await page.getByText('建议已提交').waitFor();
		expect(await page.locator('main h1').innerText()).toBe(TITLE);
		expect(await page.locator('main .badge').first().innerText()).toBe('已提交');
		// Line breaks are kept, as text.
		expect(await page.locator('p.plain-text').first().innerText()).toBe('多层住宅没有电梯，\n老人上下楼困难。');
		await screenshot(page, 'resident-proposal-submitted');
		expect(residentErrors).toEqual([]);
	});

	it('lets staff review the proposal and merge it into a new candidate', async () => {
		const { page, errors } = await open(DESKTOP);
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, '/admin/proposals');
		const row = page.locator('table.queue tbody tr').filter({ hasText: TITLE });
		await row.locator('input[name="proposal"]').check();
		await page.getByRole('button', { name: '开始审核' }).click();
		await page.getByText('已完成“开始审核”：1 条建议。').waitFor();
		await row.getByText('审核中').waitFor();

		await row.locator('input[name="proposal"]').check();
		await page.locator('input[name="target"][value="new"]').check();
		await page.locator('select#categoryId').selectOption({ label: categoryName });
		await page.getByLabel('新候选项目名称').fill('老旧小区加装电梯三年行动');
		await page.getByLabel('处理意见').fill('与同类建议合并为候选项目');
		await screenshot(page, 'staff-merge');
		await page.getByRole('button', { name: '合并', exact: true }).click();
		await page.getByText('已完成“合并”：1 条建议。').waitFor();
		await row.getByText('已合并', { exact: true }).waitFor();
		expect(errors).toEqual([]);
	});

	it('shows the resident that their proposal was merged, and the candidate where it came from', async () => {
		const page = residentPage;
		await page.goto(`${app.baseUrl}/me`);
		const mine = page.locator('.my-proposals li').filter({ hasText: TITLE });
		await mine.getByText('已合并', { exact: true }).waitFor();
		expect(await mine.innerText()).toContain('与同类建议合并为候选项目');
		await screenshot(page, 'resident-me-merged');
		await mine.getByRole('link', { name: '老旧小区加装电梯三年行动' }).click();
		await page.waitForURL((url) => url.pathname.startsWith('/projects/'));
		await page.getByRole('heading', { name: '来源：1 条群众建议' }).waitFor();
		await page.getByRole('link', { name: TITLE }).click();
		await page.waitForURL((url) => /^\/proposals\/\d+$/.test(url.pathname));
		await page.getByText('已合并到候选项目').waitFor();
		await screenshot(page, 'resident-candidate-provenance');
		expect(residentErrors).toEqual([]);
	});

	it('takes a resident’s supports in a public selection without JavaScript', async () => {
		const round = await createRound(
			database.sql,
			{ title: '2026年民生实事项目网上评选', opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 24 * HOUR), maxSupports: 2, liveRanking: true, candidateIds },
			staff.id
		);
		const roundId = (round as { id: number }).id;
		const { page, errors } = await open(PHONE, false);
		await page.goto(`${app.baseUrl}/login?redirectTo=${encodeURIComponent(`/selection/${roundId}`)}`);
		await page.getByLabel('用户名').fill(RESIDENT.username);
		await page.getByLabel('密码').fill(RESIDENT.password);
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
		await screenshot(page, 'resident-selection-nojs');
		// The refused choice came back as a 400 page, which the browser logs; nothing else went wrong.
		expect(errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
	});
});
