// Credentials in a real browser: staff enrol the roster in a draft session and mark one delegate
// present, issue the access codes and get one printable A4 sheet per delegate (name, delegation,
// number, session, code, QR code as SVG, the sign-in link); a delegate opens the sheet's link,
// sets a password and is signed in and marked present.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { importRosterFile } from '../../src/lib/server/electorate/roster';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { updateAttendanceRules } from '../../src/lib/server/attendance/rules';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import {
	DESKTOP,
	launchChromium,
	newContext,
	screenshot,
	signInThroughForm,
	TABLET,
	waitForScripts,
	watchErrors
} from '../helpers/browser';

const WAIT = { timeout: 15_000, interval: 100 };
const PHONE = { width: 360, height: 740 };
const ROSTER = [
	{ name: '陈海燕', delegation: '椒江区代表团', number: 'TZ0001' },
	{ name: '王丽华', delegation: '路桥区代表团', number: 'TZ0003' },
	{ name: '林志强', delegation: '黄岩区代表团', number: 'TZ0002' }
];

describe('credential sheets in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let staff: { id: number; username: string };
	let session: TestSession;
	let title: string;
	const contexts: BrowserContext[] = [];
	/** The sign-in links printed on the sheets, by delegate name (set by the issuing test). */
	const links = new Map<string, string>();

	beforeAll(async () => {
		database = await createTestDatabase();
		staff = await createUser(database.sql, ['staff'], 'staff');
		const csv = `姓名,代表团,代表证号\n${ROSTER.map((row) => `${row.name},${row.delegation},${row.number}`).join('\n')}\n`;
		const imported = await importRosterFile(database.sql, new TextEncoder().encode(csv), staff.id);
		if (!imported.ok) throw new Error('the roster did not import');
		session = await createVotingSession(database.sql, { delegates: 0, candidates: 4, seats: 2, open: false });
		title = (await database.sql<{ title: string }[]>`select title from voting_session where id = ${session.id}`)[0]!
			.title;
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

	const figure = (page: Page, id: string) => page.locator(`#${id}`);

	it('enrols the roster in the draft session and marks a delegate present', async () => {
		const { page, errors } = await open(DESKTOP);
		const path = `/admin/sessions/${session.id}/electorate`;
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, path);
		expect(await figure(page, 'figure-enrolled').innerText()).toBe('0');
		await page.getByRole('button', { name: '登记代表' }).click();
		await page.getByText('已登记 3 名代表').waitFor();
		await expect.poll(() => figure(page, 'figure-enrolled').innerText(), WAIT).toBe('3');
		await page.getByRole('button', { name: '为 王丽华 签到' }).click();
		await page.getByRole('button', { name: '取消 王丽华 的签到' }).waitFor();
		await expect.poll(() => figure(page, 'figure-present').innerText(), WAIT).toBe('1');
		await screenshot(page, 'electorate-draft');
		expect(errors).toEqual([]);
	});

	it('issues the codes and shows one printable sheet per delegate with the QR code and the sign-in link', async () => {
		const { page, errors } = await open(DESKTOP);
		const path = `/admin/sessions/${session.id}/credentials`;
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, path);
		await page.getByLabel('我知道：之前签发的访问码将全部作废。').check();
		await page.getByRole('button', { name: '签发并显示凭证单' }).click();
		const sheets = page.locator('article.credential-sheet');
		await expect.poll(() => sheets.count(), WAIT).toBe(3);
		expect(await page.locator('#sheets-once').innerText()).toContain('访问码只显示这一次');

		for (const [index, row] of ROSTER.entries()) {
			const sheet = sheets.nth(index);
			expect(await sheet.locator('.sheet-name').innerText()).toBe(row.name);
			const text = await sheet.innerText();
			for (const expected of [row.delegation, row.number, title, `d${row.number.toLowerCase()}`])
				expect(text).toContain(expected);
			const code = await sheet.locator('.access-code').innerText();
			expect(code).toMatch(/^[A-KMNP-Z2-9]{4}(-[A-KMNP-Z2-9]{4}){3}$/);
			// The QR code is an SVG drawn on the server, and the link it holds is printed beside it.
			expect(await sheet.locator('.qr svg path').count()).toBeGreaterThan(0);
			const box = await sheet.locator('.qr svg').boundingBox();
			expect(box?.width).toBeGreaterThan(100);
			const link = sheet.locator('.sign-in-link a');
			const href = await link.getAttribute('href');
			expect(href).toBe(`${app.baseUrl}/login/code?code=${code.replace(/-/g, '')}`);
			expect(await link.innerText()).toBe(href);
			links.set(row.name, href!);
		}
		expect(ROSTER.map((row) => row.name)).toEqual(await sheets.locator('.sheet-name').allInnerTexts());
		await screenshot(page, 'credential-sheets');

		// Printed: only the sheets, one A4 page each.
		await page.emulateMedia({ media: 'print' });
		expect(await page.locator('.site-header').isVisible()).toBe(false);
		expect(await page.locator('#sheets-once').isVisible()).toBe(false);
		expect(await sheets.first().evaluate((element) => getComputedStyle(element).breakAfter)).toBe('page');
		await screenshot(page, 'credential-sheets-print');
		const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
		const pageCount = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
		expect(pageCount).toBe(3);
		await page.emulateMedia({ media: 'screen' });

		// Shown once: reloading the page shows no code.
		await page.goto(`${app.baseUrl}${path}`);
		await page.getByRole('heading', { name: '各代表的访问码' }).waitFor();
		expect(await page.locator('.access-code').count()).toBe(0);
		expect(errors).toEqual([]);
	});

	it('lets a delegate open the sheet link on a phone, set a password and be signed in (and marked present where the session says so)', async () => {
		const link = links.get('陈海燕');
		expect(link).toBeDefined();
		// This session counts a delegate's own sign-in as checking in (off by default) and sets no quorum.
		expect(
			await updateAttendanceRules(
				database.sql,
				session.id,
				{ quorumRule: 'none', signInMarksPresent: true, castNetworks: null },
				staff.id
			)
		).toEqual({ ok: true });
		expect(await applyLifecycle(database.sql, session.id, 'open', staff.id)).toMatchObject({ ok: true });

		const { page, errors } = await open(PHONE);
		await page.goto(link!);
		await waitForScripts(page);
		expect(await page.locator('input[name="code"]').inputValue()).toBe(new URL(link!).searchParams.get('code'));
		await page.getByRole('button', { name: '下一步' }).click();
		await page.locator('#code-valid').waitFor();
		expect(await page.locator('#code-valid').innerText()).toBe('访问码有效：陈海燕（椒江区代表团）。');
		await page.getByLabel('新密码', { exact: true }).fill('my own passphrase');
		await page.getByLabel('再次输入新密码').fill('my own passphrase');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
		await screenshot(page, 'code-sign-in-phone');
		await page.getByRole('button', { name: '设置密码并登录' }).click();
		// Their one open ballot: the sign-in lands on it (issue 15).
		await page.waitForURL((url) => url.pathname === `/vote/${session.id}`);
		await page.locator('form.ballot').waitFor();

		const present = await database.sql<{ number: string }[]>`
			select u.delegate_number as number from electorate_member e join app_user u on u.id = e.delegate_id
			where e.voting_session_id = ${session.id} and e.present order by u.delegate_number`;
		expect(present.map((row) => row.number)).toEqual(['TZ0001', 'TZ0003']);

		// The code is spent; the new password works.
		const { page: again } = await open(TABLET);
		await again.goto(link!);
		await waitForScripts(again);
		await again.getByRole('button', { name: '下一步' }).click();
		await again.locator('#code-error').waitFor();
		expect(await again.locator('#code-error').innerText()).toContain('这个访问码已经使用过了');
		await signInThroughForm(again, app.baseUrl, 'dtz0001', 'my own passphrase', '/vote');
		expect(errors).toEqual([]);
	});
});
