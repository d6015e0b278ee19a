import type { Handle, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { TEXT_SIZE_COOKIE, textSizeOf } from '$lib/text-size';
import { closeDatabase, db, initDatabase } from '$lib/server/db';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { sessionCookieOptions } from '$lib/server/auth/cookies';
import { startScheduler } from '$lib/server/voting/scheduler';
import { startResidentsHousekeeping } from '$lib/server/residents/personal-data';
import { startSessionHousekeeping } from '$lib/server/auth/session-housekeeping';
import { twoFactorEnrolmentGate } from '$lib/server/auth/two-factor-policy';
import { databaseOutage, handleServerError } from '$lib/server/db/outage';
import { rememberWrites } from '$lib/server/db/read-routing';
import { observeRequests } from '$lib/server/observability/request';
import { wireMetrics } from '$lib/server/observability/metrics';
import { log } from '$lib/server/observability/log';

export const init: ServerInit = async () => {
	await initDatabase();
	wireMetrics();
	const logLine = (line: string) => log.info(line);
	const stopScheduler = startScheduler(db(), undefined, logLine);
	const stopHousekeeping = startResidentsHousekeeping(db(), logLine);
	const stopSessionHousekeeping = startSessionHousekeeping(db(), undefined, logLine);
	process.once('sveltekit:shutdown', () => {
		stopScheduler();
		stopHousekeeping();
		stopSessionHousekeeping();
		void closeDatabase();
	});
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	response.headers.set('X-Frame-Options', 'DENY');
	// The camera for this origin only: the hall check-in page scans credential sheets with it. The
	// policy belongs to the document first loaded, and SvelteKit reaches the check-in page by
	// client-side navigation, so it cannot be allowed on that route alone. No other code asks for it.
	response.headers.set('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
	response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
	if (sessionCookieOptions(event.url).secure) {
		response.headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	}
	return response;
};

const authenticate: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.session = null;
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const session = await validateSessionToken(db(), token);
		if (session) {
			event.locals.user = session.user;
			event.locals.session = { id: session.id, openedBy: session.openedBy };
		} else {
			event.cookies.delete(SESSION_COOKIE, { path: '/' });
		}
	}
	return resolve(event);
};

// The reader's language (cookie, else Accept-Language, else Chinese) and text size on <html>.
const i18n: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) =>
				html
					.replace('%paraglide.lang%', locale)
					.replace('%piaojue.textsize%', textSizeOf(event.cookies.get(TEXT_SIZE_COOKIE)))
		});
	});

// A database outage answers 503 (with Retry-After, in the reader's language), never a 500;
// databaseOutage sits before every hook that queries the database.
export const handleError = handleServerError;

// With PIAOJUE_REQUIRE_2FA=1, staff and scrutineers without an authenticator reach only the
// security page (and signing out) until they enrol.
export const handle = sequence(
	observeRequests,
	securityHeaders,
	rememberWrites,
	databaseOutage,
	authenticate,
	twoFactorEnrolmentGate,
	i18n
);
