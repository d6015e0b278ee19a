// Scenario 5 (and the live half of 6): projector clients on /screen/ID/events while ballots are
// cast, and how long after a cast's acknowledgement each client sees a snapshot that includes it.
//
// The stream (src/lib/server/live/stream.ts) sends `event: turnout` blocks whose `data:` line is
// a JSON snapshot with `cast`, the number of has-voted marks when it was read. A snapshot includes
// cast X for certain once its `cast` reaches the number of successful casts that had been SENT
// when X was acknowledged (X committed before its acknowledgement, so every commit before X's is
// one of those). That count is an upper bound on X's place in the commit order, so the delays
// measured are upper bounds too (by at most the casts in flight, a few milliseconds' worth).
import { errorMessage } from '../../src/lib/error-message';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { assertLoopback, percentile, round, runPool, type Outcome } from '../harness/http';

export interface ReceivedSnapshot {
	at: number;
	cast: number;
}

export class TurnoutClient {
	readonly snapshots: ReceivedSnapshot[] = [];
	#request: http.ClientRequest | null = null;
	#closed = false;
	#firstSnapshot: Promise<void>;
	#onFirst: () => void = () => {};
	#onFail: (error: Error) => void = () => {};
	failure: string | null = null;

	constructor(
		readonly baseUrl: string,
		readonly path: string,
		/** Sent with the request (the scale-out's clients carry what nginx would add). */
		readonly headers: Record<string, string> = {}
	) {
		this.#firstSnapshot = new Promise((resolve, reject) => {
			this.#onFirst = resolve;
			this.#onFail = reject;
		});
		this.#firstSnapshot.catch(() => {});
	}

	/** Connects; resolves with the first snapshot. */
	open(timeoutMs: number): Promise<void> {
		const base = assertLoopback(this.baseUrl);
		const outgoing = http.request(
			{
				host: base.hostname,
				port: base.port,
				path: this.path,
				agent: false,
				headers: { ...this.headers, accept: 'text/event-stream' }
			},
			(response) => {
				if (response.statusCode !== 200) {
					this.#fail(`HTTP ${response.statusCode}`);
					response.resume();
					return;
				}
				response.setEncoding('utf8');
				let pending = '';
				response.on('data', (chunk: string) => {
					pending += chunk;
					let end: number;
					while ((end = pending.indexOf('\n\n')) >= 0) {
						this.#onBlock(pending.slice(0, end));
						pending = pending.slice(end + 2);
					}
				});
				response.on('end', () => this.#fail('the stream ended'));
				response.on('error', (error) => this.#fail(error.message));
			}
		);
		outgoing.on('error', (error) => this.#fail(error.message));
		outgoing.end();
		this.#request = outgoing;
		const timer = setTimeout(() => this.#fail(`no snapshot within ${timeoutMs} ms`), timeoutMs);
		return this.#firstSnapshot.finally(() => clearTimeout(timer));
	}

	#onBlock(block: string): void {
		let event = 'message';
		let data = '';
		for (const line of block.split('\n')) {
			if (line.startsWith('event: ')) event = line.slice(7);
			else if (line.startsWith('data: ')) data += line.slice(6);
		}
		if (event !== 'turnout' || !data) return;
		const snapshot = JSON.parse(data) as { cast: number };
		this.snapshots.push({ at: performance.now(), cast: snapshot.cast });
		if (this.snapshots.length === 1) this.#onFirst();
	}

	#fail(reason: string): void {
		if (this.#closed) return;
		this.failure ??= reason;
		this.#onFail(new Error(reason));
	}

	/** The last `cast` seen. */
	lastCast(): number {
		return this.snapshots.at(-1)?.cast ?? -1;
	}

	/** When this client first saw a snapshot with at least `cast` ballots, or null. */
	firstSeen(cast: number): number | null {
		let low = 0;
		let high = this.snapshots.length;
		while (low < high) {
			const middle = (low + high) >> 1;
			if ((this.snapshots[middle] as ReceivedSnapshot).cast >= cast) high = middle;
			else low = middle + 1;
		}
		return low < this.snapshots.length ? (this.snapshots[low] as ReceivedSnapshot).at : null;
	}

	close(): void {
		this.#closed = true;
		this.#request?.destroy();
	}
}

/** Opens `count` clients, `concurrency` connecting at a time; returns them once every one has its first snapshot. */
export async function openTurnoutClients(
	baseUrl: string,
	votingSessionId: number,
	count: number,
	concurrency = 100,
	headers: Record<string, string> = {}
): Promise<{ clients: TurnoutClient[]; failed: number; connectMs: number }> {
	const clients = Array.from(
		{ length: count },
		() => new TurnoutClient(baseUrl, `/screen/${votingSessionId}/events`, headers)
	);
	const { outcomes, wallMs } = await runPool(count, concurrency, async (index) => {
		const startedAt = performance.now();
		try {
			await (clients[index] as TurnoutClient).open(30_000);
			return { ok: true, latencyMs: performance.now() - startedAt, endedAt: performance.now() };
		} catch (error) {
			return {
				ok: false,
				latencyMs: performance.now() - startedAt,
				endedAt: performance.now(),
				detail: errorMessage(error)
			};
		}
	});
	return { clients, failed: outcomes.filter((outcome) => !outcome.ok).length, connectMs: wallMs };
}

/** Waits until every client has seen `cast` (or the time is up); returns how many did not. */
export async function waitForCast(clients: TurnoutClient[], cast: number, timeoutMs: number): Promise<number> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const behind = clients.filter((client) => client.lastCast() < cast).length;
		if (behind === 0 || performance.now() > deadline) return behind;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

export interface DelaySummary {
	pairs: number;
	missed: number;
	p50Ms: number;
	p95Ms: number;
	p99Ms: number;
	maxMs: number;
}

/** Delay from each acknowledged cast to each client's first snapshot that certainly includes it. */
export function castToClientDelays(casts: Outcome[], clients: TurnoutClient[], castsBefore = 0): DelaySummary {
	const succeeded = casts.filter((outcome) => outcome.ok);
	const sentTimes = Float64Array.from(succeeded.map((outcome) => outcome.endedAt - outcome.latencyMs)).sort();
	const delays = new Float64Array(succeeded.length * clients.length);
	let filled = 0;
	let missed = 0;
	for (const cast of succeeded) {
		// Successful casts sent no later than this acknowledgement.
		let low = 0;
		let high = sentTimes.length;
		while (low < high) {
			const middle = (low + high) >> 1;
			if ((sentTimes[middle] as number) <= cast.endedAt) low = middle + 1;
			else high = middle;
		}
		const includesIt = castsBefore + low;
		for (const client of clients) {
			const seenAt = client.firstSeen(includesIt);
			if (seenAt === null) missed += 1;
			else delays[filled++] = Math.max(0, seenAt - cast.endedAt);
		}
	}
	const sorted = delays.subarray(0, filled).sort();
	return {
		pairs: filled,
		missed,
		p50Ms: round(percentile(sorted, 0.5)),
		p95Ms: round(percentile(sorted, 0.95)),
		p99Ms: round(percentile(sorted, 0.99)),
		maxMs: round(filled ? (sorted[filled - 1] as number) : Number.NaN)
	};
}
