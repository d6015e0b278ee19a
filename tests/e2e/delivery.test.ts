// Delivery tracking in real Chromium: a department account on a phone reports progress on its
// project (percentages per target, a status, a photo) and the public page shows the update, its
// status in words, the progress bar and the photo.
import { deflateSync, crc32 } from 'node:zlib';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDepartmentAccount } from '../../src/lib/server/delivery/departments';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { createUser, createVotingSession, passwordSignIn } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot, signInThroughForm, waitForScripts } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

const WAIT = { timeout: 15_000, interval: 100 };

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A decodable 40×30 PNG with a location in a text chunk. */
function sitePhoto(): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(40, 0);
	header.writeUInt32BE(30, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const rows = Buffer.concat(
		Array.from({ length: 30 }, (_, row) => Buffer.concat([Buffer.from([0]), Buffer.alloc(120, row * 8)]))
	);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('tEXt', Buffer.from('Location\0GPS 28.65N 121.42E', 'latin1')),
		pngChunk('IDAT', deflateSync(rows)),
		pngChunk('IEND', Buffer.alloc(0))
	]);
}

describe('delivery tracking in a real browser', () => {
	let project: { id: number; title: string };
	let department: { username: string; password: string };

	const suite = browserSuite(async (database) => {
		const sql = database.sql;
		const staff = await createUser(sql, ['staff'], 'staff');
		const publisher = await createUser(sql, ['staff'], 'publisher');
		const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2, open: false });
		await sql`update candidate set lead_department = '市民政局', targets = ${['新建居家养老服务中心 20 家', '新增老年助餐点 50 个']} where id = ${session.candidateIds[0]!}`;
		expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);
		for (const delegate of session.delegates) {
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
			});
		}
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		expect((await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).ok).toBe(
			true
		);
		expect((await applyLifecycle(sql, session.id, 'publish', publisher.id)).ok).toBe(true);
		const [row] = await sql<
			{ id: number; title: string }[]
		>`select id, title from livelihood_project where voting_session_id = ${session.id}`;
		project = row!;
		const account = await createDepartmentAccount(
			sql,
			{ username: 'dept_e2e', displayName: '市民政局', departmentName: '市民政局' },
			staff.id
		);
		if (!account.ok) throw new Error('no department account');
		department = { username: 'dept_e2e', password: account.password };
	});

	it('a department posts an update with a photo on a phone, and the public page shows it', async () => {
		const { page, errors } = await suite.windows.open(PHONE);
		await signInThroughForm(page, suite.app.baseUrl, department.username, department.password, '/department');
		await page.getByRole('link', { name: project.title }).first().click();
		await page.getByRole('heading', { name: '报告进展' }).waitFor();
		await waitForScripts(page);

		await page.getByLabel('报告日期').fill('2022-06-30');
		await page.getByLabel('新建居家养老服务中心 20 家').fill('45');
		await page.getByLabel('新增老年助餐点 50 个').fill('55');
		await page.getByLabel('存在风险').check();
		await page.getByLabel('进展情况').fill('已开工 9 家，2 家因用地调整推迟。');
		const directory = await mkdtemp(path.join(tmpdir(), 'piaojue-photo-'));
		const photoPath = path.join(directory, 'site.png');
		await writeFile(photoPath, sitePhoto());
		await page.getByLabel('现场照片（可选）').setInputFiles(photoPath);
		await page.getByRole('button', { name: '发布进展' }).click();
		await page.getByText('进展已发布。').waitFor();
		// The page has no horizontal scroll on a 360 px phone.
		expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
		await screenshot(page, 'delivery-department-posted');

		const { page: publicPage, errors: publicErrors } = await suite.windows.open(DESKTOP);
		await publicPage.goto(`${suite.app.baseUrl}/delivery`);
		const card = publicPage.locator('li.card').filter({ hasText: project.title });
		await expect.poll(() => card.locator('.delivery-status').first().textContent(), WAIT).toBe('存在风险');
		expect(await card.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
		expect(await card.innerText()).toContain('已开工 9 家');
		await card.getByRole('link', { name: '查看进展' }).click();
		await publicPage.getByRole('heading', { name: '进展时间线' }).waitFor();
		const timeline = publicPage.locator('.delivery-timeline > li').first();
		expect(await timeline.innerText()).toContain('已开工 9 家，2 家因用地调整推迟。');
		expect(await timeline.innerText()).toContain('由牵头部门 市民政局 报告');
		const photo = timeline.locator('img');
		await expect
			.poll(() => photo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth), WAIT)
			.toBe(40);
		await screenshot(publicPage, 'delivery-public-project');
		expect(errors).toEqual([]);
		expect(publicErrors).toEqual([]);
	});
});
