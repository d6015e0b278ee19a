// The reader's language and text size over HTTP, as a browser without JavaScript asks: the first
// visit follows Accept-Language, the switcher's choice is remembered and wins over the header,
// <html lang> says which language the page is in; the large-text toggle is remembered too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** The page's language and text size, the text of the first navigation link, the toggle's state. */
async function pageFacts(response: Response): Promise<{
	lang: string | undefined;
	textSize: string | undefined;
	home: string | undefined;
	pressed: string | undefined;
}> {
	const html = await response.text();
	return {
		lang: /<html[^>]*\slang="([^"]*)"/.exec(html)?.[1],
		textSize: /<body[^>]*\sdata-text-size="([^"]*)"/.exec(html)?.[1],
		home: /<nav[^>]*>\s*<ul>\s*<li><a href="\/"[^>]*>([^<]*)</.exec(html)?.[1],
		pressed: /<form method="POST" action="\/text-size"[\s\S]*?aria-pressed="([^"]*)"/.exec(html)?.[1]
	};
}

describe('language and text size', () => {
	let database: TestDatabase;
	let app: RunningApp;

	beforeAll(async () => {
		database = await createTestDatabase();
		app = await startApp(database.url);
	});

	afterAll(async () => {
		await app?.stop();
		await database?.drop();
	});

	it('answers a first visit in the language the browser asks for, Chinese when it asks for none it has', async () => {
		const cases: [string | null, string, string][] = [
			[null, 'zh-CN', '首页'],
			['en-US,en;q=0.9', 'en', 'Home'],
			['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN', '首页'],
			['fr-FR,fr;q=0.9,en;q=0.5', 'en', 'Home'],
			['fr-FR', 'zh-CN', '首页']
		];
		for (const [acceptLanguage, lang, home] of cases) {
			const visitor = new Visitor(app.baseUrl, acceptLanguage ? { 'accept-language': acceptLanguage } : {});
			const facts = await pageFacts(await visitor.get('/'));
			expect({ acceptLanguage, lang: facts.lang, home: facts.home }).toEqual({ acceptLanguage, lang, home });
		}
	});

	it('remembers the language chosen with the switcher, over the browser’s header, and comes back to the same page', async () => {
		const visitor = new Visitor(app.baseUrl, { 'accept-language': 'zh-CN' });
		const switched = await visitor.post('/language', { locale: 'en', redirectTo: '/projects?category=1' });
		expect(switched.status).toBe(303);
		expect(switched.headers.get('location')).toBe('/projects?category=1');
		expect(visitor.hasCookie('PARAGLIDE_LOCALE')).toBe(true);
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ lang: 'en', home: 'Home' });
		await visitor.post('/language', { locale: 'zh-CN', redirectTo: '/' });
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ lang: 'zh-CN', home: '首页' });
		// Somewhere else than this site is not a place to go back to.
		expect(
			(await visitor.post('/language', { locale: 'en', redirectTo: 'https://example.com/' })).headers.get('location')
		).toBe('/');
	});

	it('turns large text on and off with a form post, remembered across visits', async () => {
		const visitor = new Visitor(app.baseUrl);
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ textSize: 'normal', pressed: 'false' });
		const on = await visitor.post('/text-size', { size: 'large', redirectTo: '/projects' });
		expect(on.status).toBe(303);
		expect(on.headers.get('location')).toBe('/projects');
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ textSize: 'large', pressed: 'true' });
		expect(await pageFacts(await visitor.get('/projects'))).toMatchObject({ textSize: 'large' });
		await visitor.post('/text-size', { size: 'normal', redirectTo: '/' });
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ textSize: 'normal', pressed: 'false' });
		// A made-up size changes nothing.
		await visitor.post('/text-size', { size: 'huge', redirectTo: '/' });
		expect(await pageFacts(await visitor.get('/'))).toMatchObject({ textSize: 'normal' });
	});
});
