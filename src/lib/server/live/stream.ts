// The turnout of one session as a server-sent event stream: a `retry:` hint, the current snapshot,
// a snapshot after every change, comment heartbeats, and a `published` event once the result is
// public. It carries turnout only, never a count of any candidate.
import { PUBLISHED_EVENT, TURNOUT_EVENT, type TurnoutSnapshot } from '$lib/components/live-turnout';
import type { TurnoutListener } from './listener';

export interface TurnoutStreamOptions {
	/** How the current snapshot is read when a client connects. */
	readSnapshot: (votingSessionId: number) => Promise<TurnoutSnapshot | null>;
	/** A comment line this often keeps proxies and the browser from dropping a quiet connection. */
	heartbeatMs?: number;
	/** How long the browser waits before reconnecting after the stream ends. */
	retryMs?: number;
	/** Aborted when the client goes away. */
	signal?: AbortSignal;
	/** Called once when the stream ends, however it ends (its admission is released). */
	onEnd?: () => void;
}

export const TURNOUT_STREAM_HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-store, no-transform',
	// nginx and similar proxies must pass each event on at once.
	'x-accel-buffering': 'no'
} as const;

const openStreams = new Set<() => void>();

// ---------------------------------------------------------------- how many streams one client may hold
// Each stream holds a socket and a subscription for as long as the client keeps it: one client
// opening thousands would starve everyone (and the sign-in with them). A client address may hold
// PIAOJUE_STREAMS_PER_ADDRESS streams at once (default 20: a hall's projector, staff screens and a
// few tablets behind one NAT), an instance PIAOJUE_STREAMS_MAX (default 5,000); beyond, 429.

export interface TurnoutStreamLimits {
	perAddress: number;
	perInstance: number;
}

export const DEFAULT_TURNOUT_STREAM_LIMITS: TurnoutStreamLimits = { perAddress: 20, perInstance: 5000 };

function positiveInteger(value: string | undefined, fallback: number): number {
	const parsed = Number(value);
	return Number.isInteger(parsed) && parsed >= 1 ? parsed : fallback;
}

/** The limits of this deployment (PIAOJUE_STREAMS_PER_ADDRESS, PIAOJUE_STREAMS_MAX). */
export function turnoutStreamLimits(env: NodeJS.ProcessEnv = process.env): TurnoutStreamLimits {
	return {
		perAddress: positiveInteger(env.PIAOJUE_STREAMS_PER_ADDRESS, DEFAULT_TURNOUT_STREAM_LIMITS.perAddress),
		perInstance: positiveInteger(env.PIAOJUE_STREAMS_MAX, DEFAULT_TURNOUT_STREAM_LIMITS.perInstance)
	};
}

const admittedByAddress = new Map<string, number>();
let admitted = 0;

export type StreamAdmission = { ok: true; release: () => void } | { ok: false; limit: 'address' | 'instance' };

/**
 * A place for one more stream of `address`, counted from now until `release` (a stream being
 * opened counts already, so a burst of requests cannot slip past the limit).
 */
export function admitTurnoutStream(
	address: string,
	limits: TurnoutStreamLimits = turnoutStreamLimits()
): StreamAdmission {
	const held = admittedByAddress.get(address) ?? 0;
	if (held >= limits.perAddress) return { ok: false, limit: 'address' };
	if (admitted >= limits.perInstance) return { ok: false, limit: 'instance' };
	admittedByAddress.set(address, held + 1);
	admitted += 1;
	let released = false;
	return {
		ok: true,
		release: () => {
			if (released) return;
			released = true;
			admitted -= 1;
			const left = (admittedByAddress.get(address) ?? 1) - 1;
			if (left > 0) admittedByAddress.set(address, left);
			else admittedByAddress.delete(address);
		}
	};
}

/** Ends every open stream (the server is shutting down: browsers reconnect to another instance). */
export function closeTurnoutStreams(): void {
	for (const close of [...openStreams]) close();
}

/** Streams open in this process. */
export function openTurnoutStreamCount(): number {
	return openStreams.size;
}

const encoder = new TextEncoder();

/** A snapshot's JSON, made once however many streams send it (the listener hands them all the same object). */
const snapshotJson = new WeakMap<TurnoutSnapshot, string>();

function jsonOf(snapshot: TurnoutSnapshot): string {
	let json = snapshotJson.get(snapshot);
	if (json === undefined) {
		json = JSON.stringify(snapshot);
		snapshotJson.set(snapshot, json);
	}
	return json;
}

function eventText(snapshot: TurnoutSnapshot, sequence: number): string {
	const turnout = `event: ${TURNOUT_EVENT}\nid: ${sequence}\ndata: ${jsonOf(snapshot)}\n\n`;
	return snapshot.status === 'published'
		? `${turnout}event: ${PUBLISHED_EVENT}\ndata: ${JSON.stringify({ status: snapshot.status })}\n\n`
		: turnout;
}

/**
 * Subscribes to the session's turnout and returns the event stream, or null when the session does
 * not exist. The subscription starts before the first snapshot is read, so no change is lost.
 */
export async function openTurnoutStream(
	listener: TurnoutListener,
	votingSessionId: number,
	options: TurnoutStreamOptions
): Promise<ReadableStream<Uint8Array> | null> {
	let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
	let sequence = 0;
	let closed = false;
	/** Snapshots that arrive before the first one is sent, sent right after it (in order). */
	let early: TurnoutSnapshot[] | null = [];
	let heartbeat: ReturnType<typeof setInterval> | null = null;
	let unsubscribe: (() => void) | null = null;

	const write = (text: string) => {
		if (closed || !controller) return;
		try {
			controller.enqueue(encoder.encode(text));
		} catch {
			cleanUp();
		}
	};
	const send = (snapshot: TurnoutSnapshot) => {
		if (early) early.push(snapshot);
		else write(eventText(snapshot, (sequence += 1)));
	};
	const cleanUp = () => {
		if (closed) return;
		closed = true;
		options.onEnd?.();
		openStreams.delete(close);
		if (heartbeat) clearInterval(heartbeat);
		unsubscribe?.();
		options.signal?.removeEventListener('abort', cleanUp);
	};
	const close = () => {
		const open = controller;
		cleanUp();
		try {
			open?.close();
		} catch {
			// already closed by the client
		}
	};

	const stream = new ReadableStream<Uint8Array>({
		start(streamController) {
			controller = streamController;
		},
		cancel() {
			// The client disconnected.
			cleanUp();
		}
	});
	openStreams.add(close);
	options.signal?.addEventListener('abort', cleanUp);

	try {
		unsubscribe = await listener.subscribe(votingSessionId, send);
		if (closed) {
			unsubscribe();
			return null;
		}
		const initial = await options.readSnapshot(votingSessionId);
		if (!initial) {
			close();
			return null;
		}
		write(`retry: ${options.retryMs ?? 3000}\n\n`);
		const buffered = early;
		early = null;
		write(eventText(initial, (sequence += 1)));
		for (const snapshot of buffered) write(eventText(snapshot, (sequence += 1)));
	} catch (error) {
		close();
		throw error;
	}
	heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
	heartbeat.unref();
	return stream;
}
