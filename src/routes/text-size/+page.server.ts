// The large-text toggle: a form post (works without JavaScript) that remembers the choice in a
// cookie and goes back to the page it came from.
import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { safeLocalPath } from '$lib/domain/schemas';
import { readFormBody } from '$lib/server/form-body';
import { TEXT_SIZE_COOKIE, TEXT_SIZE_MAX_AGE, TEXT_SIZES } from '$lib/text-size';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

const textSizeForm = z.object({
	size: z.enum(TEXT_SIZES),
	redirectTo: z.string().optional()
});

export const actions: Actions = {
	default: async ({ request, cookies }) => {
		const parsed = textSizeForm.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) redirect(303, '/');
		cookies.set(TEXT_SIZE_COOKIE, parsed.data.size, {
			path: '/',
			httpOnly: false,
			sameSite: 'lax',
			secure: false,
			maxAge: TEXT_SIZE_MAX_AGE
		});
		redirect(303, safeLocalPath(parsed.data.redirectTo));
	}
};
