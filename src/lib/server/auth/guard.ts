// Role guards for routes and actions.
import { error, redirect } from '@sveltejs/kit';
import type { Role } from '$lib/domain/types';
import { m } from '$lib/paraglide/messages';
import type { SessionUser } from './session';
import { ACCOUNT_SECURITY_PATH, isOpenWhileEnrolmentPending, mustEnrolTwoFactor } from './two-factor-policy';

/**
 * The signed-in user, or a redirect to the sign-in page that comes back here. A user who must
 * enrol two-factor sign-in first (PIAOJUE_REQUIRE_2FA) is sent to the security page instead.
 */
export function requireUser(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	}
	if (mustEnrolTwoFactor(locals.user) && !isOpenWhileEnrolmentPending(url.pathname))
		redirect(303, ACCOUNT_SECURITY_PATH);
	return locals.user;
}

/** The signed-in user holding one of `roles`; otherwise sign in (anonymous) or 403. */
export function requireRole(locals: App.Locals, url: URL, ...roles: Role[]): SessionUser {
	const user = requireUser(locals, url);
	if (!roles.some((role) => user.roles.includes(role))) error(403, m.error_forbidden());
	return user;
}
