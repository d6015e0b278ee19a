// Who needs two-factor sign-in. Staff and scrutineers can change an outcome (open, close, enter
// paper ballots, confirm, publish), so they may enrol an authenticator; with PIAOJUE_REQUIRE_2FA=1
// they must: until they have enrolled, they are signed in only to the security page.
import type { Handle } from '@sveltejs/kit';
import { redirect } from '@sveltejs/kit';
import type { Role } from '$lib/domain/types';
import type { SessionUser } from './session';

export const TWO_FACTOR_ROLES: readonly Role[] = ['staff', 'scrutineer'];
export const ACCOUNT_SECURITY_PATH = '/account/security';

/** The deployment setting PIAOJUE_REQUIRE_2FA ("1" or "true"). */
export function isTwoFactorRequired(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.PIAOJUE_REQUIRE_2FA === '1' || env.PIAOJUE_REQUIRE_2FA?.toLowerCase() === 'true';
}

/** Whether the user holds a role that may (and with the setting, must) use two-factor sign-in. */
export function canUseTwoFactor(user: { roles: readonly Role[] }): boolean {
	return user.roles.some((role) => TWO_FACTOR_ROLES.includes(role));
}

/** Whether the deployment requires two-factor sign-in of this user. */
export function isTwoFactorRequiredFor(user: { roles: readonly Role[] }): boolean {
	return isTwoFactorRequired() && canUseTwoFactor(user);
}

/** A user who must enrol before using anything but the security page. */
export function mustEnrolTwoFactor(user: Pick<SessionUser, 'roles' | 'twoFactorEnrolled'>): boolean {
	return !user.twoFactorEnrolled && isTwoFactorRequiredFor(user);
}

/** What such a user may still reach: the security page, signing out, the language switch, assets. */
export function isOpenWhileEnrolmentPending(pathname: string): boolean {
	return (
		pathname === ACCOUNT_SECURITY_PATH ||
		pathname === '/logout' ||
		pathname === '/language' ||
		pathname === '/healthz' ||
		pathname.startsWith('/_app/') ||
		/^\/[^/]+\.(?:ico|png|svg|css|woff2?|txt)$/.test(pathname)
	);
}

/**
 * The same rule for every request (pages, endpoints, public pages too) as a `handle` to put in
 * src/hooks.server.ts after the one that sets `locals.user`. Without it, every page behind
 * requireUser/requireRole (src/lib/server/auth/guard.ts) still sends such a user to the security page.
 */
export const twoFactorEnrolmentGate: Handle = ({ event, resolve }) => {
	if (event.locals.user && mustEnrolTwoFactor(event.locals.user) && !isOpenWhileEnrolmentPending(event.url.pathname)) {
		redirect(303, ACCOUNT_SECURITY_PATH);
	}
	return resolve(event);
};
