// Issue 15, the public site as a resident on a phone (360 px) and a visitor at a laptop (1366 px)
// sees it, in both languages: empty pages that say what happens next and when (the year's stage
// calendar), /projects filtered by year, vote and outcome with the chosen linked to their delivery
// pages, /delivery's status chart with its counts in words, and a phone header of one row whose
// menu opens without JavaScript.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { m } from '../../src/lib/paraglide/messages';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { seedDemo, type DemoCredentials } from '../../src/lib/server/seed/demo';
import { createUser } from '../helpers/factory';
import { DESKTOP, PHONE, screenshot } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { textOf } from './delegate-vote';

const DAY = 86_400_000;

function fitsWidth(page: Page): Promise<boolean> {
	return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe('empty pages say what happens next and when (issue 15)', () => {
	let opensAt: Date;
	const suite = browserSuite(async (database) => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		// Next year's proposals are collected from a month from now: nothing else exists yet.
		opensAt = new Date(Date.now() + 30 * DAY);
		await createCampaign(
			database.sql,
			{
				title: '明年民生实事项目公开征集',
				year: opensAt.getFullYear(),
				opensAt,
				closesAt: new Date(opensAt.getTime() + 30 * DAY),
				criteria: '普惠性、可行性、当年完成'
			},
			staff.id
		);
	});

	for (const [viewport, locale] of [
		[PHONE, 'zh-CN'],
		[DESKTOP, 'en']
	] as const) {
		it(`gives every empty page its next step and the calendar (${viewport.width} px, ${locale})`, async () => {
			const t = { locale };
			const { page, errors } = await suite.windows.open(viewport, { locale });
			const collection = m.stage_collection({}, t);
			for (const [path, stage] of [
				['/proposals', 'collection'],
				['/selection', 'selection'],
				['/projects', 'vote'],
				['/delivery', 'delivery']
			] as const) {
				await page.goto(`${suite.app.baseUrl}${path}`);
				const empty = page.locator('.empty-state');
				await empty.waitFor();
				const when = await textOf(empty.locator('.empty-state-when'));
				if (stage === 'collection') {
					// The date itself, in the reader's language.
					expect(when).toContain(m.hall_empty_starts({ stage: collection, date: formatDateIn(opensAt, locale) }, t));
				} else {
					const name = { selection: m.stage_selection, vote: m.stage_vote, delivery: m.stage_delivery }[stage]({}, t);
					expect(when).toContain(m.hall_empty_unscheduled({ stage: name }, t));
				}
				// The year's calendar, and a way on.
				expect(await empty.locator('ol.stages li').count()).toBe(5);
				expect(await empty.getByRole('link', { name: m.hall_empty_home({}, t) }).count()).toBe(1);
				expect(await fitsWidth(page)).toBe(true);
				await screenshot(page, `hall-empty${path.replace(/\//g, '-')}-${viewport.width}-${locale}`);
			}
			expect(errors).toEqual([]);
		});
	}
});

/** A date as the app writes it for a reader of `locale` (Asia/Shanghai). */
function formatDateIn(date: Date, locale: string): string {
	return new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Shanghai', dateStyle: 'long' }).format(date);
}

describe('the public site with the demo data (issue 15)', () => {
	let demo: DemoCredentials;
	const suite = browserSuite(async (database) => {
		demo = await seedDemo(database.sql, { adminPassword: 'demo admin password' });
	});

	for (const [viewport, locale] of [
		[PHONE, 'zh-CN'],
		[DESKTOP, 'en']
	] as const) {
		it(`filters /projects by year, vote and outcome, and links the chosen to their delivery (${viewport.width} px, ${locale})`, async () => {
			const t = { locale };
			const { page, errors } = await suite.windows.open(viewport, { locale });
			await page.goto(`${suite.app.baseUrl}/projects`);
			const cards = page.locator('main .cards .card');
			// The newest year: the 34 candidates of the open vote, all awaiting its result.
			expect(await cards.count()).toBe(34);
			expect(await page.locator('main .badge.outcome-pending').count()).toBe(34);
			// Last year's list, chosen only: each links to its delivery page.
			await page.getByLabel(m.attendance_projects_year({}, t)).selectOption(String(demo.delivery.year));
			await page.getByLabel(m.hall_projects_filter_outcome({}, t)).selectOption('chosen');
			await page.getByRole('button', { name: m.projects_filter_apply({}, t) }).click();
			await page.waitForURL((url) => url.searchParams.get('outcome') === 'chosen');
			const chosen = await cards.count();
			expect(chosen).toBe(4);
			expect(await cards.getByRole('link', { name: m.hall_progress_link({}, t) }).count()).toBe(chosen);
			expect(await textOf(page.locator('#projects-shown'))).toBe(m.hall_projects_shown({ count: '4' }, t));
			await screenshot(page, `hall-projects-filtered-${viewport.width}-${locale}`);
			// Not chosen: the rest of that vote.
			await page.getByLabel(m.hall_projects_filter_outcome({}, t)).selectOption('not_chosen');
			await page.getByRole('button', { name: m.projects_filter_apply({}, t) }).click();
			await page.waitForURL((url) => url.searchParams.get('outcome') === 'not_chosen');
			expect(await cards.count()).toBe(2);
			// By vote: the year's one vote holds all six.
			await page.getByLabel(m.hall_projects_filter_outcome({}, t)).selectOption('');
			const vote = page.getByLabel(m.hall_projects_filter_vote({}, t), { exact: true });
			const voteValue = await vote.locator('option').nth(1).getAttribute('value');
			await vote.selectOption(voteValue!);
			await page.getByRole('button', { name: m.projects_filter_apply({}, t) }).click();
			await page.waitForURL((url) => url.searchParams.get('vote') === voteValue);
			expect(await cards.count()).toBe(6);
			expect(await fitsWidth(page)).toBe(true);
			expect(errors).toEqual([]);
		});

		it(`draws the year's delivery status chart with its counts in words (${viewport.width} px, ${locale})`, async () => {
			const t = { locale };
			const { page, errors } = await suite.windows.open(viewport, { locale });
			await page.goto(`${suite.app.baseUrl}/delivery?year=${demo.delivery.year}`);
			const chart = page.locator('figure.status-chart');
			await chart.waitFor();
			const svg = chart.locator('svg');
			expect(await svg.getAttribute('role')).toBe('img');
			const legend = await chart.locator('.status-legend li').allTextContents();
			expect(legend).toHaveLength(5);
			const counts = legend.map((line) => Number(/(\d+)/.exec(line)?.[1]));
			expect(counts.reduce((sum, count) => sum + count, 0)).toBe(await page.locator('main .cards .card').count());
			expect(await svg.locator('desc').textContent()).toContain(m.delivery_status_on_track({}, t));
			expect(await fitsWidth(page)).toBe(true);
			await screenshot(page, `hall-delivery-chart-${viewport.width}-${locale}`);
			expect(errors).toEqual([]);
		});
	}

	it('fits the phone header in one row with a menu that opens without JavaScript', async () => {
		for (const javaScriptEnabled of [false, true]) {
			const { page } = await suite.windows.open(PHONE, { javaScriptEnabled });
			await page.goto(`${suite.app.baseUrl}/`);
			const header = page.locator('header.site-header');
			const height = (await header.boundingBox())!.height;
			// One row: at most 80 px of a 740 px screen (it took about a third before).
			expect(height).toBeLessThanOrEqual(80);
			expect(await page.locator('.nav-wide').isVisible()).toBe(false);
			const menu = page.locator('details.site-menu');
			await menu.locator('summary').click();
			const links = menu.getByRole('navigation').getByRole('link');
			await links.first().waitFor();
			expect(await links.count()).toBeGreaterThanOrEqual(5);
			await menu.getByRole('link', { name: m.delivery_nav({}, { locale: 'zh-CN' }) }).click();
			await page.waitForURL((url) => url.pathname === '/delivery');
			if (javaScriptEnabled) await screenshot(page, 'hall-phone-header');
		}
		// On a laptop the whole navigation is shown and the menu is not.
		const { page } = await suite.windows.open(DESKTOP);
		await page.goto(`${suite.app.baseUrl}/`);
		expect(await page.locator('.nav-wide').isVisible()).toBe(true);
		expect(await page.locator('details.site-menu').isVisible()).toBe(false);
	});
});
