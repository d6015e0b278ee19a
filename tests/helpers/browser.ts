// Real Chromium (Debian's /usr/bin/chromium) driven through playwright-core, for the browser tests.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium; CHROMIUM_PATH names another build (and lets a test see a machine without one). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots land here (relative to the project root, ignored by git). */
export const SCREENSHOT_DIR = 'test-results/e2e';

/** What a run without Chromium says (tests/setup/chromium.ts fails the browser tier with it). */
export const MISSING_CHROMIUM = `The browser tests need Debian's Chromium (${CHROMIUM_PATH}), which is not installed: apt-get install chromium. (npm run test:unit and npm run test:integration run without it.)`;

export const TABLET = { width: 768, height: 1024 };
export const DESKTOP = { width: 1366, height: 768 };

/** Chromium as the tests run it; `extraArgs` add switches (e.g. a fake camera playing a file). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
	if (!existsSync(CHROMIUM_PATH)) throw new Error(MISSING_CHROMIUM);
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			...extraArgs
		]
	});
}

export const PHONE = { width: 360, height: 740 };
export const PROJECTOR = { width: 1920, height: 1080 };

/** A fresh browser profile (own cookies) speaking Chinese, as the delegates' devices do (or `locale`). */
export async function newContext(
	browser: Browser,
	options: { viewport: { width: number; height: number }; javaScriptEnabled?: boolean; locale?: string }
): Promise<BrowserContext> {
	const context = await browser.newContext({
		viewport: options.viewport,
		javaScriptEnabled: options.javaScriptEnabled ?? true,
		locale: options.locale ?? 'zh-CN',
		timezoneId: 'Asia/Shanghai'
	});
	context.setDefaultTimeout(15_000);
	context.setDefaultNavigationTimeout(20_000);
	return context;
}

/** Collects uncaught page errors and console errors (a CSP violation or a hydration failure shows up here). */
export function watchErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(`console: ${message.text()}`);
	});
	return errors;
}

/**
 * Waits until the page's scripts have loaded (and so the SvelteKit client has hydrated the page).
 * Needed before typing into the login form: hydration resets the username field to its
 * server-rendered value, so what was typed before it is lost.
 */
export async function waitForScripts(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle');
}

/**
 * Waits until the proof-of-work widget on a registration form has solved its challenge (in a
 * worker from this site) and filled its hidden field, as a resident's browser does before they send.
 */
export async function waitForProofOfWork(page: Page): Promise<void> {
	await page.waitForFunction(
		() => ((document.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value.length ?? 0) > 0,
		undefined,
		{ timeout: 30_000 }
	);
}

/** Signs in through the /login form and waits until the app has sent the browser on to `target`. */
export async function signInThroughForm(
	page: Page,
	baseUrl: string,
	username: string,
	password: string,
	target: string
): Promise<void> {
	await page.goto(`${baseUrl}/login?redirectTo=${encodeURIComponent(target)}`);
	await waitForScripts(page);
	const form = page.locator('main form');
	await form.locator('input[name="username"]').fill(username);
	await form.locator('input[name="password"]').fill(password);
	await form.getByRole('button', { name: '登录', exact: true }).click();
	try {
		await page.waitForURL((url) => url.pathname === target);
	} catch (error) {
		const alerts = await page.locator('main .error, main .field-error').allTextContents();
		throw new Error(
			`signing in as ${username} did not lead to ${target} (still at ${page.url()}; messages: ${JSON.stringify(alerts)})`,
			{ cause: error }
		);
	}
}

/** Presses Tab until `target` has the keyboard focus (fails after `maxPresses`). */
export async function tabUntilFocused(page: Page, target: Locator, maxPresses = 40): Promise<number> {
	for (let presses = 1; presses <= maxPresses; presses += 1) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((element) => element === document.activeElement)) return presses;
	}
	throw new Error(`${target} did not receive the focus after ${maxPresses} presses of Tab`);
}

/** The value of the element that has the keyboard focus. */
export async function focusedValue(page: Page): Promise<string> {
	return page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value ?? '');
}

/** A full-page screenshot under test-results/e2e/; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const file = path.join(SCREENSHOT_DIR, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

/** Browser windows, each a fresh profile, opened during a test file and closed together at its end. */
export class Windows {
	private readonly contexts: BrowserContext[] = [];

	constructor(private readonly browser: Browser) {}

	/** A new window (page) and the errors it logs. */
	async open(
		viewport: { width: number; height: number },
		options: { javaScriptEnabled?: boolean; locale?: string } = {}
	): Promise<{ page: Page; errors: string[] }> {
		const context = await newContext(this.browser, { viewport, ...options });
		this.contexts.push(context);
		const page = await context.newPage();
		return { page, errors: watchErrors(page) };
	}

	async closeAll(): Promise<void> {
		for (const context of this.contexts.splice(0)) await context.close().catch(() => {});
	}
}
