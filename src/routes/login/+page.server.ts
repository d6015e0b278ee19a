import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, loginSchema } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { signIn } from '$lib/server/auth/login';
import { afterSignIn, signInTarget } from '$lib/server/auth/redirect';
import { invalidateSession } from '$lib/server/auth/session';
import { setPendingSignInCookie, setSessionCookie } from '$lib/server/auth/cookies';
import { PENDING_SIGN_IN_SECONDS } from '$lib/server/auth/two-factor';
import { waitText } from '$lib/server/auth/wait-text';
import { markPresentOnSignIn } from '$lib/server/electorate/presence';
import { oidcConfigured } from '$lib/server/residents/oidc';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	// An access-code sign-in may go on to a password sign-in (for anything but its ballots).
	if (locals.user && locals.user.votingSessionScope === null) redirect(303, await afterSignIn(db(), url, locals.user));
	// Residents may also sign in through the identity platform when one is configured (issue 14).
	return { oidcSignIn: oidcConfigured() };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const form = Object.fromEntries(await readFormBody(request));
		const username = typeof form.username === 'string' ? form.username : '';
		const parsed = loginSchema.safeParse(form);
		if (!parsed.success) return fail(400, { username, errors: fieldErrors(parsed.error), wait: '' });
		const result = await signIn(db(), { ...parsed.data, address: getClientAddress() });
		const redirectTo = signInTarget(url);
		if (!result.ok) {
			if (result.reason === 'second_step') {
				// The password was right; the session starts only after the code (/login/two-factor).
				setPendingSignInCookie(cookies, url, result.pendingToken, PENDING_SIGN_IN_SECONDS);
				redirect(303, `/login/two-factor?redirectTo=${encodeURIComponent(redirectTo)}`);
			}
			return result.reason === 'rate_limited'
				? fail(429, {
						username,
						errors: { form: 'security_login_rate_limited' },
						wait: waitText(result.retryAfterSeconds)
					})
				: fail(400, { username, errors: { form: 'error_login_failed' }, wait: '' });
		}
		// Rotation: a sign-in always starts a fresh session and ends the one this browser had.
		if (locals.session) await invalidateSession(db(), locals.session.id);
		setSessionCookie(cookies, url, result.token);
		// A delegate signing in during an open session they are enrolled in is present (签到).
		await markPresentOnSignIn(db(), result.userId);
		redirect(303, await afterSignIn(db(), url, result.userId));
	}
};
