// Public pages from memory (issue 16): the candidate list, a candidate's page, a published result
// and its announcement change only when staff change them. Each instance renders such a page once
// per language, text size and address, keeps the HTML, and serves it from memory to anonymous
// visitors (no session cookie: signed-in visitors get the page rendered for them, with their own
// header) with a weak ETag, answering 304 to a repeat visit. Nothing personal is kept: only pages
// rendered for an anonymous visitor, without Set-Cookie.
//
// Every write that changes what these pages show tells every instance at its commit, by NOTIFY on
// 'piaojue_public' with a tag (migrations/00018_speed.sql: 'catalog', 'sessions', 'audit'); each
// instance drops the pages that show it, at once. Until an instance listens, and from a reconnect
// of its listening connection until it listens again, nothing is kept; a page older than
// MAX_AGE_MS is rendered again (a safety net, not the mechanism). Counts that change while voting
// (turnout) are never kept: a result page is kept only once published, the candidate pages carry
// no counts.
//
// With read replicas (issue 18), a page rendered to be kept reads from the primary: the NOTIFY that
// drops it comes from the primary at its commit, and a replica may not have that commit yet.
//
// The Content-Security-Policy nonce stays fresh per response: the page is kept split at its nonce,
// and each response gets a new one (in the HTML and the header alike).
import { createHash, randomBytes } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import { SESSION_COOKIE } from '../auth/session';
import type { Sql } from '../db/client';

export const PUBLIC_CHANNEL = 'piaojue_public';

/** What a kept page shows, as the notifications name it. */
export type PublicTag = 'catalog' | 'sessions' | 'audit';

/** The routes whose pages may be kept, the query parameters that select what they show, and what they show. */
const KEPT_ROUTES: Record<string, { params: readonly string[]; tags: readonly PublicTag[] }> = {
	// The list's filters (issue 15) and each candidate's outcome in the year's votes.
	'/projects': { params: ['year', 'category', 'vote', 'outcome'], tags: ['catalog', 'sessions'] },
	'/projects/[id]': { params: [], tags: ['catalog'] },
	'/results/[sessionId]': { params: [], tags: ['catalog', 'sessions', 'audit'] },
	'/results/[sessionId]/announcement': { params: [], tags: ['catalog', 'sessions', 'audit'] }
};

const MAX_AGE_MS = 5 * 60_000;
const MAX_PAGES = 2000;

interface KeptPage {
	/** The HTML (and the CSP header) cut at the nonce of the render that was kept. */
	bodyParts: Buffer[];
	cspParts: string[] | null;
	headers: [string, string][];
	etag: string;
	tags: readonly PublicTag[];
	keptAt: number;
}

function freshNonce(): string {
	return randomBytes(16).toString('base64');
}

/** The response for a kept page: 304 when the visitor holds it already, else the HTML with a fresh nonce. */
function respond(page: KeptPage, request: Request): Response {
	const headers = new Headers(page.headers);
	headers.set('etag', page.etag);
	if (
		request.headers
			.get('if-none-match')
			?.split(',')
			.some((tag) => tag.trim() === page.etag)
	) {
		// No body, and no CSP: the visitor's copy keeps the header that matches its nonce.
		headers.delete('content-security-policy');
		headers.delete('content-type');
		return new Response(null, { status: 304, headers });
	}
	if (!page.cspParts) return new Response(Buffer.concat(page.bodyParts), { status: 200, headers });
	const nonce = freshNonce();
	const nonceBytes = Buffer.from(nonce);
	const chunks: Buffer[] = [];
	page.bodyParts.forEach((part, index) => {
		if (index > 0) chunks.push(nonceBytes);
		chunks.push(part);
	});
	const body = Buffer.concat(chunks);
	headers.set('content-security-policy', page.cspParts.join(nonce));
	headers.set('content-length', String(body.length));
	return new Response(body, { status: 200, headers });
}

export interface KeepOptions {
	/** The locale and text size the page is rendered in (from the request, as the app reads them). */
	variant: (event: RequestEvent) => string;
}

export class PublicPageCache {
	readonly #pages = new Map<string, KeptPage>();
	#listening = false;
	#started: Promise<void> | null = null;
	#retryAt = 0;
	/** Counts notifications: a page rendered before one arrived is not kept (it may show what changed). */
	#generation = 0;

	start(sql: Sql): Promise<void> {
		this.#started ??= sql
			.listen(
				PUBLIC_CHANNEL,
				(payload) => this.#drop(payload),
				() => {
					this.#generation += 1;
					this.#pages.clear();
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

	/** Pages kept now (for tests). */
	get size(): number {
		return this.#pages.size;
	}

	/**
	 * A SvelteKit handle: a kept page for a GET of an anonymous visitor, else the app's own
	 * response, kept when its route says it may be (`keepPublicPage` in its load).
	 */
	async handle(
		sql: Sql,
		event: RequestEvent,
		resolve: (event: RequestEvent) => Response | Promise<Response>,
		options: KeepOptions
	): Promise<Response> {
		// Starts listening on first use (again 5 s after a failed start), without waiting for it.
		if (!this.#started && Date.now() >= this.#retryAt)
			this.start(sql).catch(() => {
				this.#retryAt = Date.now() + 5000;
			});
		const key = this.#keyOf(event, options);
		if (key === null) return resolve(event);
		const kept = this.#pages.get(key);
		if (kept && Date.now() - kept.keptAt < MAX_AGE_MS) return respond(kept, event.request);
		const generation = this.#generation;
		renderedForMemory.add(event.locals);
		const response = await resolve(event);
		const route = KEPT_ROUTES[event.route.id as string];
		if (
			!route ||
			!keptPublicPages.has(event.locals) ||
			response.status !== 200 ||
			response.headers.has('set-cookie') ||
			!response.headers.get('content-type')?.startsWith('text/html')
		)
			return response;
		const page = pageOf(await response.text(), response.headers, route.tags);
		if (this.#listening && generation === this.#generation) {
			if (this.#pages.size >= MAX_PAGES) this.#pages.delete(this.#pages.keys().next().value as string);
			this.#pages.set(key, page);
		}
		return respond(page, event.request);
	}

	/** The page's key, or null when this request is not served from memory. */
	#keyOf(event: RequestEvent, options: KeepOptions): string | null {
		if (event.request.method !== 'GET' || event.isDataRequest) return null;
		const route = KEPT_ROUTES[event.route.id as string];
		if (!route) return null;
		// Anonymous only: a signed-in visitor's header names them.
		if (event.cookies.get(SESSION_COOKIE) !== undefined) return null;
		const params = [...event.url.searchParams.keys()];
		if (params.some((name) => !route.params.includes(name))) return null;
		const query = route.params
			.filter((name) => event.url.searchParams.has(name))
			.map((name) => `${name}=${encodeURIComponent(event.url.searchParams.get(name) as string)}`)
			.join('&');
		return `${options.variant(event)} ${event.url.pathname}?${query}`;
	}

	#drop(tag: string): void {
		this.#generation += 1;
		for (const [key, page] of this.#pages) {
			if (page.tags.includes(tag as PublicTag)) this.#pages.delete(key);
		}
	}
}

function pageOf(html: string, headers: Headers, tags: readonly PublicTag[]): KeptPage {
	const csp = headers.get('content-security-policy');
	const nonce = csp ? /'nonce-([^']+)'/.exec(csp)?.[1] : undefined;
	const body = Buffer.from(html);
	const kept: [string, string][] = [];
	headers.forEach((value, name) => {
		if (!['content-length', 'content-security-policy', 'date', 'etag', 'set-cookie'].includes(name))
			kept.push([name, value]);
	});
	kept.push(['cache-control', 'no-cache'], ['vary', 'Cookie, Accept-Language']);
	return {
		bodyParts: nonce ? html.split(nonce).map((part) => Buffer.from(part)) : [body],
		cspParts: nonce && csp ? csp.split(nonce) : null,
		headers: kept,
		// Weak: the bytes differ by their nonce, the page is the same.
		etag: `W/"${createHash('sha256')
			.update(nonce ? html.split(nonce).join('') : html)
			.digest('base64url')
			.slice(0, 27)}"`,
		tags,
		keptAt: Date.now()
	};
}

/** Requests rendered to be kept if their route allows: their public reads go to the primary. */
const renderedForMemory = new WeakSet<App.Locals>();

/** Whether this request's page may be kept in memory: read it from the primary (read-routing.ts). */
export function rendersForMemory(locals: App.Locals): boolean {
	return renderedForMemory.has(locals);
}

/** Requests whose route said its page may be kept (set in the route's load). */
const keptPublicPages = new WeakSet<App.Locals>();

/**
 * Called by a route's load when the page it renders is public and changes only with the writes the
 * route's tags name (migrations/00018_speed.sql): it may be kept and served to anonymous visitors.
 */
export function keepPublicPage(locals: App.Locals): void {
	keptPublicPages.add(locals);
}

let processCache: PublicPageCache | null = null;

export function appPublicPageCache(): PublicPageCache {
	processCache ??= new PublicPageCache();
	return processCache;
}
