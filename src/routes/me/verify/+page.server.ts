import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, safeLocalPath } from '$lib/domain/schemas';
import { MOBILE_REQUEST_FIELDS, mobileCodeRequestSchema } from '$lib/domain/residents-schemas';
import { CONSENT_TEXT_VERSIONS, smsCodeSchema } from '$lib/domain/verification';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import { getResidentProfile } from '$lib/server/residents/accounts';
import { confirmMobileCode, pendingCode, requestMobileCode } from '$lib/server/residents/mobile-verification';
import { oidcConfigured } from '$lib/server/residents/oidc';
import { MOBILE_CODE_MESSAGES } from '$lib/residents-messages';
import type { Actions, PageServerLoad } from './$types';

/** Where to go once verified: back to the page that asked (a round), else nowhere (stay). */
function returnPath(url: URL): string | null {
	return url.searchParams.has('redirectTo') ? safeLocalPath(url.searchParams.get('redirectTo')) : null;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireRole(locals, url, 'resident');
	const [profile, pending] = await Promise.all([getResidentProfile(db(), user.id), pendingCode(db(), user.id)]);
	return {
		profile,
		pending,
		returnTo: returnPath(url),
		oidc: oidcConfigured(),
		consentVersion: CONSENT_TEXT_VERSIONS.mobile,
		verified: url.searchParams.has('verified')
	};
};

export const actions: Actions = {
	send: async ({ locals, url, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'resident');
		const form = await readFormBody(request);
		const values = formText(form, MOBILE_REQUEST_FIELDS);
		const parsed = mobileCodeRequestSchema.safeParse(values);
		if (!parsed.success) return fail(400, { step: 'send', values, errors: fieldErrors(parsed.error), inputs: {} });
		const result = await requestMobileCode(db(), {
			userId: user.id,
			mobile: parsed.data.mobile,
			address: getClientAddress()
		});
		if (!result.ok) {
			const status = result.problem === 'rate_limited' ? 429 : result.problem === 'not_sent' ? 503 : 409;
			return fail(status, {
				step: 'send',
				values,
				errors: { mobile: MOBILE_CODE_MESSAGES[result.problem] },
				inputs: { minutes: result.problem === 'rate_limited' ? Math.ceil(result.retryAfterSeconds / 60) : 0 }
			});
		}
		return { step: 'sent', masked: result.masked };
	},
	confirm: async ({ locals, url, request }) => {
		const user = requireRole(locals, url, 'resident');
		const form = await readFormBody(request);
		const code = smsCodeSchema.safeParse(form.get('code') ?? '');
		if (!code.success)
			return fail(400, { step: 'confirm', values: {}, errors: { code: 'verification_error_code_format' }, inputs: {} });
		const result = await confirmMobileCode(db(), user.id, code.data);
		if (!result.ok) {
			return fail(result.problem === 'wrong_code' ? 400 : 409, {
				step: 'confirm',
				values: {},
				errors: { code: MOBILE_CODE_MESSAGES[result.problem] },
				inputs: { attempts: result.problem === 'wrong_code' ? result.attemptsLeft : 0 }
			});
		}
		const back = returnPath(url);
		redirect(303, back ?? '/me/verify?verified=1');
	}
};
