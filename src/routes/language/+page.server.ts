import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { safeLocalPath } from '$lib/domain/schemas';
import { cookieName, cookieMaxAge, isLocale } from '$lib/paraglide/runtime';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

const languageForm = z.object({
	locale: z.string().refine(isLocale),
	redirectTo: z.string().optional()
});

export const actions: Actions = {
	default: async ({ request, cookies }) => {
		const parsed = languageForm.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) redirect(303, '/');
		cookies.set(cookieName, parsed.data.locale, {
			path: '/',
			httpOnly: false,
			sameSite: 'lax',
			secure: false,
			maxAge: cookieMaxAge
		});
		redirect(303, safeLocalPath(parsed.data.redirectTo));
	}
};
