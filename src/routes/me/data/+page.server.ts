import { fail, redirect } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guard';
import { clearSessionCookie } from '$lib/server/auth/cookies';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { eraseResidentAccount, exportResidentData } from '$lib/server/residents/personal-data';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	// Right after deleting the account: signed out, told it is done.
	if (!locals.user && url.searchParams.has('erased'))
		return { erased: true, consents: [], hasPassword: false, residentOnly: false };
	const user = requireUser(locals, url);
	const data = await exportResidentData(db(), user.id);
	return {
		erased: false,
		consents: data?.consents ?? [],
		hasPassword:
			(await db()`select password_hash is not null as has from app_user where id = ${user.id}`)[0]?.has === true,
		residentOnly: user.roles.length === 1 && user.roles[0] === 'resident'
	};
};

export const actions: Actions = {
	delete: async ({ locals, url, request, cookies }) => {
		const user = requireUser(locals, url);
		const form = await readFormBody(request);
		if (form.get('confirm') !== 'yes') return fail(400, { errors: { confirm: 'verification_error_delete_confirm' } });
		const password = form.get('password');
		const result = await eraseResidentAccount(db(), user.id, {
			password: typeof password === 'string' ? password : null,
			reason: 'resident_request'
		});
		if (!result.ok) {
			if (result.error === 'password_wrong')
				return fail(403, { errors: { password: 'verification_error_password_wrong' } });
			return fail(409, { errors: { form: 'verification_error_not_resident_only' } });
		}
		clearSessionCookie(cookies, url);
		redirect(303, '/me/data?erased=1');
	}
};
