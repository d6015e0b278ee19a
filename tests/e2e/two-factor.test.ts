// Two-factor sign-in in a real browser: a staff member enrols an authenticator on the security
// page (scan-free: the key is read from the page and the code computed here with @oslojs/otp),
// keeps the recovery codes, then signs in again on a phone with password and code.
import { randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import {
	DESKTOP,
	launchChromium,
	newContext,
	screenshot,
	signInThroughForm,
	waitForScripts,
	watchErrors
} from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, TEST_PASSWORD } from '../helpers/factory';

const PHONE = { width: 360, height: 740 };
const WAIT = { timeout: 15_000, interval: 100 };
const currentStep = () => Math.floor(Date.now() / 30_000);

async function textOf(locator: Locator): Promise<string> {
	return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

describe('two-factor sign-in in a real browser', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let staff: { id: number; username: string };
	const contexts: BrowserContext[] = [];
	/** Set by the enrolment: the key read from the page and the step of the code used. */
	let secret: Uint8Array | null = null;
	let lastStep = -1;
	let recoveryCodes: string[] = [];

	beforeAll(async () => {
		database = await createTestDatabase();
		staff = await createUser(database.sql, ['staff'], 'staff');
		app = await startApp(database.url, { PIAOJUE_TOTP_KEY: randomBytes(32).toString('base64') });
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

	it('enrols an authenticator: QR code and key on the page, confirmed with a current code, recovery codes shown once', async () => {
		const { page, errors } = await open(DESKTOP);
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, '/account/security');
		await expect.poll(() => textOf(page.locator('#two-factor-status')), WAIT).toContain('两步验证尚未开启');
		await page.getByRole('button', { name: '开始设置两步验证' }).click();

		const qr = page.getByRole('img', { name: '用于添加到身份验证器应用的二维码' });
		await qr.locator('svg').waitFor();
		const box = await qr.boundingBox();
		expect(box?.width).toBeGreaterThan(150);
		const keyText = await textOf(page.locator('#totp-secret'));
		expect(keyText).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
		secret = decodeBase32IgnorePadding(keyText.replace(/\s+/g, ''));
		await screenshot(page, 'two-factor-enrol');

		const codeField = page.getByLabel('第二步：输入应用为“票决 Piaojue”显示的 6 位验证码，确认设置正确。');
		await codeField.fill('000000' === generateHOTP(secret, BigInt(currentStep()), 6) ? '000001' : '000000');
		await page.getByRole('button', { name: '确认并开启' }).click();
		await expect.poll(() => textOf(page.locator('#enrol-code-error')), WAIT).toContain('验证码不正确');

		lastStep = currentStep();
		await codeField.fill(generateHOTP(secret, BigInt(lastStep), 6));
		await page.getByRole('button', { name: '确认并开启' }).click();
		const codes = page.getByRole('list', { name: '恢复码' }).locator('code');
		await expect.poll(() => codes.count(), WAIT).toBe(10);
		recoveryCodes = await codes.allTextContents();
		for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
		expect(await textOf(page.locator('.recovery [role="status"]'))).toBe('两步验证已开启。');
		await screenshot(page, 'two-factor-recovery-codes');

		// Shown once: after reloading, the page says how many are left but shows none.
		await page.reload();
		await expect.poll(() => textOf(page.locator('#two-factor-status')), WAIT).toContain('剩余可用恢复码：10 个');
		expect(await page.getByRole('list', { name: '恢复码' }).count()).toBe(0);
		expect(errors).toEqual([]);
	});

	it('signs in on a phone with the password, then a code from the authenticator', async () => {
		expect(secret, 'the enrolment ran').not.toBeNull();
		const { page, errors } = await open(PHONE);
		await page.goto(`${app.baseUrl}/login?redirectTo=%2Fadmin`);
		await waitForScripts(page);
		await page.getByLabel('用户名', { exact: true }).fill(staff.username);
		await page.getByLabel('密码', { exact: true }).fill(TEST_PASSWORD);
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.waitForURL((url) => url.pathname === '/login/two-factor', WAIT);
		expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/admin');
		await waitForScripts(page);
		const field = page.getByLabel('验证码或恢复码');
		await expect.poll(() => field.isVisible(), WAIT).toBe(true);
		// Nothing is open yet: the page fits the phone and offers only the code.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

		// The code used at enrolment is refused as used; the next one signs in.
		await field.fill(generateHOTP(secret!, BigInt(lastStep), 6));
		await page.getByRole('button', { name: '验证并登录' }).click();
		await expect.poll(() => textOf(page.locator('#code-error')), WAIT).toContain('这个验证码已经使用过了');
		await screenshot(page, 'two-factor-sign-in-phone');

		const step = Math.max(currentStep(), lastStep + 1);
		await field.fill(generateHOTP(secret!, BigInt(step), 6));
		await page.getByRole('button', { name: '验证并登录' }).click();
		// Signed in: on to the admin page that asked for the sign-in.
		await page.waitForURL((url) => url.pathname === '/admin', WAIT);
		await page.getByRole('heading', { level: 1 }).waitFor();
		await screenshot(page, 'two-factor-signed-in-phone');
		expect(errors).toEqual([]);
	});
});
