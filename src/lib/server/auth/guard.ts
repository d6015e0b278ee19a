// Role guards for routes and actions.
import { error, redirect } from '@sveltejs/kit';
import type { Role } from '$lib/domain/types';
import { m } from '$lib/paraglide/messages';
import type { SessionUser } from './session';
import { ACCOUNT_SECURITY_PATH, isOpenWhileEnrolmentPending, mustEnrolTwoFactor } from './two-factor-policy';

/** The signed-in user (any sign-in), or a redirect to the sign-in page that comes back here. */
function signedInUser(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	}
	if (mustEnrolTwoFactor(locals.user) && !isOpenWhileEnrolmentPending(url.pathname))
		redirect(303, ACCOUNT_SECURITY_PATH);
	return locals.user;
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back here. A user who must
 * enrol two-factor sign-in first (PIAOJUE_REQUIRE_2FA) is sent to the security page instead. An
 * access-code sign-in reaches only its ballots (requireVoter): anything else is refused.
 */
export function requireUser(locals: App.Locals, url: URL): SessionUser {
	const user = signedInUser(locals, url);
	if (user.votingSessionScope !== null) error(403, m.trust_code_sign_in_scope());
	return user;
}

/** The signed-in user holding one of `roles`; otherwise sign in (anonymous) or 403. */
export function requireRole(locals: App.Locals, url: URL, ...roles: Role[]): SessionUser {
	const user = requireUser(locals, url);
	if (!roles.some((role) => user.roles.includes(role))) error(403, m.error_forbidden());
	return user;
}

/**
 * A delegate voting: any sign-in of a delegate, an access-code sign-in only for the voting sessions
 * its code was issued for (`votingSessionId` unset: the list of their ballots).
 */
export function requireVoter(locals: App.Locals, url: URL, votingSessionId?: number): SessionUser {
	const user = signedInUser(locals, url);
	if (!user.roles.includes('delegate')) error(403, m.error_forbidden());
	if (votingSessionId !== undefined && user.votingSessionScope && !user.votingSessionScope.includes(votingSessionId))
		error(403, m.trust_code_sign_in_other_session());
	return user;
}

/** Whether the request's user prepares sessions (staff, signed in with a password): they see drafts. */
export function seesDrafts(locals: App.Locals): boolean {
	return !!locals.user && locals.user.votingSessionScope === null && locals.user.roles.includes('staff');
}
