// While the database cannot be reached (PostgreSQL restarting, the network cut), every request
// that needed it is answered 503 with a Retry-After header and a short page in the reader's
// language, never a 500 or a stack trace; the log gets one line naming the route and the error
// code, never the URL's query, the form or the error's text. The next requests use a fresh
// connection pool, so service resumes by itself as soon as the database is back.
//
// Two ways a request meets the outage: a query in a load function or action fails (SvelteKit
// catches it and calls handleError, which marks the request), or a query in another handle hook
// fails (the session lookup): the error then reaches `databaseOutage` directly.
import type { Handle, HandleServerError, RequestEvent } from '@sveltejs/kit';
import { base } from '$app/paths';
import { m } from '$lib/paraglide/messages';
import { extractLocaleFromRequest } from '$lib/paraglide/runtime';
import { errorCode } from '../../error-message';
import { log } from '../observability/log';
import { recordDatabaseError } from '../observability/metrics';
import { replaceDatabasePool } from './index';
import {
	createOutageLog,
	describeDatabaseUnavailable,
	isDatabaseUnavailable,
	RETRY_AFTER_SECONDS
} from './unavailable';

/** Requests (by their `locals`, one object per request) that failed because the database was unavailable. */
const unavailableRequests = new WeakSet<object>();
const logOutage = createOutageLog((line: string, requestId: string) => log.error({ req_id: requestId }, line));
const logPoolReplaced = createOutageLog((line) => log.warn(line));

/** Method and route, e.g. "POST /vote/[sessionId]": no ids, no query string (it may hold an access code). */
function requestLabel(event: RequestEvent): string {
	return `${event.request.method} ${event.route.id ?? event.url.pathname}`;
}

function localeOf(event: RequestEvent) {
	return extractLocaleFromRequest(event.request);
}

function noteUnavailable(event: RequestEvent, error: unknown): void {
	unavailableRequests.add(event.locals);
	const code = describeDatabaseUnavailable(error);
	recordDatabaseError(code);
	logOutage(`[503] ${requestLabel(event)}: database unavailable (${code})`, event.locals.requestId);
	// Connections that lived through the outage are not trusted again (see ./index.ts).
	replaceDatabasePool('after a database outage', logPoolReplaced);
}

/**
 * The server's handleError: a database outage becomes the localized 503 message (and marks the
 * request for `databaseOutage`). Anything else is logged as SvelteKit does by default — status,
 * method and path, then the stack — but with the route instead of the path (no ids, no query
 * string) and without a stack for a client's mistake (4xx), where it says nothing.
 */
export const handleServerError: HandleServerError = ({ error, event, status }) => {
	if (isDatabaseUnavailable(error)) {
		noteUnavailable(event, error);
		return { message: m.faults_unavailable_text({}, { locale: localeOf(event) }) };
	}
	const line = `[${status}] ${requestLabel(event)}`;
	const sqlState = errorCode(error);
	if (sqlState && /^[0-9A-Z]{5}$/.test(sqlState)) recordDatabaseError(sqlState);
	if (status < 500) log.warn({ req_id: event.locals.requestId }, line);
	else
		log.error(
			{ req_id: event.locals.requestId, ...(sqlState ? { code: sqlState } : {}), stack: errorStack(error) },
			line
		);
	return undefined;
};

/** The stack of an error (its frames, not its data), or what was thrown. */
function errorStack(error: unknown): string {
	return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const UNAVAILABLE_HEADERS = {
	'retry-after': String(RETRY_AFTER_SECONDS),
	'cache-control': 'no-store'
};

/** The 503 answer: a small page for browsers (`asHtml`), `{ message }` for everything else. */
function unavailableResponse(event: RequestEvent, asHtml: boolean): Response {
	const locale = localeOf(event);
	const text = m.faults_unavailable_text({}, { locale });
	if (!asHtml) {
		return new Response(JSON.stringify({ message: text }), {
			status: 503,
			headers: { ...UNAVAILABLE_HEADERS, 'content-type': 'application/json; charset=utf-8' }
		});
	}
	const title = m.faults_unavailable_title({}, { locale });
	// Trying again is a GET of the page: a form post is not repeated behind the reader's back.
	const retryHref = event.url.pathname + (event.request.method === 'GET' ? event.url.search : '');
	const html = `<!doctype html>
<html lang="${escapeHtml(locale)}">
	<head>
		<meta charset="utf-8" />
		<meta name="viewport" content="width=device-width, initial-scale=1" />
		<title>${escapeHtml(title)} · ${escapeHtml(m.app_name({}, { locale }))}</title>
		<link rel="stylesheet" href="${escapeHtml(base)}/app.css" />
	</head>
	<body>
		<header class="site-header"><div class="bar"><a class="brand" href="${escapeHtml(base)}/">${escapeHtml(m.app_name({}, { locale }))}</a></div></header>
		<main id="main">
			<section class="panel">
				<h1>${escapeHtml(title)}</h1>
				<p>${escapeHtml(text)}</p>
				<p>${escapeHtml(m.faults_unavailable_vote_note({}, { locale }))}</p>
				<p><a class="button primary" href="${escapeHtml(retryHref)}">${escapeHtml(m.faults_unavailable_retry({}, { locale }))}</a></p>
			</section>
		</main>
	</body>
</html>
`;
	return new Response(html, {
		status: 503,
		headers: {
			...UNAVAILABLE_HEADERS,
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy':
				"default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
		}
	});
}

/**
 * A handle hook (place it before the hooks that query the database): turns every request that met
 * a database outage into a 503. Client-side navigation data keeps SvelteKit's own format (the
 * error page shows the localized message); an API or an enhanced form gets its JSON with status 503.
 */
export const databaseOutage: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		noteUnavailable(event, error);
		return unavailableResponse(event, (event.request.headers.get('accept') ?? '').includes('text/html'));
	}
	if (!unavailableRequests.has(event.locals) || event.isDataRequest) return response;
	if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
		await response.body?.cancel().catch(() => {});
		return unavailableResponse(event, true);
	}
	const headers = new Headers(response.headers);
	for (const [name, value] of Object.entries(UNAVAILABLE_HEADERS)) headers.set(name, value);
	return new Response(response.body, { status: 503, headers });
};
