// Journey 8: journey 5 in English with JavaScript switched off: credential code, keyboard-only ballot, review, cast, receipt, a second vote refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchChromium, skipWithoutChromium, TABLET, Windows } from '../helpers/browser';
import { delegateWorld, voteAsDelegate, type DelegateWorld } from './delegate-vote';

describe.skipIf(skipWithoutChromium('e2e/journey-8'))('journey 8: journey 5 in English with JavaScript switched off: credential code, keyboard-only ballot, review, cast, receipt, a second vote refused', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let windows: Windows;
	let world: DelegateWorld;

	beforeAll(async () => {
		database = await createTestDatabase();
		world = await delegateWorld(database);
		app = await startApp(database.url);
		browser = await launchChromium();
		windows = new Windows(browser);
	});

	afterAll(async () => {
		await windows?.closeAll();
		await browser?.close();
		await app?.stop();
		await database?.drop();
	});

	it('takes one vote from the delegate and refuses a second', async () => {
		const { page, errors } = await windows.open(TABLET, { locale: 'en', javaScriptEnabled: false });
		await voteAsDelegate(page, app.baseUrl, world, { locale: 'en', javaScript: false, name: 'journey-8' });
		const [counts] = await database.sql<{ ballots: number; marks: number }[]>`
			select (select count(*)::int from ballot where voting_session_id = ${world.session.id}) as ballots,
			       (select count(*)::int from ballot_mark where voting_session_id = ${world.session.id}) as marks`;
		expect(counts).toEqual({ ballots: 1, marks: 1 });
		// The refused second cast came back as an error page, which the browser may log; nothing else went wrong.
		expect(errors.filter((error) => !/status of 4\d\d/.test(error))).toEqual([]);
	});
});
