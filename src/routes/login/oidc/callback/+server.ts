import { error, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { sessionCookieOptions, setSessionCookie } from '$lib/server/auth/cookies';
import { invalidateSession } from '$lib/server/auth/session';
import { db } from '$lib/server/db';
import { log } from '$lib/server/observability/log';
import {
	decodeFlow,
	describeOidcError,
	finishSignIn,
	OIDC_FLOW_COOKIE,
	oidcSettings,
	signInWithIdentity,
	type ProviderIdentity
} from '$lib/server/residents/oidc';
import type { RequestHandler } from './$types';

/**
 * The provider sends the browser back here with a code. The flow's cookie is used once; a callback
 * whose state, code, PKCE verifier or ID token does not match is refused.
 */
export const GET: RequestHandler = async ({ url, cookies, locals }) => {
	const settings = oidcSettings();
	if (!settings) error(404, m.verification_identity_not_configured());
	const flow = decodeFlow(cookies.get(OIDC_FLOW_COOKIE));
	cookies.delete(OIDC_FLOW_COOKIE, { ...sessionCookieOptions(url), path: '/login/oidc' });
	if (!flow) redirect(303, '/login/oidc?failed=flow');
	let identity: ProviderIdentity;
	try {
		identity = await finishSignIn(settings, url, flow);
	} catch (cause) {
		log.warn({ req_id: locals.requestId }, `OIDC: callback refused: ${describeOidcError(cause)}`);
		redirect(303, '/login/oidc?failed=flow');
	}
	const signedIn = locals.user?.roles.includes('resident') ? locals.user.id : null;
	const outcome = await signInWithIdentity(db(), identity, signedIn);
	if (!outcome.ok) redirect(303, `/login/oidc?failed=${outcome.problem}`);
	if (outcome.token) {
		if (locals.session) await invalidateSession(db(), locals.session.id);
		setSessionCookie(cookies, url, outcome.token);
	}
	redirect(303, flow.returnTo);
};
