// The idle sign-out of a ballot or receipt page without JavaScript (a meta refresh comes here): it
// signs out only the sign-in whose page carried the token, then shows the sign-in page (issue 15).
import { redirect } from '@sveltejs/kit';
import { timingSafeEqual } from 'node:crypto';
import { db } from '$lib/server/db';
import { invalidateSession } from '$lib/server/auth/session';
import { clearSessionCookie } from '$lib/server/auth/cookies';
import { idleSignOutToken, signInPageAfter } from '$lib/server/hall/shared-tablet';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, cookies, url }) => {
	const given = Buffer.from(url.searchParams.get('token') ?? '');
	if (!locals.session) redirect(303, '/login?idle=1');
	const expected = Buffer.from(idleSignOutToken(locals.session.id));
	// Without the right token (a link from elsewhere) nothing happens: back to the ballots.
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) redirect(303, '/vote');
	const next = signInPageAfter(locals.user);
	await invalidateSession(db(), locals.session.id);
	clearSessionCookie(cookies, url);
	redirect(303, `${next}?idle=1`);
};
