// A delegate evaluates every project in a real browser on a tablet, with the keyboard; after
// scrutiny and publication the projector and the public results show the grades in words.
import { describe, expect, it } from 'vitest';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { createEvaluation, yearWithProjects } from '../helpers/evaluation';
import { createUser, TEST_PASSWORD, passwordSignIn } from '../helpers/factory';
import { DESKTOP, screenshot, signInThroughForm, TABLET } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

const WAIT = { timeout: 15_000, interval: 100 };

describe('the satisfaction evaluation in a real browser', () => {
	let staff: { id: number; username: string };
	let scrutineer: { id: number; username: string };
	let evaluation: { id: number; delegates: { id: number; username: string }[] };
	let titles: Map<number, string>;
	let projectIds: number[];

	const suite = browserSuite(async (database) => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const year = await yearWithProjects(database.sql, 3, staff, scrutineer);
		projectIds = year.projectIds;
		evaluation = await createEvaluation(database.sql, year.year, staff, { delegates: 2 });
		const rows = await database.sql<
			{ id: number; title: string }[]
		>`select id, title from candidate where id in ${database.sql(projectIds)}`;
		titles = new Map(rows.map((row) => [row.id, row.title]));
	});

	it('lets a delegate answer for every project with the keyboard, review, cast and keep the receipt', async () => {
		const { page, errors } = await suite.windows.open(TABLET);
		const ballotPath = `/vote/${evaluation.id}`;
		await signInThroughForm(page, suite.app.baseUrl, evaluation.delegates[0]!.username, TEST_PASSWORD, ballotPath);

		const groups = page.locator('fieldset.ballot-option');
		await groups.first().waitFor();
		expect(await groups.count()).toBe(3);
		const counter = page.locator('form.ballot .counter');
		await expect.poll(async () => (await counter.textContent())?.trim(), WAIT).toContain('已评价 0 / 3 项');

		// Each project is a radio group named by its legend: 满意 for the first two, 不满意 for the last,
		// chosen from the keyboard (focus the group's first option, arrow keys move within it).
		const answers = ['满意', '满意', '不满意'];
		for (const [index, answer] of answers.entries()) {
			const group = groups.nth(index);
			expect(await group.locator('legend').textContent()).toContain(titles.get(projectIds[index]!));
			await group.getByRole('radio', { name: '满意', exact: true }).focus();
			if (answer === '不满意') {
				await page.keyboard.press('ArrowDown');
				await page.keyboard.press('ArrowDown');
			} else {
				await page.keyboard.press('Space');
			}
			expect(await group.getByRole('radio', { name: answer, exact: true }).isChecked()).toBe(true);
		}
		await expect.poll(async () => (await counter.textContent())?.trim(), WAIT).toContain('3 个项目已全部评价');
		await screenshot(page, 'evaluation-ballot');

		await page.getByRole('button', { name: '下一步：核对测评票' }).click();
		await page.getByRole('heading', { name: '核对测评票' }).waitFor();
		const lines = await page.locator('ul.review-list li').allTextContents();
		expect(lines).toHaveLength(3);
		expect(lines[2]).toContain(titles.get(projectIds[2]!));
		expect(lines[2]).toContain('不满意');
		await page.getByRole('button', { name: '确认提交测评' }).click();
		const receiptCode = page.locator('.receipt-code');
		await receiptCode.waitFor();
		expect(((await receiptCode.textContent()) ?? '').trim()).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/);
		await screenshot(page, 'evaluation-receipt');

		await page.reload();
		await page.getByText('您已经完成测评').waitFor();
		expect(errors).toEqual([]);
	});

	it('shows the published grades in words on the results page and the projector', async () => {
		const { sql } = suite.database;
		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		expect(await confirmTally(sql, evaluation.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		expect(await applyLifecycle(sql, evaluation.id, 'publish', staff.id)).toMatchObject({ ok: true });

		const { page, errors } = await suite.windows.open(DESKTOP);
		await page.goto(`${suite.app.baseUrl}/results/${evaluation.id}`);
		const table = page.locator('table.evaluation');
		await table.waitFor();
		const rowOf = (id: number) =>
			table.locator('tbody tr').filter({ has: page.locator('th', { hasText: titles.get(id)! }) });
		// 1 满意 of 2 entitled is exactly half: not enough for 满意, nor (with nothing else) for 基本满意.
		expect(await rowOf(projectIds[0]!).locator('td strong').textContent()).toBe('不满意');
		expect(await rowOf(projectIds[0]!).locator('td.num').first().textContent()).toBe('1');
		await screenshot(page, 'evaluation-results');

		await page.setViewportSize({ width: 1920, height: 1080 });
		await page.goto(`${suite.app.baseUrl}/screen/${evaluation.id}`);
		await page.locator('.screen-evaluation table.evaluation').waitFor();
		expect(await page.locator('.screen-evaluation').textContent()).toContain('总体满意率');
		await screenshot(page, 'evaluation-projector');
		expect(errors).toEqual([]);
	});
});
