// Journey 2: staff review a resident's proposal and merge it into a new candidate; the resident
// sees where it went, and the candidate shows the proposal it came from.
import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { saveProposal } from '../../src/lib/server/residents/proposals';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot, signInThroughForm } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

const HOUR = 3_600_000;
const TITLE = '为椒江区老旧小区加装电梯';

describe('journey 2: staff merge a proposal into a candidate; the resident sees the provenance', () => {
	let staff: { id: number; username: string };
	let categoryName: string;
	let candidateIds: number[];
	let campaignId: number;
	let resident: { id: number; username: string };

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		candidateIds = await createCandidates(database.sql, 5);
		const [category] = await database.sql<
			{ id: number; name: string }[]
		>`select g.id, g.name from category g join candidate c on c.category_id = g.id where c.id = ${candidateIds[0]!}`;
		categoryName = (category as { name: string }).name;
		campaignId = await createCampaign(
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
		const saved = await saveProposal(
			database.sql,
			resident.id,
			null,
			{
				campaignId,
				title: TITLE,
				categoryId: (category as { id: number }).id,
				district: '椒江区',
				problem: '多层住宅没有电梯，老人上下楼困难。',
				measure: '为 50 个老旧小区加装电梯。',
				beneficiaries: '约 2000 户居民',
				estimatedCostYuan: null,
				contact: ''
			} as Parameters<typeof saveProposal>[3],
			'submit'
		);
		if (!saved.ok) throw new Error(saved.problem);
	});

	it('lets staff review the proposal and merge it into a new candidate', async () => {
		const { page, errors } = await suite.windows.open(DESKTOP);
		await signInThroughForm(page, suite.app.baseUrl, staff.username, TEST_PASSWORD, '/admin/proposals');
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
		await screenshot(page, 'journey-2-staff-merge');
		await page.getByRole('button', { name: '合并', exact: true }).click();
		await page.getByText('已完成“合并”：1 条建议。').waitFor();
		await row.getByText('已合并', { exact: true }).waitFor();
		expect(errors).toEqual([]);
	});

	it('shows the resident that their proposal was merged, and the candidate where it came from', async () => {
		const { page, errors: residentErrors } = await suite.windows.open(PHONE);
		await signInThroughForm(page, suite.app.baseUrl, resident.username, TEST_PASSWORD, '/me');
		const mine = page.locator('.my-proposals li').filter({ hasText: TITLE });
		await mine.getByText('已合并', { exact: true }).waitFor();
		expect(await mine.innerText()).toContain('与同类建议合并为候选项目');
		await screenshot(page, 'journey-2-resident-me-merged');
		await mine.getByRole('link', { name: '老旧小区加装电梯三年行动' }).click();
		await page.waitForURL((url) => url.pathname.startsWith('/projects/'));
		await page.getByRole('heading', { name: '来源：1 条群众建议' }).waitFor();
		await page.getByRole('link', { name: TITLE }).click();
		await page.waitForURL((url) => /^\/proposals\/\d+$/.test(url.pathname));
		await page.getByText('已合并到候选项目').waitFor();
		await screenshot(page, 'journey-2-candidate-provenance');
		expect(residentErrors).toEqual([]);
	});
});
