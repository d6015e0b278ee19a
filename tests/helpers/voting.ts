// Voting through the built server as delegates would, for the secrecy and fault tests: signed-in
// visitors without an HTTP sign-in each (hundreds at once), the ballot form's cast, the receipt
// code read from the receipt page, and a bounded reader of the live turnout stream.
import type { TurnoutSnapshot } from '../../src/lib/components/live-turnout';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import type { Sql } from '../../src/lib/server/db/client';
import { Visitor } from './app';

/** A visitor holding a fresh session of the user (created in the database, as a sign-in would). */
export async function visitorFor(
	sql: Sql,
	baseUrl: string,
	userId: number,
	headers: Record<string, string> = {}
): Promise<{ visitor: Visitor; token: string }> {
	const { token } = await createSession(sql, userId);
	return { visitor: new Visitor(baseUrl, { ...headers, cookie: `${SESSION_COOKIE}=${token}` }), token };
}

/** The session token a sign-in response set, or null. */
export function sessionTokenOf(response: Response): string | null {
	for (const cookie of response.headers.getSetCookie()) {
		const match = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(cookie);
		if (match?.[1]) return match[1];
	}
	return null;
}

/** The receipt code shown on the receipt page, e.g. "ABCD-EFGH-…", or null when the page shows none. */
export function receiptCodeOf(html: string): string | null {
	const code = /class="receipt-code"[^>]*>(.*?)<\/code>/s
		.exec(html)?.[1]
		?.replace(/<[^>]+>/g, '')
		.trim();
	return code || null;
}

export interface CastOutcome {
	/** The HTTP status, or null when no complete answer came back (the connection died). */
	status: number | null;
	receiptCode: string | null;
	body: string;
	retryAfter: string | null;
}

/** Casts an approval ballot through the ballot form (no JavaScript), reading the whole answer. */
export async function castThroughForm(
	visitor: Visitor,
	votingSessionId: number,
	candidateIds: readonly number[]
): Promise<CastOutcome> {
	try {
		const response = await visitor.post(
			`/vote/${votingSessionId}?/cast`,
			candidateIds.map((candidateId) => ['candidate', String(candidateId)] as [string, string])
		);
		const body = await response.text();
		return {
			status: response.status,
			receiptCode: response.status === 200 ? receiptCodeOf(body) : null,
			body,
			retryAfter: response.headers.get('retry-after')
		};
	} catch {
		return { status: null, receiptCode: null, body: '', retryAfter: null };
	}
}

/** Reads the live turnout stream of a session (server-sent events), waiting a bounded time for a wanted snapshot. */
export class TurnoutStream {
	private buffer = '';
	private readonly decoder = new TextDecoder();
	readonly snapshots: TurnoutSnapshot[] = [];
	private pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;

	private constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

	static async open(baseUrl: string, votingSessionId: number): Promise<TurnoutStream> {
		const response = await fetch(`${baseUrl}/screen/${votingSessionId}/events`, {
			headers: { accept: 'text/event-stream' }
		});
		if (response.status !== 200 || !response.body) throw new Error(`the turnout stream answered ${response.status}`);
		return new TurnoutStream(response.body.getReader());
	}

	/** The first snapshot (already received or coming within `waitMs`) that satisfies `wanted`. */
	async next(wanted: (snapshot: TurnoutSnapshot) => boolean, waitMs = 20_000): Promise<TurnoutSnapshot> {
		const deadline = Date.now() + waitMs;
		for (;;) {
			const found = this.snapshots.find(wanted);
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0)
				throw new Error(`no wanted turnout within ${waitMs} ms; received ${JSON.stringify(this.snapshots)}`);
			this.pending ??= this.reader.read();
			let timer: ReturnType<typeof setTimeout> | undefined;
			const result = await Promise.race([
				this.pending,
				new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left)))
			]);
			clearTimeout(timer);
			if (result === 'timeout') continue;
			this.pending = null;
			if (result.done) throw new Error(`the turnout stream ended; received ${JSON.stringify(this.snapshots)}`);
			this.buffer += this.decoder.decode(result.value, { stream: true });
			let end: number;
			while ((end = this.buffer.indexOf('\n\n')) >= 0) {
				const block = this.buffer.slice(0, end);
				this.buffer = this.buffer.slice(end + 2);
				const lines = block.split('\n');
				const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
				const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
				if (event === 'turnout' && data) this.snapshots.push(JSON.parse(data) as TurnoutSnapshot);
			}
		}
	}

	async close(): Promise<void> {
		await this.reader.cancel().catch(() => {});
	}
}
