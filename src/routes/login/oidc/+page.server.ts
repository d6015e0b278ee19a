import { error } from '@sveltejs/kit';
import { safeLocalPath } from '$lib/domain/schemas';
import { CONSENT_TEXT_VERSIONS } from '$lib/domain/verification';
import { m } from '$lib/paraglide/messages';
import { oidcConfigured } from '$lib/server/residents/oidc';
import type { PageServerLoad } from './$types';

/** The notice before the identity platform: what is received, why, for how long; then a link onwards. */
export const load: PageServerLoad = ({ url }) => {
	if (!oidcConfigured()) error(404, m.verification_identity_not_configured());
	const returnTo = url.searchParams.has('redirectTo') ? safeLocalPath(url.searchParams.get('redirectTo')) : '';
	return {
		consentVersion: CONSENT_TEXT_VERSIONS.identity,
		startHref: `/login/oidc/start${returnTo ? `?redirectTo=${encodeURIComponent(returnTo)}` : ''}`,
		failed: url.searchParams.get('failed')
	};
};
