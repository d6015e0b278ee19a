// WCAG 2.2 AA in a real browser: axe-core looks at every page (tests/e2e/pages.ts), in Chinese
// (light theme) and in English (dark theme, reduced motion: nothing moves), as the role that uses
// it, and at the error state of every form, where the keyboard focus must be on the error: no
// violation.
// A guard fails when src/routes has a page the list lacks.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchChromium } from '../helpers/browser';
import {
	buildWorld,
	contextFor,
	focusAwayFromError,
	LANGUAGES,
	PAGES,
	ROLES,
	submitInvalid,
	unlistedPages,
	visit,
	type World,
	PAGES_APP_ENV
} from './pages';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe's findings on the page, one line each (rule, impact, the elements), empty when none. */
async function violations(page: Page): Promise<string[]> {
	// @axe-core/playwright is typed for @playwright/test's Page; playwright-core's is the same object.
	const results = await new AxeBuilder({ page: page as never }).withTags(WCAG_TAGS).analyze();
	return results.violations.map(
		(violation) =>
			`${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`).join(' | ')}`
	);
}

/** Elements that still animate or transition although the reader asked for reduced motion. */
async function moving(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const seconds = (value: string) => Math.max(...value.split(',').map((part) => parseFloat(part) || 0));
		return [...document.querySelectorAll('body *')]
			.filter((element) => {
				const style = getComputedStyle(element);
				return (
					seconds(style.transitionDuration) > 0.01 ||
					(style.animationName !== 'none' && seconds(style.animationDuration) > 0.01)
				);
			})
			.map(
				(element) =>
					`moves despite prefers-reduced-motion: ${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`
			);
	});
}

it('lists every page under src/routes', () => {
	expect(unlistedPages(), 'add these pages to tests/e2e/pages.ts').toEqual([]);
});

describe('accessibility (axe, WCAG 2.2 AA)', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let world: World;

	beforeAll(async () => {
		database = await createTestDatabase();
		world = await buildWorld(database);
		app = await startApp(database.url, PAGES_APP_ENV);
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	it('finds a violation when there is one (an image without a text, a field without a label)', async () => {
		const context = await contextFor(browser, app.baseUrl, world, 'public', 'zh-CN');
		try {
			const page = await context.newPage();
			await visit(page, app.baseUrl, '/');
			await page.evaluate(() =>
				document.querySelector('main')?.insertAdjacentHTML('beforeend', '<img src="/favicon.svg"><input type="text">')
			);
			const found = await violations(page);
			expect(found.some((line) => line.startsWith('image-alt'))).toBe(true);
			expect(found.some((line) => line.startsWith('label'))).toBe(true);
		} finally {
			await context.close();
		}
	});

	for (const language of LANGUAGES) {
		for (const role of ROLES) {
			const entries = PAGES.filter((entry) => entry.role === role);
			it(
				`has no violations on the ${role} pages in ${language}, forms in their error state included`,
				// The staff pages (over forty, with their forms in the error state) take minutes on a shared machine.
				{ timeout: 480_000 },
				async () => {
					// Chinese in the light theme; English in the dark theme with reduced motion: both themes are checked.
					const dark = language === 'en';
					const context = await contextFor(
						browser,
						app.baseUrl,
						world,
						role,
						language,
						undefined,
						dark ? { colorScheme: 'dark', reducedMotion: 'reduce' } : {}
					);
					const found: Record<string, string[]> = {};
					try {
						const page = await context.newPage();
						for (const entry of entries) {
							const path = entry.path(world);
							await visit(page, app.baseUrl, path);
							expect(await page.locator('html').getAttribute('lang'), path).toBe(language);
							const onPage = [...(await violations(page)), ...(dark ? await moving(page) : [])];
							if (onPage.length) found[path] = onPage;
							for (const probe of entry.forms ?? []) {
								await visit(page, app.baseUrl, path);
								await submitInvalid(page, probe);
								const focus = await focusAwayFromError(page);
								const inError = [
									...(await violations(page)),
									...(focus ? [`focus is on ${focus}, not on the error`] : [])
								];
								if (inError.length) found[`${path} ${probe.form} (error state)`] = inError;
							}
						}
					} finally {
						await context.close();
					}
					expect(found).toEqual({});
				}
			);
		}
	}
});
