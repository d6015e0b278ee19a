// The second step of a sign-in: reached only with the pending-sign-in cookie that /login sets after
// a correct password of an account with an authenticator. Signed-in users and visitors without a
// valid pending sign-in are sent away (to where they were going, or to /login).
import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { clearPendingSignInCookie, PENDING_SIGN_IN_COOKIE, setSessionCookie } from '$lib/server/auth/cookies';
import { afterSignIn, signInTarget } from '$lib/server/auth/redirect';
import { secondStepFormSchema } from '$lib/server/auth/schemas';
import { invalidateSession } from '$lib/server/auth/session';
import { completeSecondStep, isPendingSignInValid } from '$lib/server/auth/two-factor';
import { waitText } from '$lib/server/auth/wait-text';
import { markPresentOnSignIn } from '$lib/server/electorate/presence';
import type { Actions, PageServerLoad } from './$types';

const errorKeys = {
	wrong: 'security_code_wrong',
	reused: 'security_code_reused',
	recovery_used: 'security_recovery_code_used',
	rate_limited: 'security_second_step_rate_limited'
} as const;

/** Back to the password: a pending sign-in that has run out (or was used) says so there. */
function restart(redirectTo: string, expired: boolean): never {
	redirect(303, `/login?redirectTo=${encodeURIComponent(redirectTo)}${expired ? '&expired=1' : ''}`);
}

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
	const redirectTo = signInTarget(url);
	if (locals.user && locals.user.votingSessionScope === null) redirect(303, await afterSignIn(db(), url, locals.user));
	const pendingToken = cookies.get(PENDING_SIGN_IN_COOKIE);
	if (!pendingToken || !(await isPendingSignInValid(db(), pendingToken))) {
		clearPendingSignInCookie(cookies, url);
		restart(redirectTo, !!pendingToken);
	}
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals }) => {
		const form = Object.fromEntries(await readFormBody(request));
		const parsed = secondStepFormSchema.safeParse(form);
		if (!parsed.success) return fail(400, { errors: fieldErrors(parsed.error), wait: '' });
		const result = await completeSecondStep(db(), {
			pendingToken: cookies.get(PENDING_SIGN_IN_COOKIE) ?? '',
			code: parsed.data.code
		});
		if (!result.ok) {
			if (result.error === 'expired') {
				clearPendingSignInCookie(cookies, url);
				restart(signInTarget(url), true);
			}
			const status = result.error === 'rate_limited' ? 429 : 400;
			const wait = result.error === 'rate_limited' ? waitText(result.retryAfterSeconds) : '';
			return fail(status, { errors: { code: errorKeys[result.error] }, wait });
		}
		clearPendingSignInCookie(cookies, url);
		if (locals.session) await invalidateSession(db(), locals.session.id);
		setSessionCookie(cookies, url, result.token);
		await markPresentOnSignIn(db(), result.userId);
		redirect(303, await afterSignIn(db(), url, result.userId));
	}
};
