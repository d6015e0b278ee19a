// One LISTEN per server process on the turnout channel, fanned out to any number of subscribers
// (server-sent event streams) per voting session.
//
// A notification carries only a session id. For each session that has subscribers, the turnout is
// read once and the same snapshot goes to all of them; bursts are coalesced so that a session is
// read at most once per `coalesceMs` (444 casts in a second are a handful of reads, whatever the
// number of screens). Every app instance has its own listener, so a cast on one instance reaches
// screens served by another.
import type { TurnoutSnapshot } from '$lib/components/live-turnout';
import type { Sql, TransactionSql } from '../db/client';
import { getVotingSession } from '../voting/sessions';
import { TURNOUT_CHANNEL } from './notify';

/** The turnout of a session now (the one code path for the figures the stream carries); null if it does not exist. */
export async function readTurnoutSnapshot(
	sql: Sql | TransactionSql,
	votingSessionId: number
): Promise<TurnoutSnapshot | null> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return null;
	return {
		status: votingSession.status,
		enrolled: votingSession.enrolled,
		present: votingSession.present,
		quorumNeeded: votingSession.quorum.needed,
		cast: votingSession.cast,
		opensAt: votingSession.opensAt?.toISOString() ?? null,
		closesAt: votingSession.closesAt?.toISOString() ?? null,
		readAt: new Date().toISOString()
	};
}

export type TurnoutSubscriber = (snapshot: TurnoutSnapshot) => void;

export interface TurnoutListenerOptions {
	/** How the turnout is read (tests count the reads). */
	readSnapshot?: (votingSessionId: number) => Promise<TurnoutSnapshot | null>;
	/** At most one read per session in this many milliseconds. */
	coalesceMs?: number;
	/**
	 * A safety net: every this many milliseconds each watched session is read again and sent when it
	 * changed, so screens stay right even if a notification was missed (e.g. while the listening
	 * connection was down). 0 turns it off.
	 */
	refreshMs?: number;
	log?: (message: string) => void;
}

interface SessionReads {
	timer: ReturnType<typeof setTimeout> | null;
	inFlight: boolean;
	/** A notification came while a read was waiting or running: read once more afterwards. */
	pending: boolean;
	lastReadAt: number;
	last: TurnoutSnapshot | null;
}

function sameTurnout(a: TurnoutSnapshot | null, b: TurnoutSnapshot): boolean {
	return (
		a !== null &&
		a.status === b.status &&
		a.enrolled === b.enrolled &&
		a.present === b.present &&
		a.quorumNeeded === b.quorumNeeded &&
		a.cast === b.cast &&
		a.opensAt === b.opensAt &&
		a.closesAt === b.closesAt
	);
}

export class TurnoutListener {
	readonly #sql: Sql;
	readonly #readSnapshot: (votingSessionId: number) => Promise<TurnoutSnapshot | null>;
	readonly #coalesceMs: number;
	readonly #refreshMs: number;
	readonly #log: (message: string) => void;
	readonly #subscribers = new Map<number, Set<TurnoutSubscriber>>();
	readonly #reads = new Map<number, SessionReads>();
	#listening: Promise<void> | null = null;
	#unlisten: (() => Promise<void>) | null = null;
	#refreshTimer: ReturnType<typeof setInterval> | null = null;
	#stopped = false;

	constructor(sql: Sql, options: TurnoutListenerOptions = {}) {
		this.#sql = sql;
		this.#readSnapshot = options.readSnapshot ?? ((votingSessionId) => readTurnoutSnapshot(sql, votingSessionId));
		this.#coalesceMs = options.coalesceMs ?? 250;
		this.#refreshMs = options.refreshMs ?? 15_000;
		this.#log = options.log ?? ((message) => console.error(message));
	}

	/** Starts listening (once; later calls share the first). Rejects if the database cannot be reached; a later call tries again. */
	start(): Promise<void> {
		this.#listening ??= this.#sql
			.listen(
				TURNOUT_CHANNEL,
				(payload) => this.#onNotification(payload),
				// Also called after the listening connection reconnects: notifications may have been
				// missed meanwhile, so every watched session is read again.
				() => this.#refreshAll(false)
			)
			.then((request) => {
				this.#unlisten = request.unlisten;
				if (this.#refreshMs > 0 && !this.#refreshTimer) {
					this.#refreshTimer = setInterval(() => this.#refreshAll(true), this.#refreshMs);
					this.#refreshTimer.unref();
				}
			})
			.catch((error: unknown) => {
				this.#listening = null;
				throw error;
			});
		return this.#listening;
	}

	/**
	 * Listens (if not yet) and adds a subscriber for a session; it receives a snapshot after every
	 * change. Returns the function that removes it.
	 */
	async subscribe(votingSessionId: number, subscriber: TurnoutSubscriber): Promise<() => void> {
		await this.start();
		let subscribers = this.#subscribers.get(votingSessionId);
		if (!subscribers) {
			subscribers = new Set();
			this.#subscribers.set(votingSessionId, subscribers);
		}
		subscribers.add(subscriber);
		return () => this.#unsubscribe(votingSessionId, subscriber);
	}

	/** Subscribers of one session, or of all sessions. */
	subscriberCount(votingSessionId?: number): number {
		if (votingSessionId !== undefined) return this.#subscribers.get(votingSessionId)?.size ?? 0;
		let total = 0;
		for (const subscribers of this.#subscribers.values()) total += subscribers.size;
		return total;
	}

	/** Stops listening and forgets every subscriber. */
	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#refreshTimer) clearInterval(this.#refreshTimer);
		for (const reads of this.#reads.values()) if (reads.timer) clearTimeout(reads.timer);
		this.#reads.clear();
		this.#subscribers.clear();
		await this.#unlisten?.().catch(() => {});
	}

	#unsubscribe(votingSessionId: number, subscriber: TurnoutSubscriber): void {
		const subscribers = this.#subscribers.get(votingSessionId);
		if (!subscribers) return;
		subscribers.delete(subscriber);
		if (subscribers.size > 0) return;
		this.#subscribers.delete(votingSessionId);
		const reads = this.#reads.get(votingSessionId);
		if (reads?.timer) clearTimeout(reads.timer);
		if (!reads?.inFlight) this.#reads.delete(votingSessionId);
	}

	#onNotification(payload: string): void {
		const votingSessionId = Number(payload);
		if (!Number.isSafeInteger(votingSessionId) || !this.#subscribers.has(votingSessionId)) return;
		this.#schedule(votingSessionId, false);
	}

	#refreshAll(onlyIfChanged: boolean): void {
		for (const votingSessionId of this.#subscribers.keys()) this.#schedule(votingSessionId, onlyIfChanged);
	}

	#readsOf(votingSessionId: number): SessionReads {
		let reads = this.#reads.get(votingSessionId);
		if (!reads) {
			reads = { timer: null, inFlight: false, pending: false, lastReadAt: 0, last: null };
			this.#reads.set(votingSessionId, reads);
		}
		return reads;
	}

	/** A read soon: at once if the session was not read in the last `coalesceMs`, else at the end of that window. */
	#schedule(votingSessionId: number, onlyIfChanged: boolean): void {
		if (this.#stopped) return;
		const reads = this.#readsOf(votingSessionId);
		if (reads.timer || reads.inFlight) {
			if (!onlyIfChanged) reads.pending = true;
			return;
		}
		const wait = Math.max(0, reads.lastReadAt + this.#coalesceMs - Date.now());
		reads.timer = setTimeout(() => {
			reads.timer = null;
			void this.#read(votingSessionId, reads, onlyIfChanged);
		}, wait);
		reads.timer.unref();
	}

	async #read(votingSessionId: number, reads: SessionReads, onlyIfChanged: boolean): Promise<void> {
		reads.inFlight = true;
		reads.pending = false;
		reads.lastReadAt = Date.now();
		try {
			const snapshot = await this.#readSnapshot(votingSessionId);
			const subscribers = this.#subscribers.get(votingSessionId);
			if (snapshot && subscribers && !(onlyIfChanged && sameTurnout(reads.last, snapshot))) {
				reads.last = snapshot;
				for (const subscriber of [...subscribers]) {
					try {
						subscriber(snapshot);
					} catch (error) {
						this.#log(`live turnout: a subscriber failed: ${(error as Error).message}`);
					}
				}
			}
		} catch (error) {
			this.#log(`live turnout: reading session ${votingSessionId} failed: ${(error as Error).message}`);
		} finally {
			reads.inFlight = false;
			if (!this.#subscribers.has(votingSessionId)) this.#reads.delete(votingSessionId);
			else if (reads.pending) this.#schedule(votingSessionId, false);
		}
	}
}
