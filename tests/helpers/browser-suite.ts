// The frame of a browser test file: a fresh database (prepared by the file), the built server on it
// and one Chromium with its windows, set up before the file's tests and torn down after them.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApp, type RunningApp } from './app';
import { launchChromium, Windows } from './browser';
import { createTestDatabase, type TestDatabase } from './database';

export interface BrowserSuite {
	database: TestDatabase;
	app: RunningApp;
	browser: Browser;
	windows: Windows;
}

/**
 * Call inside `describe`; the returned object is filled in before the first test runs. `env`: the
 * app's environment beyond the database (e.g. a short idle sign-out).
 */
export function browserSuite(
	prepare: (database: TestDatabase) => Promise<void> = async () => {},
	options: { env?: Record<string, string> } = {}
): BrowserSuite {
	const suite = {} as BrowserSuite;
	beforeAll(async () => {
		suite.database = await createTestDatabase();
		await prepare(suite.database);
		suite.app = await startApp(suite.database.url, options.env);
		suite.browser = await launchChromium();
		suite.windows = new Windows(suite.browser);
	});
	afterAll(async () => {
		await suite.windows?.closeAll();
		await suite.browser?.close();
		await suite.app?.stop();
		await suite.database?.drop();
	});
	return suite;
}
