// Where a sign-in goes on to: the page that asked for it (`?redirectTo=`), on this site only, and
// never back into the sign-in pages themselves (a signed-in visitor there is sent on, which would loop).
// Without such a page (or with the home page), the person lands where their role works (landing.ts).
import type { Role } from '$lib/domain/types';
import { safeLocalPath } from '$lib/domain/schemas';
import type { Sql } from '../db/client';
import { landingFor, type LandingUser } from './landing';

export function signInTarget(url: URL): string {
	const target = safeLocalPath(url.searchParams.get('redirectTo'));
	return /^\/login(?:[/?#]|$)/.test(target) ? '/' : target;
}

/** The page asked for, else the user's landing page by role (issue 15). */
export async function afterSignIn(sql: Sql, url: URL, user: number | LandingUser): Promise<string> {
	const target = signInTarget(url);
	if (target !== '/') return target;
	if (typeof user !== 'number') return landingFor(sql, user);
	const roles = await sql<{ role: Role }[]>`select role from user_role where user_id = ${user}`;
	return landingFor(sql, { id: user, roles: roles.map((row) => row.role), votingSessionScope: null });
}
