// The browser tier needs Debian's Chromium: without it the run fails at once with the line that says
// what to install, instead of skipping the browser files where nobody notices.
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH, MISSING_CHROMIUM } from '../helpers/browser';

export function setup() {
	if (!existsSync(CHROMIUM_PATH)) throw new Error(MISSING_CHROMIUM);
}
