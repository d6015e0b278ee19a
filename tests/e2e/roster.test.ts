// The roster import in a real browser: staff upload a CSV file (BOM, Chinese headings), see the
// counts and the list, then a file with bad rows and its per-row report; disabling a delegate;
// the page on a 360 px phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, launchChromium, newContext, screenshot, signInThroughForm, watchErrors } from '../helpers/browser';

const WAIT = { timeout: 15_000, interval: 100 };
const PHONE = { width: 360, height: 740 };

describe('the roster import in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let staff: { id: number; username: string };
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		database = await createTestDatabase();
		staff = await createUser(database.sql, ['staff'], 'staff');
		app = await startApp(database.url);
		browser = await launchChromium();
	});

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => {});
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	async function open(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
		const context = await newContext(browser, { viewport });
		contexts.push(context);
		const page = await context.newPage();
		return { page, errors: watchErrors(page) };
	}

	async function upload(page: Page, name: string, content: string): Promise<void> {
		await page
			.locator('input[name="roster"]')
			.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
		await page.getByRole('button', { name: '导入名册' }).click();
	}

	it('imports a roster, lists it, then rejects a file with bad rows and shows what is wrong in each', async () => {
		const { page, errors } = await open(DESKTOP);
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, '/admin/delegates');
		await page.getByRole('heading', { name: '代表名册', exact: true }).waitFor();

		await upload(
			page,
			'台州代表名册.csv',
			'\uFEFF序号,姓名,代表团,代表证号,联系电话\r\n1,陈海燕,椒江区代表团,TZ0001,13800000001\r\n2,林志强,黄岩区代表团,TZ0002,\r\n3,王丽华,路桥区代表团,TZ0003,0576-88881234\r\n'
		);
		const result = page.locator('#import-result');
		await result.waitFor();
		expect(await result.innerText()).toContain('已导入“台州代表名册.csv”：新增 3 名代表，更新 0 名，0 名无变化。');
		const rows = page.locator('table.roster tbody tr');
		await expect.poll(() => rows.count(), WAIT).toBe(3);
		// Listed by delegation, then delegate number.
		expect(await rows.locator('th').allInnerTexts()).toEqual(['陈海燕', '王丽华', '林志强']);
		expect(await rows.first().locator('td').first().innerText()).toBe('TZ0001');
		expect(await rows.first().locator('code').innerText()).toBe('dtz0001');
		await screenshot(page, 'roster-imported');

		// A second file: one update, one new delegate, and three bad rows — nothing is written.
		await upload(
			page,
			'有错误的名册.csv',
			'姓名,代表团,代表证号\n陈海燕,椒江区代表团,TZ0001\n,温岭市代表团,TZ0004\n赵敏,温岭市代表团,TZ 0005\n钱程,温岭市代表团,TZ0001\n'
		);
		const problems = page.locator('#import-problems');
		await problems.waitFor();
		expect(await problems.innerText()).toContain('“有错误的名册.csv”未导入：发现 3 处问题，任何数据都没有写入');
		const report = page.locator('table.problems tbody tr');
		expect(await report.count()).toBe(3);
		expect((await report.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
			'3 姓名 姓名不能为空。',
			'4 代表证号 代表证号只能包含字母、数字、下划线和连字符，最多 32 位。',
			'5 代表证号 代表证号 TZ0001 已在第 2 行出现过。'
		]);
		await screenshot(page, 'roster-problems');
		const [count] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from app_user where delegate_number is not null`;
		expect(count?.count).toBe(3);
		expect(errors).toEqual([]);
	});

	it('finds a delegate and disables and re-enables them', async () => {
		const { page, errors } = await open(DESKTOP);
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, '/admin/delegates');
		await page.getByLabel('按姓名、代表证号或代表团查找').fill('黄岩');
		await page.getByRole('button', { name: '查找' }).click();
		const rows = page.locator('table.roster tbody tr');
		await expect.poll(() => rows.locator('th').allInnerTexts(), WAIT).toEqual(['林志强']);
		await page.getByRole('button', { name: '停用 林志强' }).click();
		await page.getByRole('button', { name: '恢复 林志强' }).waitFor();
		expect(await rows.first().innerText()).toContain('已停用');
		expect(new URL(page.url()).searchParams.get('q')).toBe('黄岩');
		const [disabled] = await database.sql<
			{ disabled: boolean }[]
		>`select disabled_at is not null as disabled from app_user where delegate_number = 'TZ0002'`;
		expect(disabled?.disabled).toBe(true);
		await page.getByRole('button', { name: '恢复 林志强' }).click();
		await page.getByRole('button', { name: '停用 林志强' }).waitFor();
		expect(errors).toEqual([]);
	});

	it('fits a 360 px phone without sideways scrolling of the page', async () => {
		const { page, errors } = await open(PHONE);
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, '/admin/delegates');
		await page.locator('table.roster').waitFor();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
		await screenshot(page, 'roster-phone');
		expect(errors).toEqual([]);
	});
});
