import { error, redirect } from '@sveltejs/kit';
import { safeLocalPath } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { sessionCookieOptions } from '$lib/server/auth/cookies';
import { log } from '$lib/server/observability/log';
import {
	encodeFlow,
	OIDC_FLOW_COOKIE,
	OIDC_FLOW_MAX_AGE_SECONDS,
	oidcSettings,
	startSignIn
} from '$lib/server/residents/oidc';
import type { RequestHandler } from './$types';

/** Starts the authorization code flow: state, nonce and the PKCE verifier go into a short-lived cookie. */
export const GET: RequestHandler = async ({ url, cookies, locals }) => {
	const settings = oidcSettings();
	if (!settings) error(404, m.verification_identity_not_configured());
	const returnTo = url.searchParams.has('redirectTo') ? safeLocalPath(url.searchParams.get('redirectTo')) : '/me';
	let started: Awaited<ReturnType<typeof startSignIn>>;
	try {
		started = await startSignIn(settings, new URL('/login/oidc/callback', url).href, returnTo);
	} catch (cause) {
		log.warn(
			{ req_id: locals.requestId },
			`OIDC: the provider ${settings.issuer.href} could not be reached: ${(cause as Error).message}`
		);
		redirect(303, '/login/oidc?failed=unavailable');
	}
	cookies.set(OIDC_FLOW_COOKIE, encodeFlow(started.flow), {
		...sessionCookieOptions(url),
		path: '/login/oidc',
		maxAge: OIDC_FLOW_MAX_AGE_SECONDS
	});
	redirect(303, started.url.href);
};
