// Role guards for routes and actions.
import { error, redirect } from '@sveltejs/kit';
import type { Role } from '$lib/domain/types';
import { m } from '$lib/paraglide/messages';
import type { SessionUser } from './session';

/** The signed-in user, or a redirect to the sign-in page that comes back here. */
export function requireUser(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	}
	return locals.user;
}

/** The signed-in user holding one of `roles`; otherwise sign in (anonymous) or 403. */
export function requireRole(locals: App.Locals, url: URL, ...roles: Role[]): SessionUser {
	const user = requireUser(locals, url);
	if (!roles.some((role) => user.roles.includes(role))) error(403, m.error_forbidden());
	return user;
}
