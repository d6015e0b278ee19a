// One client can no longer hold thousands of live-stream connections and starve everyone (issue
// 12, item 10): an address holds at most 20 streams (PIAOJUE_STREAMS_PER_ADDRESS), an instance at
// most 5,000 (PIAOJUE_STREAMS_MAX); beyond, 429 with Retry-After and a message in the reader's
// language. A stream that ends gives its place back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TURNOUT_STREAM_LIMITS, turnoutStreamLimits } from '../../src/lib/server/live/stream';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createVotingSession, type TestSession } from '../helpers/factory';

const database = useTestDatabase();
let session: TestSession;
const opened: AbortController[] = [];

beforeAll(async () => {
	session = await createVotingSession(database.sql, { delegates: 2 });
});
afterAll(async () => {
	for (const controller of opened) controller.abort();
});

/** Opens the turnout stream from `address`; a 200 stays open (read until aborted), anything else is read whole. */
async function openStream(
	app: RunningApp,
	address: string
): Promise<{ status: number; text: string; retryAfter: string | null; controller: AbortController }> {
	const controller = new AbortController();
	const response = await fetch(`${app.baseUrl}/screen/${session.id}/events`, {
		headers: { accept: 'text/event-stream', 'x-real-ip': address },
		signal: controller.signal
	});
	if (response.status === 200) {
		opened.push(controller);
		// Wait for the first snapshot: the stream is open and counted.
		const reader = response.body!.getReader();
		let text = '';
		while (!text.includes('event: turnout')) {
			const chunk = await reader.read();
			if (chunk.done) break;
			text += new TextDecoder().decode(chunk.value);
		}
		return { status: 200, text, retryAfter: null, controller };
	}
	return {
		status: response.status,
		text: await response.text(),
		retryAfter: response.headers.get('retry-after'),
		controller
	};
}

describe('live streams per client and per instance', () => {
	it('has the stated defaults, configurable', () => {
		expect(turnoutStreamLimits({})).toEqual(DEFAULT_TURNOUT_STREAM_LIMITS);
		expect(DEFAULT_TURNOUT_STREAM_LIMITS).toEqual({ perAddress: 20, perInstance: 5000 });
		expect(turnoutStreamLimits({ PIAOJUE_STREAMS_PER_ADDRESS: '3', PIAOJUE_STREAMS_MAX: '7' })).toEqual({
			perAddress: 3,
			perInstance: 7
		});
	});

	it('answers 429 to the 21st stream of one address, serves others, and gives a place back when a stream ends', async () => {
		const app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip' });
		try {
			const hog = '192.0.2.10';
			const held = [];
			for (let index = 0; index < 20; index += 1) held.push(await openStream(app, hog));
			expect(held.map((stream) => stream.status)).toEqual(Array.from({ length: 20 }, () => 200));
			const refused = await openStream(app, hog);
			expect(refused.status).toBe(429);
			expect(refused.retryAfter).toBe('30');
			expect(refused.text).toContain('实时画面太多');
			expect((await openStream(app, '192.0.2.11')).status).toBe(200);
			// One of the twenty ends: its place is free again.
			held[0]!.controller.abort();
			await expect.poll(async () => (await openStream(app, hog)).status, { timeout: 10_000 }).toBe(200);
		} finally {
			await app.stop();
		}
	});

	it('answers 429 beyond the instance’s limit, whoever asks', async () => {
		const app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip', PIAOJUE_STREAMS_MAX: '25' });
		try {
			const statuses: number[] = [];
			for (let index = 0; index < 25; index += 1)
				statuses.push((await openStream(app, `192.0.2.${100 + Math.floor(index / 5)}`)).status);
			expect(statuses).toEqual(Array.from({ length: 25 }, () => 200));
			const full = await openStream(app, '192.0.2.200');
			expect(full.status).toBe(429);
			expect(full.text).toContain('实时连接已满');
		} finally {
			await app.stop();
		}
	});
});
