import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, safeLocalPath } from '$lib/domain/schemas';
import { REGISTRATION_FIELDS, registrationSchema } from '$lib/domain/residents-schemas';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { invalidateSession } from '$lib/server/auth/session';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import { registerResident } from '$lib/server/residents/accounts';
import { env } from '$env/dynamic/private';
import { CONSENT_TEXT_VERSIONS, inactiveAccountDays } from '$lib/domain/verification';
import { checkRegistrationProof } from '$lib/server/residents/altcha';
import type { Actions, PageServerLoad } from './$types';

/** Where to go after registering: back to the page that asked, else the resident's own page. */
function destination(url: URL): string {
	return url.searchParams.has('redirectTo') ? safeLocalPath(url.searchParams.get('redirectTo')) : '/me';
}

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, destination(url));
	return {
		inactiveDays: inactiveAccountDays(env.PIAOJUE_INACTIVE_ACCOUNT_DAYS),
		consentVersion: CONSENT_TEXT_VERSIONS.registration
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const form = await readFormBody(request);
		const values = formText(form, REGISTRATION_FIELDS);
		const parsed = registrationSchema.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error), retryAfterMinutes: 0 });
		const altcha = form.get('altcha');
		const provedWork = await checkRegistrationProof(db(), typeof altcha === 'string' ? altcha : null);
		const result = await registerResident(db(), { ...parsed.data, address: getClientAddress(), provedWork });
		if (!result.ok) {
			return result.error === 'rate_limited'
				? fail(429, {
						values,
						errors: { form: 'residents_error_register_rate_limited' },
						retryAfterMinutes: Math.ceil(result.retryAfterSeconds / 60)
					})
				: fail(409, { values, errors: { username: 'residents_error_username_taken' }, retryAfterMinutes: 0 });
		}
		if (locals.session) await invalidateSession(db(), locals.session.id);
		setSessionCookie(cookies, url, result.token);
		// Next: verify a mobile number (most rounds ask for it), then on to where the resident was going.
		redirect(303, `/me/verify?redirectTo=${encodeURIComponent(destination(url))}`);
	}
};
