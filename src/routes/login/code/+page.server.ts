import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { setPendingSignInCookie, setSessionCookie } from '$lib/server/auth/cookies';
import { invalidateSession } from '$lib/server/auth/session';
import { afterSignIn } from '$lib/server/auth/redirect';
import { createPendingSignIn, hasTwoFactor, PENDING_SIGN_IN_SECONDS } from '$lib/server/auth/two-factor';
import { waitText } from '$lib/server/auth/wait-text';
import {
	checkAccessCode,
	signInWithAccessCode,
	type CodeCheck,
	type CodeSignInResult
} from '$lib/server/electorate/access-codes';
import { codeFormSchema, codePasswordFormSchema } from '$lib/server/electorate/schemas';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = ({ url }) => {
	return { code: (url.searchParams.get('code') ?? '').slice(0, 64) };
};

const codeErrorKeys = {
	malformed: 'electorate_code_malformed',
	wrong: 'electorate_code_wrong',
	used: 'electorate_code_used',
	disabled: 'electorate_code_disabled',
	privileged: 'trust_code_sign_in_privileged',
	rate_limited: 'security_code_rate_limited'
} as const;

function refused(code: string, result: Exclude<CodeCheck | CodeSignInResult, { ok: true }>) {
	const wait = result.error === 'rate_limited' ? waitText(result.retryAfterSeconds) : '';
	return fail(result.error === 'rate_limited' ? 429 : 400, {
		step: 'code' as const,
		code,
		errors: { code: codeErrorKeys[result.error] },
		wait
	});
}

/** Consumes the code, starts the session (ending the one this browser had) and goes on to the open ballot (or the list). */
async function signIn({ request, cookies, url, locals, getClientAddress }: RequestEvent, withPassword: boolean) {
	const form = Object.fromEntries(await readFormBody(request));
	const code = typeof form.code === 'string' ? form.code : '';
	let newPassword: string | null = null;
	if (withPassword) {
		const parsed = codePasswordFormSchema.safeParse(form);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			if (errors.code) return fail(400, { step: 'code' as const, code, errors: { code: errors.code }, wait: '' });
			const check = await checkAccessCode(db(), { code, address: getClientAddress() });
			if (!check.ok) return refused(code, check);
			return fail(400, { step: 'choose' as const, code, delegate: check.delegate, errors, wait: '' });
		}
		newPassword = parsed.data.password;
	} else {
		const parsed = codeFormSchema.safeParse(form);
		if (!parsed.success) return fail(400, { step: 'code' as const, code, errors: fieldErrors(parsed.error), wait: '' });
	}
	const result = await signInWithAccessCode(db(), { code, address: getClientAddress(), newPassword });
	if (!result.ok) return refused(code, result);
	if (locals.session) await invalidateSession(db(), locals.session.id);
	if (await hasTwoFactor(db(), result.userId)) {
		// An account with an authenticator (a delegate who is also staff) passes the second step too:
		// the session the code started ends at once, and a pending sign-in takes its place.
		await invalidateSession(db(), result.token.split('.')[0]!);
		setPendingSignInCookie(cookies, url, await createPendingSignIn(db(), result.userId), PENDING_SIGN_IN_SECONDS);
		redirect(303, '/login/two-factor');
	}
	setSessionCookie(cookies, url, result.token);
	// Straight to the ballot when one is open for them (issue 15), else the list of their sessions.
	redirect(
		303,
		await afterSignIn(db(), url, {
			id: result.userId,
			roles: ['delegate'],
			votingSessionScope: result.votingSessionScope
		})
	);
}

export const actions: Actions = {
	check: async ({ request, getClientAddress }) => {
		const form = Object.fromEntries(await readFormBody(request));
		const code = typeof form.code === 'string' ? form.code : '';
		const parsed = codeFormSchema.safeParse(form);
		if (!parsed.success) return fail(400, { step: 'code' as const, code, errors: fieldErrors(parsed.error), wait: '' });
		const check = await checkAccessCode(db(), { code: parsed.data.code, address: getClientAddress() });
		if (!check.ok) return refused(code, check);
		return {
			step: 'choose' as const,
			code: parsed.data.code,
			delegate: check.delegate,
			errors: {} as Record<string, string>,
			wait: ''
		};
	},
	password: (event) => signIn(event, true),
	once: (event) => signIn(event, false)
};
