import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, loginSchema, safeLocalPath } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { signIn } from '$lib/server/auth/login';
import { invalidateSession } from '$lib/server/auth/session';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { markPresentOnSignIn } from '$lib/server/electorate/presence';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeLocalPath(url.searchParams.get('redirectTo')));
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const form = Object.fromEntries(await request.formData());
		const username = typeof form.username === 'string' ? form.username : '';
		const parsed = loginSchema.safeParse(form);
		if (!parsed.success) return fail(400, { username, errors: fieldErrors(parsed.error), retryAfterMinutes: 0 });
		const result = await signIn(db(), { ...parsed.data, address: getClientAddress() });
		if (!result.ok) {
			return result.reason === 'rate_limited'
				? fail(429, { username, errors: { form: 'error_login_rate_limited' }, retryAfterMinutes: Math.ceil(result.retryAfterSeconds / 60) })
				: fail(400, { username, errors: { form: 'error_login_failed' }, retryAfterMinutes: 0 });
		}
		// Rotation: a sign-in always starts a fresh session and ends the one this browser had.
		if (locals.session) await invalidateSession(db(), locals.session.id);
		setSessionCookie(cookies, url, result.token);
		// A delegate signing in during an open session they are enrolled in is present (签到).
		await markPresentOnSignIn(db(), result.userId);
		redirect(303, safeLocalPath(url.searchParams.get('redirectTo')));
	}
};
