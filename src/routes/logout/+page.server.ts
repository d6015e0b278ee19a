import { redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { invalidateSession } from '$lib/server/auth/session';
import { clearSessionCookie } from '$lib/server/auth/cookies';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) await invalidateSession(db(), locals.session.id);
		clearSessionCookie(cookies, url);
		redirect(303, '/');
	}
};
