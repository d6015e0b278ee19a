import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { describeProblem, formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { createCategory } from '$lib/server/catalog/manage';
import { CATEGORY_FORM_FIELDS, categoryFormSchema } from '$lib/server/catalog/schemas';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const values = formText(await readFormBody(request), CATEGORY_FORM_FIELDS);
		const parsed = categoryFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: translatedFieldErrors(parsed.error) });
		const result = await createCategory(db(), parsed.data, staff.id);
		if (!result.ok) {
			const problem = describeProblem(result);
			return fail(409, { values, errors: { [problem.field]: problem.message } });
		}
		redirect(303, `/admin/candidates?done=category_created&id=${result.id}#category-${result.id}`);
	}
};
