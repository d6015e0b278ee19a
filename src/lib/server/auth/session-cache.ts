// Signed-in sessions kept in memory for a few seconds (issue 16): validating a session cookie is a
// database read per request; an instance keeps each valid one for SESSION_CACHE_SECONDS and
// answers from memory meanwhile. Every change that ends a sign-in or changes what it carries
// (sign-out, password change, a new access code, an account disabled, a role or a second factor
// given or taken) tells every instance at its commit, by NOTIFY on 'piaojue_auth' with the user's
// id (migrations/00018_speed.sql, triggers, whoever writes), and each instance forgets that
// user's sign-ins at once. The stated delay: a sign-out is refused on every instance as soon as
// it hears the notification (milliseconds); at most SESSION_CACHE_SECONDS if a notification were
// lost. Until the instance listens, and again from a reconnect of its listening connection (when
// notifications may have been missed) until it listens again, nothing is kept.
import { timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db/client';
import { hashSecret, parseSessionToken, validateSessionToken, type AuthSession } from './session';

export const AUTH_CHANNEL = 'piaojue_auth';
export const SESSION_CACHE_SECONDS = 5;
const MAX_ENTRIES = 50_000;

interface Entry {
	secretHash: Buffer;
	session: AuthSession;
	expiresAt: number;
}

export class SessionCache {
	readonly #entries = new Map<string, Entry>();
	/** The session ids kept per user, so that a notification forgets them without a scan. */
	readonly #byUser = new Map<number, Set<string>>();
	readonly #ttlMs: number;
	#listening = false;
	#started: Promise<void> | null = null;
	#retryAt = 0;
	/** Counts notifications: a validation read before one arrived is not kept (it may be stale). */
	#generation = 0;

	constructor(options: { ttlMs?: number } = {}) {
		this.#ttlMs = options.ttlMs ?? SESSION_CACHE_SECONDS * 1000;
	}

	/** Listens on the process's listening connection (once); until it listens, nothing is kept. */
	start(sql: Sql): Promise<void> {
		this.#started ??= sql
			.listen(
				AUTH_CHANNEL,
				(payload) => this.#forgetUser(Number(payload)),
				// After every (re)connect: what was missed meanwhile is unknown, so everything goes.
				() => {
					this.#generation += 1;
					this.#clear();
					this.#listening = true;
				}
			)
			.then(() => {})
			.catch((error: unknown) => {
				this.#started = null;
				throw error;
			});
		return this.#started;
	}

	/** The session of a cookie's token: from memory when this instance validated it moments ago, else from the database. */
	async validate(sql: Sql, token: string): Promise<AuthSession | null> {
		// Starts listening on first use (again 5 s after a failed start), without waiting for it.
		if (!this.#started && Date.now() >= this.#retryAt)
			this.start(sql).catch(() => {
				this.#retryAt = Date.now() + 5000;
			});
		const parsed = parseSessionToken(token);
		if (!parsed) return null;
		const secretHash = hashSecret(parsed.secret);
		const kept = this.#entries.get(parsed.sessionId);
		if (kept) {
			if (kept.expiresAt > Date.now() && timingSafeEqual(kept.secretHash, secretHash)) return kept.session;
			this.#forget(parsed.sessionId);
		}
		const generation = this.#generation;
		const session = await validateSessionToken(sql, token);
		if (session && this.#listening && generation === this.#generation) {
			if (this.#entries.size >= MAX_ENTRIES) this.#forget(this.#entries.keys().next().value as string);
			this.#entries.set(parsed.sessionId, { secretHash, session, expiresAt: Date.now() + this.#ttlMs });
			const ofUser = this.#byUser.get(session.user.id) ?? new Set<string>();
			ofUser.add(parsed.sessionId);
			this.#byUser.set(session.user.id, ofUser);
		}
		return session;
	}

	/** Sign-ins kept now (for tests). */
	get size(): number {
		return this.#entries.size;
	}

	#forget(sessionId: string): void {
		const entry = this.#entries.get(sessionId);
		if (!entry) return;
		this.#entries.delete(sessionId);
		const ofUser = this.#byUser.get(entry.session.user.id);
		ofUser?.delete(sessionId);
		if (ofUser?.size === 0) this.#byUser.delete(entry.session.user.id);
	}

	#forgetUser(userId: number): void {
		this.#generation += 1;
		if (!Number.isSafeInteger(userId)) {
			this.#clear();
			return;
		}
		for (const sessionId of this.#byUser.get(userId) ?? []) this.#entries.delete(sessionId);
		this.#byUser.delete(userId);
	}

	#clear(): void {
		this.#entries.clear();
		this.#byUser.clear();
	}
}

let processCache: SessionCache | null = null;

/** The server process's cache, listening on its database's listening connection. */
export function appSessionCache(): SessionCache {
	processCache ??= new SessionCache();
	return processCache;
}
