import { redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { invalidateSession } from '$lib/server/auth/session';
import { clearSessionCookie } from '$lib/server/auth/cookies';
import { readFormBody } from '$lib/server/form-body';
import { signInPageAfter } from '$lib/server/hall/shared-tablet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	// `then=sign-in` (the ballot's "完成并退出" and its idle sign-out): the next person at this
	// device sees the sign-in page, not the home page (issue 15).
	default: async ({ locals, cookies, url, request }) => {
		const form = await readFormBody(request);
		const reason = form.get('reason') === 'idle' ? 'idle' : 'signed-out';
		const next = form.get('then') === 'sign-in' ? `${signInPageAfter(locals.user)}?${reason}=1` : '/';
		if (locals.session) await invalidateSession(db(), locals.session.id);
		clearSessionCookie(cookies, url);
		redirect(303, next);
	}
};
