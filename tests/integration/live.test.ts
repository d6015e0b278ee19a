// Live turnout: one LISTEN per process fanned out to server-sent event streams, across app
// instances on one database; the projector screen as a browser without JavaScript sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TURNOUT_SNAPSHOT_KEYS, type TurnoutSnapshot } from '../../src/lib/components/live-turnout';
import { auditHead } from '../../src/lib/server/audit/audit';
import { readTurnoutSnapshot, TurnoutListener } from '../../src/lib/server/live/listener';
import { openTurnoutStream, openTurnoutStreamCount } from '../../src/lib/server/live/stream';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD, passwordSignIn } from '../helpers/factory';

const WAIT_MS = 15_000;

interface StreamEvent {
	event: string;
	data: string;
	id?: string;
	retry?: number;
}

/** Reads a server-sent event stream as a browser would, waiting a bounded time for what a test expects. */
class EventStreamReader {
	readonly events: StreamEvent[] = [];
	readonly comments: string[] = [];
	/** Everything received, as text. */
	raw = '';
	private buffer = '';
	private readonly decoder = new TextDecoder();
	private pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;

	constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

	static async connect(url: string): Promise<{ response: Response; stream: EventStreamReader }> {
		const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
		if (!response.body) throw new Error(`no body from ${url} (${response.status})`);
		return { response, stream: new EventStreamReader(response.body.getReader()) };
	}

	/** Waits for the first event (from `from` on) that satisfies `wanted`. */
	async next(wanted: (event: StreamEvent) => boolean, from = 0): Promise<StreamEvent> {
		const deadline = Date.now() + WAIT_MS;
		for (;;) {
			const found = this.events.slice(from).find(wanted);
			if (found) return found;
			if (!(await this.readMore(deadline))) {
				throw new Error(`the stream did not bring the expected event in ${WAIT_MS} ms; it brought:\n${this.raw}`);
			}
		}
	}

	/** Waits for a comment line (a heartbeat). */
	async nextComment(): Promise<string> {
		const deadline = Date.now() + WAIT_MS;
		while (this.comments.length === 0) {
			if (!(await this.readMore(deadline))) throw new Error(`no comment line in ${WAIT_MS} ms; got:\n${this.raw}`);
		}
		return this.comments[0] as string;
	}

	turnouts(): TurnoutSnapshot[] {
		return this.events
			.filter((event) => event.event === 'turnout')
			.map((event) => JSON.parse(event.data) as TurnoutSnapshot);
	}

	async close(): Promise<void> {
		await this.reader.cancel().catch(() => {});
	}

	private async readMore(deadline: number): Promise<boolean> {
		const left = deadline - Date.now();
		if (left <= 0) return false;
		this.pending ??= this.reader.read();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const result = await Promise.race([
			this.pending,
			new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left)))
		]);
		clearTimeout(timer);
		if (result === 'timeout') return false;
		this.pending = null;
		if (result.done) return false;
		const text = this.decoder.decode(result.value, { stream: true });
		this.raw += text;
		this.buffer += text;
		let end: number;
		while ((end = this.buffer.indexOf('\n\n')) >= 0) {
			const block = this.buffer.slice(0, end);
			this.buffer = this.buffer.slice(end + 2);
			const event: StreamEvent = { event: 'message', data: '' };
			let hasData = false;
			for (const line of block.split('\n')) {
				if (line.startsWith(':')) {
					this.comments.push(line);
					continue;
				}
				const [field, ...rest] = line.split(':');
				const value = rest.join(':').replace(/^ /, '');
				if (field === 'event') event.event = value;
				else if (field === 'data') {
					event.data = hasData ? `${event.data}\n${value}` : value;
					hasData = true;
				} else if (field === 'id') event.id = value;
				else if (field === 'retry') event.retry = Number(value);
			}
			if (hasData || event.retry !== undefined) this.events.push(event);
		}
		return true;
	}
}

const database = useTestDatabase();
let appA: RunningApp;
let appB: RunningApp;
const streams: EventStreamReader[] = [];

beforeAll(async () => {
	[appA, appB] = await Promise.all([startApp(database.url), startApp(database.url)]);
});
afterAll(async () => {
	for (const stream of streams) await stream.close();
	await Promise.all([appA?.stop(), appB?.stop()]);
});

async function connect(app: RunningApp, votingSessionId: number) {
	const connection = await EventStreamReader.connect(`${app.baseUrl}/screen/${votingSessionId}/events`);
	streams.push(connection.stream);
	return connection;
}

/** Only turnout travels: every snapshot has exactly the turnout keys, and nothing names a candidate. */
function expectTurnoutOnly(stream: EventStreamReader, candidateIds: number[], candidateTitles: string[]) {
	for (const event of stream.events) {
		if (event.event === 'turnout')
			expect(Object.keys(JSON.parse(event.data)).sort()).toEqual([...TURNOUT_SNAPSHOT_KEYS].sort());
		else if (event.event === 'published') expect(JSON.parse(event.data)).toEqual({ status: 'published' });
		else expect(event.retry, `unexpected event ${event.event}`).toBeGreaterThan(0);
	}
	for (const title of candidateTitles) expect(stream.raw).not.toContain(title);
	for (const word of ['candidate', 'tally', 'votes', '"for"', 'chosen', 'rank']) expect(stream.raw).not.toContain(word);
	expect(candidateIds.length).toBeGreaterThan(0);
}

async function titlesOf(candidateIds: number[]): Promise<string[]> {
	const rows = await database.sql<
		{ title: string }[]
	>`select title from candidate where id in ${database.sql(candidateIds)}`;
	return rows.map((row) => row.title);
}

describe('the turnout stream over HTTP', () => {
	it('answers with an event stream: a retry hint, the turnout at once, then each cast', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		const { response, stream } = await connect(appA, session.id);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(response.headers.get('cache-control')).toContain('no-cache');

		const first = await stream.next((event) => event.event === 'turnout');
		expect(stream.events[0]?.retry).toBeGreaterThan(0);
		expect(JSON.parse(first.data)).toMatchObject({
			status: 'open',
			enrolled: 3,
			present: 3,
			quorumNeeded: 3,
			cast: 0,
			closesAt: null,
			opensAt: null
		});

		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
		const afterCast = await stream.next(
			(event) => event.event === 'turnout' && (JSON.parse(event.data) as TurnoutSnapshot).cast === 1
		);
		expect(JSON.parse(afterCast.data)).toMatchObject({ status: 'open', enrolled: 3, present: 3, cast: 1 });
		expectTurnoutOnly(stream, session.candidateIds, await titlesOf(session.candidateIds));
	});

	it('carries a cast posted to instance A to a screen connected to instance B, turnout only, until publication', async () => {
		const session = await createVotingSession(database.sql, { candidates: 5, seats: 2, delegates: 4 });
		const titles = await titlesOf(session.candidateIds);
		const { stream } = await connect(appB, session.id);
		await stream.next((event) => event.event === 'turnout');

		// A delegate votes through instance A with an ordinary form post.
		const delegate = new Visitor(appA.baseUrl);
		expect((await delegate.signIn(session.delegates[1]!.username, TEST_PASSWORD)).status).toBe(303);
		const cast = await delegate.post(`/vote/${session.id}?/cast`, [
			['candidate', String(session.candidateIds[1])],
			['candidate', String(session.candidateIds[2])]
		]);
		expect(cast.status).toBe(200);
		expect(await cast.text()).toContain('投票成功');
		const reached = await stream.next(
			(event) => event.event === 'turnout' && (JSON.parse(event.data) as TurnoutSnapshot).cast === 1
		);
		expect(JSON.parse(reached.data)).toMatchObject({ status: 'open', enrolled: 4, cast: 1 });

		// Two more ballots (with the same choices, so a leak of counts would show a 3).
		for (const delegateIndex of [2, 3]) {
			await castBallot(database.sql, {
				votingSessionId: session.id,
				delegateId: session.delegates[delegateIndex]!.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[1]!, session.candidateIds[2]!] }
			});
		}
		await stream.next((event) => event.event === 'turnout' && (JSON.parse(event.data) as TurnoutSnapshot).cast === 3);

		// Closing (the tally is stored) changes the status, still with turnout only.
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
		await stream.next(
			(event) => event.event === 'turnout' && (JSON.parse(event.data) as TurnoutSnapshot).status === 'closed'
		);
		expect(
			(await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id)))
				.ok
		).toBe(true);
		expectTurnoutOnly(stream, session.candidateIds, titles);
		expect(stream.events.some((event) => event.event === 'published')).toBe(false);

		// Publication: the stream tells the page to reload (where the result is), and carries no count itself.
		expect((await applyLifecycle(database.sql, session.id, 'publish', staff.id)).ok).toBe(true);
		await stream.next((event) => event.event === 'published');
		expectTurnoutOnly(stream, session.candidateIds, titles);
		expect(stream.turnouts().map((snapshot) => snapshot.cast)).not.toContain(4);
	});

	it('sends every screen of a session the same snapshots, whichever instance serves it', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		const screens = await Promise.all([
			connect(appA, session.id),
			connect(appA, session.id),
			connect(appB, session.id)
		]);
		for (const { stream } of screens) await stream.next((event) => event.event === 'turnout');
		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		for (const { stream } of screens) {
			const snapshot = JSON.parse(
				(
					await stream.next(
						(event) => event.event === 'turnout' && (JSON.parse(event.data) as TurnoutSnapshot).cast === 1
					)
				).data
			);
			expect(snapshot).toMatchObject({ enrolled: 2, cast: 1 });
		}
	});

	it('answers 404 for a session that does not exist', async () => {
		expect((await fetch(`${appA.baseUrl}/screen/999999/events`)).status).toBe(404);
		expect((await fetch(`${appA.baseUrl}/screen/abc/events`)).status).toBe(404);
		expect((await fetch(`${appA.baseUrl}/screen/999999`)).status).toBe(404);
	});
});

describe('the projector screen without JavaScript', () => {
	it('shows turnout only until publication, the audit head after closing, and the ranking page by page once published', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		const titles = await titlesOf(session.candidateIds);
		for (const delegate of session.delegates.slice(0, 2)) {
			await castBallot(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!, session.candidateIds[3]!] }
			});
		}
		const screenHtml = async () => {
			const response = await fetch(`${appB.baseUrl}/screen/${session.id}`);
			expect(response.status).toBe(200);
			return response.text();
		};

		const open = await screenHtml();
		expect(open).toContain('<noscript><meta http-equiv="refresh" content="10"');
		expect(open).toContain('投票进行中');
		expect(open).toMatch(/<dt[^>]*>应到<\/dt>\s*<dd[^>]*>3<\/dd>/);
		// 实到 is the check-in at the hall (all three), not who voted.
		expect(open).toMatch(/<dt[^>]*>实到<\/dt>\s*<dd[^>]*>3<\/dd>/);
		expect(open).toContain('应到 3 人，实到 3 人，符合法定人数。');
		expect(open).toContain('过半数：2 票');
		expect(open).toMatch(/<dt[^>]*>已投票<\/dt>\s*<dd[^>]*>2<\/dd>/);
		expect(open).toMatch(/role="progressbar"[^>]*aria-valuemax="3"[^>]*aria-valuenow="2"/);
		for (const title of titles) expect(open).not.toContain(title);

		const staff = await createUser(database.sql, ['staff'], 'staff');
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		await applyLifecycle(database.sql, session.id, 'close', staff.id);
		const closed = await screenHtml();
		expect(closed).toContain('计票中 / 待公布');
		const headAtClose = await auditHead(database.sql);
		expect(closed).toContain(headAtClose!.hash);
		for (const title of titles) expect(closed).not.toContain(title);
		expect(closed).not.toContain('board-table');

		await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id));
		await applyLifecycle(database.sql, session.id, 'publish', staff.id);
		// The board's rows of a page: outcome, whole title, and the mark (the not chosen say so to screen readers only).
		const boardRows = (html: string) =>
			[...html.matchAll(/<tr class="outcome-(\w+)[^"]*">([^]*?)<\/tr>/g)].map(([, outcome, row]) => ({
				outcome,
				title: /<th scope="row" class="board-title[^"]*">([^<]*)<\/th>/.exec(row!)?.[1],
				mark:
					/<td class="board-mark[^"]*">([^]*?)<\/td>/
						.exec(row!)?.[1]
						?.replace(/<!--[^]*?-->/g, '')
						.replace(/<span class="visually-hidden[^"]*">[^<]*<\/span>/g, '')
						.replace(/\s+/g, ' ')
						.trim() ?? null
			}));
		const chosenTitles = await titlesOf([session.candidateIds[0]!, session.candidateIds[3]!]);
		// Page 1: the two chosen projects (2 votes of 3 enrolled), large, each with a tick and the word.
		const published = await screenHtml();
		expect(published).toContain('票决结果已公布');
		expect(published).toContain('当选项目（2 项）');
		const first = boardRows(published);
		expect(first.map((row) => row.title).sort()).toEqual([...chosenTitles].sort());
		for (const row of first) expect(row).toMatchObject({ outcome: 'chosen', mark: '✓ 当选' });
		expect(published).toContain((await auditHead(database.sql))!.hash);
		// Without JavaScript the next page comes by itself.
		expect(published).toMatch(/<meta http-equiv="refresh" content="12;url=\?page=2&amp;every=12"/);
		// Page 2: the rest, no mark shown.
		const rest = await (await fetch(`${appB.baseUrl}/screen/${session.id}?page=2`)).text();
		expect(rest).toContain('其余候选项目（2 项）');
		const second = boardRows(rest);
		expect(second.map((row) => row.title).sort()).toEqual(
			titles.filter((title) => !chosenTitles.includes(title)).sort()
		);
		for (const row of second) expect(row).toMatchObject({ outcome: 'not_chosen', mark: '' });
	});

	it('speaks English to an English browser', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		const html = await (
			await fetch(`${appA.baseUrl}/screen/${session.id}`, { headers: { 'accept-language': 'en' } })
		).text();
		expect(html).toMatch(/<html lang="en">/);
		expect(html).toContain('Voting is open');
		expect(html).toContain('Dark background');
	});

	it('offers a dark background', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 1 });
		expect(await (await fetch(`${appA.baseUrl}/screen/${session.id}?theme=dark`)).text()).toContain(
			'screen theme-dark'
		);
		expect(await (await fetch(`${appA.baseUrl}/screen/${session.id}?theme=neon`)).text()).toContain(
			'screen theme-light'
		);
	});
});

describe('the listener inside one process', () => {
	it('reads a session once per burst for all its subscribers: at most one read per 250 ms', async () => {
		const casts = 40;
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: casts });
		let reads = 0;
		const listener = new TurnoutListener(database.sql, {
			refreshMs: 0,
			readSnapshot: (id) => {
				reads += 1;
				return readTurnoutSnapshot(database.sql, id);
			}
		});
		try {
			const received: TurnoutSnapshot[][] = [[], [], [], [], []];
			for (const inbox of received) await listener.subscribe(session.id, (snapshot) => inbox.push(snapshot));
			const startedAt = Date.now();
			await Promise.all(
				session.delegates.map((delegate) =>
					castBallot(database.sql, {
						votingSessionId: session.id,
						delegateId: delegate.id,
						selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
					})
				)
			);
			await expect
				.poll(() => received.every((inbox) => inbox.at(-1)?.cast === casts), { timeout: WAIT_MS, interval: 20 })
				.toBe(true);
			const elapsed = Date.now() - startedAt;

			expect(reads).toBeLessThan(casts);
			expect(reads).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 2);
			// One read, one snapshot, the same for every subscriber.
			for (const inbox of received) {
				expect(inbox).toHaveLength(reads);
				inbox.forEach((snapshot, index) => expect(snapshot).toBe(received[0]![index]));
			}
		} finally {
			await listener.stop();
		}
	});

	it('catches up with a change it was not notified of (the safety net while the connection was down)', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		const listener = new TurnoutListener(database.sql, { refreshMs: 100 });
		try {
			const inbox: TurnoutSnapshot[] = [];
			await listener.subscribe(session.id, (snapshot) => inbox.push(snapshot));
			// Presence changed without a NOTIFY.
			await database.sql`update electorate_member set present = false where voting_session_id = ${session.id} and delegate_id = ${session.delegates[0]!.id}`;
			await expect.poll(() => inbox.at(-1)?.present, { timeout: WAIT_MS, interval: 20 }).toBe(1);
		} finally {
			await listener.stop();
		}
	});

	it('sends heartbeats and lets go of a subscriber when its client disconnects', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		const listener = new TurnoutListener(database.sql, { refreshMs: 0 });
		try {
			const readSnapshot = (id: number) => readTurnoutSnapshot(database.sql, id);
			const streamsBefore = openTurnoutStreamCount();
			const stream = await openTurnoutStream(listener, session.id, { readSnapshot, heartbeatMs: 50 });
			expect(stream).not.toBeNull();
			expect(listener.subscriberCount(session.id)).toBe(1);
			expect(openTurnoutStreamCount()).toBe(streamsBefore + 1);
			const reader = new EventStreamReader(stream!.getReader());
			expect(JSON.parse((await reader.next((event) => event.event === 'turnout')).data)).toMatchObject({
				status: 'open',
				enrolled: 2,
				cast: 0
			});
			expect(await reader.nextComment()).toBe(': heartbeat');

			await reader.close();
			expect(listener.subscriberCount(session.id)).toBe(0);
			expect(openTurnoutStreamCount()).toBe(streamsBefore);

			expect(await openTurnoutStream(listener, 999_999, { readSnapshot })).toBeNull();
			expect(listener.subscriberCount()).toBe(0);
		} finally {
			await listener.stop();
		}
	});
});
