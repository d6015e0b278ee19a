// Every page (tests/e2e/pages.ts) on a phone (360×740), a tablet (768×1024), a staff desktop
// (1366×768) and the projector (1920×1080): a full-page screenshot each under test-results/e2e/,
// no sideways scrolling of the page, no text cut off by a box too small for it, and numbers in
// tables right-aligned in tabular figures, every control at least 44×44 px to tap. Chinese at every size; English (longer words) on the
// phone; the delegate's ballot in large-text mode on the tablet and the phone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchChromium, screenshot } from '../helpers/browser';
import {
	buildWorld,
	contextFor,
	PAGES,
	ROLES,
	visit,
	type Language,
	type Role,
	type World,
	PAGES_APP_ENV
} from './pages';

const PHONE = { width: 360, height: 740 };
const VIEWPORTS = [PHONE, { width: 768, height: 1024 }, { width: 1366, height: 768 }, { width: 1920, height: 1080 }];

interface LayoutProblems {
	/** How much wider than the window the page is (0: no sideways scrolling). */
	overflow: number;
	/** Elements that cut their text off (overflow hidden or clipped, content wider or taller). */
	clipped: string[];
	/** Table cells holding a number that are not right-aligned in tabular figures. */
	misalignedNumbers: string[];
	/** Controls smaller than 44×44 px to tap (a box or its label; links inside running text excepted). */
	smallTargets: string[];
}

/** What is wrong with the layout as it stands in the window. */
async function layoutProblems(page: Page): Promise<LayoutProblems> {
	return page.evaluate(() => {
		const describe = (element: Element) =>
			`${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.classList.length ? `.${[...element.classList].join('.')}` : ''} "${(element.textContent ?? '').trim().slice(0, 40)}"`;
		/** Visually hidden on purpose (for screen readers): clipped to a pixel. */
		const hiddenOnPurpose = (element: Element, style: CSSStyleDeclaration) =>
			element.clientWidth <= 1 ||
			element.clientHeight <= 1 ||
			style.clip === 'rect(0px, 0px, 0px, 0px)' ||
			style.clipPath === 'inset(50%)';
		const clipped: string[] = [];
		for (const element of document.querySelectorAll('body *')) {
			const style = getComputedStyle(element);
			const clips = (value: string) => value === 'hidden' || value === 'clip';
			if (!clips(style.overflowX) && !clips(style.overflowY) && style.textOverflow !== 'ellipsis') continue;
			if (hiddenOnPurpose(element, style) || !(element.textContent ?? '').trim()) continue;
			const wider =
				(clips(style.overflowX) || style.textOverflow === 'ellipsis') && element.scrollWidth > element.clientWidth + 1;
			const taller = clips(style.overflowY) && element.scrollHeight > element.clientHeight + 1;
			if (wider || taller) clipped.push(describe(element));
		}
		const misalignedNumbers: string[] = [];
		for (const cell of document.querySelectorAll('main table td, main table th')) {
			const text = (cell.textContent ?? '').trim();
			if (!/^[+-]?[\d,.]+\s*%?$/.test(text) || !/\d/.test(text)) continue;
			const style = getComputedStyle(cell);
			const right = style.textAlign === 'right' || (style.textAlign === 'end' && style.direction === 'ltr');
			if (!right || !style.fontVariantNumeric.includes('tabular-nums'))
				misalignedNumbers.push(`${describe(cell)} (${style.textAlign}, ${style.fontVariantNumeric})`);
		}
		const smallTargets: string[] = [];
		const controls = 'button, select, textarea, summary, input:not([type="hidden"]), a[href], [role="button"]';
		for (const control of document.querySelectorAll<HTMLElement>(controls)) {
			const style = getComputedStyle(control);
			if (
				style.visibility === 'hidden' ||
				style.display === 'none' ||
				hiddenOnPurpose(control, style) ||
				control.closest('.skip-link')
			)
				continue;
			// A link inside a sentence is exempt (WCAG 2.5.5, "inline"); a box counts with its label.
			if (control.tagName === 'A' && style.display === 'inline') continue;
			const target =
				control instanceof HTMLInputElement && ['checkbox', 'radio'].includes(control.type)
					? (control.closest('label') ?? control)
					: control;
			const box = target.getBoundingClientRect();
			if (box.width === 0 && box.height === 0) continue;
			if (box.height < 43.5 || box.width < 43.5)
				smallTargets.push(`${describe(target)} (${Math.round(box.width)}×${Math.round(box.height)})`);
		}
		const scroller = document.scrollingElement ?? document.documentElement;
		return {
			overflow: Math.max(0, scroller.scrollWidth - window.innerWidth),
			clipped,
			misalignedNumbers,
			smallTargets
		};
	});
}

/** A file name for a page: role, path and size. */
function shotName(role: Role, language: Language, path: string, viewport: { width: number; height: number }): string {
	const slug =
		path
			.replace(/^\//, '')
			.replace(/[^a-zA-Z0-9]+/g, '-')
			.replace(/-$/, '') || 'home';
	return `devices-${language}-${role}-${slug}-${viewport.width}x${viewport.height}`;
}

describe('pages on phones, tablets, desktops and the projector', () => {
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

	/** Looks at each page of `role` at each size; returns what is wrong, by page and size. */
	async function check(
		role: Role,
		language: Language,
		viewports: { width: number; height: number }[]
	): Promise<Record<string, LayoutProblems>> {
		const context = await contextFor(browser, app.baseUrl, world, role, language, viewports[0]);
		const found: Record<string, LayoutProblems> = {};
		try {
			const page = await context.newPage();
			for (const entry of PAGES.filter((candidate) => candidate.role === role)) {
				const path = entry.path(world);
				await page.setViewportSize(viewports[0]!);
				await visit(page, app.baseUrl, path);
				for (const viewport of viewports) {
					// The layout follows the window's size (media queries) without loading the page again.
					await page.setViewportSize(viewport);
					await page.evaluate(
						() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
					);
					await screenshot(page, shotName(role, language, path, viewport));
					const problems = await layoutProblems(page);
					if (
						problems.overflow ||
						problems.clipped.length ||
						problems.misalignedNumbers.length ||
						problems.smallTargets.length
					)
						found[`${path} in ${language} at ${viewport.width}×${viewport.height}`] = problems;
				}
			}
		} finally {
			await context.close();
		}
		return found;
	}

	it('notices sideways scrolling, cut-off text and a left-aligned number', async () => {
		const context = await contextFor(browser, app.baseUrl, world, 'public', 'zh-CN', PHONE);
		try {
			const page = await context.newPage();
			await visit(page, app.baseUrl, '/');
			await page.evaluate(() =>
				document
					.querySelector('main')
					?.insertAdjacentHTML(
						'beforeend',
						'<button style="min-height: 0; padding: 0">x</button><div style="width: 500px">wide</div><p style="width: 3em; overflow: hidden; white-space: nowrap">a sentence that does not fit</p><table><tr><td style="text-align: left">1,234</td></tr></table>'
					)
			);
			const problems = await layoutProblems(page);
			expect(problems.overflow).toBeGreaterThan(0);
			expect(problems.clipped).toEqual(['p "a sentence that does not fit"']);
			expect(problems.misalignedNumbers).toHaveLength(1);
			expect(problems.smallTargets.filter((target) => target.startsWith('button "x"'))).toHaveLength(1);
		} finally {
			await context.close();
		}
	});

	for (const role of ROLES) {
		it(
			`fits the ${role} pages at 360, 768, 1366 and 1920 px in Chinese, and at 360 px in English`,
			{ timeout: 300_000 },
			async () => {
				expect({ ...(await check(role, 'zh-CN', VIEWPORTS)), ...(await check(role, 'en', [PHONE])) }).toEqual({});
			}
		);
	}

	it('shows the delegate’s ballot in large text, remembered, on the tablet and the phone', async () => {
		const context = await contextFor(browser, app.baseUrl, world, 'delegate', 'zh-CN', { width: 768, height: 1024 });
		try {
			const page = await context.newPage();
			const ballot = `/vote/${world.open.id}`;
			await visit(page, app.baseUrl, ballot);
			const normalSize = await page
				.locator('.option-title')
				.first()
				.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
			const toggle = page.getByRole('button', { name: '大字' });
			expect(await toggle.getAttribute('aria-pressed')).toBe('false');
			await toggle.click();
			await page.waitForURL((url) => url.pathname === ballot);
			await page.getByRole('button', { name: '大字', pressed: true }).waitFor();
			const largeSize = await page
				.locator('.option-title')
				.first()
				.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
			expect(largeSize).toBeGreaterThanOrEqual(normalSize * 1.2);
			expect(largeSize).toBeGreaterThanOrEqual(22);
			for (const viewport of [{ width: 768, height: 1024 }, PHONE]) {
				await page.setViewportSize(viewport);
				await visit(page, app.baseUrl, ballot); // remembered: a new page load keeps the large text
				expect(await page.locator('body').getAttribute('data-text-size')).toBe('large');
				await screenshot(page, `devices-large-text-ballot-${viewport.width}x${viewport.height}`);
				const problems = await layoutProblems(page);
				expect(problems, `${viewport.width}×${viewport.height}`).toEqual({
					overflow: 0,
					clipped: [],
					misalignedNumbers: [],
					smallTargets: []
				});
			}
		} finally {
			await context.close();
		}
	});
});
