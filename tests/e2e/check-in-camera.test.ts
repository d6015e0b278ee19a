// The check-in at the hall door through the camera: Chromium's fake camera plays a video of a
// credential sheet's QR code (rendered by the app's own generator), the staff member's phone reads
// it on the check-in page, and the delegate is checked in, live in the figures at the top.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { issueAccessCodes } from '../../src/lib/server/electorate/access-codes';
import { credentialSheets } from '../../src/lib/server/electorate/credential-sheet';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import {
	launchChromium,
	newContext,
	PHONE,
	screenshot,
	signInThroughForm,
	waitForScripts,
	watchErrors
} from '../helpers/browser';
import { rasterizeQrSvg, writeY4m } from '../helpers/qr-image';

const WAIT = { timeout: 20_000, interval: 200 };

describe('check-in by scanning a credential sheet', () => {
	let database: TestDatabase;
	let app: RunningApp;
	let browser: Browser;
	let staff: { id: number; username: string };
	let session: TestSession;
	let videoDirectory: string;

	beforeAll(async () => {
		database = await createTestDatabase();
		staff = await createUser(database.sql, ['staff']);
		// A draft: two of three delegates already checked in, the third arrives at the door.
		session = await createVotingSession(database.sql, { delegates: 3, checkedIn: 2, open: false });
		app = await startApp(database.url);
		const issued = await issueAccessCodes(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[2]!.id,
			actorUserId: staff.id
		});
		if (!issued.ok) throw new Error(issued.error);
		const [sheet] = await credentialSheets(app.baseUrl, issued.credentials);
		videoDirectory = mkdtempSync(path.join(tmpdir(), 'piaojue-camera-'));
		const video = path.join(videoDirectory, 'credential-qr.y4m');
		writeY4m(video, rasterizeQrSvg(sheet!.qrSvg, 8));
		browser = await launchChromium([
			'--use-fake-device-for-media-stream',
			`--use-file-for-fake-video-capture=${video}`
		]);
	});
	afterAll(async () => {
		await browser?.close();
		await app?.stop();
		await database?.drop();
		if (videoDirectory) rmSync(videoDirectory, { recursive: true, force: true });
	});

	it('checks the delegate in when the phone camera reads the QR code of their sheet', async () => {
		const context = await newContext(browser, { viewport: PHONE });
		await context.grantPermissions(['camera'], { origin: app.baseUrl });
		const page = await context.newPage();
		const errors = watchErrors(page);
		const target = `/admin/sessions/${session.id}/check-in`;
		await signInThroughForm(page, app.baseUrl, staff.username, TEST_PASSWORD, target);
		await waitForScripts(page);
		await expect.poll(() => page.locator('#check-in-present').innerText(), WAIT).toBe('2');
		await expect.poll(() => page.locator('#check-in-absent').innerText(), WAIT).toBe('1');

		await page.getByRole('button', { name: '打开摄像头扫码' }).click();
		await page.locator('video').waitFor();
		await expect
			.poll(() => page.locator('#check-in-code-result').innerText(), WAIT)
			.toContain(`${session.delegates[2]!.username} 已签到`);
		await expect.poll(() => page.locator('#check-in-present').innerText(), WAIT).toBe('3');
		await expect.poll(() => page.locator('#check-in-absent').innerText(), WAIT).toBe('0');
		await screenshot(page, 'check-in-camera-phone');
		await page.getByRole('button', { name: '关闭摄像头' }).click();

		const [member] = await database.sql<{ present: boolean }[]>`
			select present from electorate_member where voting_session_id = ${session.id} and delegate_id = ${session.delegates[2]!.id}`;
		expect(member?.present).toBe(true);
		const [entry] = await database.sql<{ actor: number; details: { by: string; present: boolean } }[]>`
			select actor_user_id as actor, details from audit_entry
			where voting_session_id = ${session.id} and action = 'presence.marked' order by seq desc limit 1`;
		expect(entry).toMatchObject({ actor: staff.id, details: { by: 'code', present: true } });
		expect(errors).toEqual([]);
		await context.close();
	});
});
