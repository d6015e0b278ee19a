import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { invalidateSession } from '$lib/server/auth/session';
import { checkAccessCode, signInWithAccessCode, type CodeCheck, type CodeSignInResult } from '$lib/server/electorate/access-codes';
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
	rate_limited: 'electorate_code_rate_limited'
} as const;

function refused(code: string, result: Exclude<CodeCheck | CodeSignInResult, { ok: true }>) {
	const retryAfterMinutes = result.error === 'rate_limited' ? Math.ceil(result.retryAfterSeconds / 60) : 0;
	return fail(result.error === 'rate_limited' ? 429 : 400, { step: 'code' as const, code, errors: { code: codeErrorKeys[result.error] }, retryAfterMinutes });
}

/** Consumes the code, starts the session (ending the one this browser had) and goes on to the ballot list. */
async function signIn({ request, cookies, url, locals, getClientAddress }: RequestEvent, withPassword: boolean) {
	const form = Object.fromEntries(await request.formData());
	const code = typeof form.code === 'string' ? form.code : '';
	let newPassword: string | null = null;
	if (withPassword) {
		const parsed = codePasswordFormSchema.safeParse(form);
		if (!parsed.success) {
			const errors = fieldErrors(parsed.error);
			if (errors.code) return fail(400, { step: 'code' as const, code, errors: { code: errors.code }, retryAfterMinutes: 0 });
			const check = await checkAccessCode(db(), { code, address: getClientAddress() });
			if (!check.ok) return refused(code, check);
			return fail(400, { step: 'choose' as const, code, delegate: check.delegate, errors, retryAfterMinutes: 0 });
		}
		newPassword = parsed.data.password;
	} else {
		const parsed = codeFormSchema.safeParse(form);
		if (!parsed.success) return fail(400, { step: 'code' as const, code, errors: fieldErrors(parsed.error), retryAfterMinutes: 0 });
	}
	const result = await signInWithAccessCode(db(), { code, address: getClientAddress(), newPassword });
	if (!result.ok) return refused(code, result);
	if (locals.session) await invalidateSession(db(), locals.session.id);
	setSessionCookie(cookies, url, result.token);
	redirect(303, '/vote');
}

export const actions: Actions = {
	check: async ({ request, getClientAddress }) => {
		const form = Object.fromEntries(await request.formData());
		const code = typeof form.code === 'string' ? form.code : '';
		const parsed = codeFormSchema.safeParse(form);
		if (!parsed.success) return fail(400, { step: 'code' as const, code, errors: fieldErrors(parsed.error), retryAfterMinutes: 0 });
		const check = await checkAccessCode(db(), { code: parsed.data.code, address: getClientAddress() });
		if (!check.ok) return refused(code, check);
		return { step: 'choose' as const, code: parsed.data.code, delegate: check.delegate, errors: {} as Record<string, string>, retryAfterMinutes: 0 };
	},
	password: (event) => signIn(event, true),
	once: (event) => signIn(event, false)
};
