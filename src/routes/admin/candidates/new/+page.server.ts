import { fail, redirect } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { describeProblem, formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { createCandidate, listCategoryOptions } from '$lib/server/catalog/manage';
import { CANDIDATE_FORM_FIELDS, candidateFormSchema } from '$lib/server/catalog/schemas';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const categories = await listCategoryOptions(db());
	const preselected = idSchema.safeParse(url.searchParams.get('category'));
	const categoryId =
		preselected.success && categories.some((category) => category.id === preselected.data)
			? String(preselected.data)
			: '';
	return { categories, categoryId };
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const form = await readFormBody(request);
		const values = formText(form, CANDIDATE_FORM_FIELDS);
		const parsed = candidateFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: translatedFieldErrors(parsed.error) });
		const result = await createCandidate(db(), parsed.data, staff.id);
		if (!result.ok) {
			const problem = describeProblem(result);
			return fail(409, { values, errors: { [problem.field]: problem.message } });
		}
		redirect(303, `/admin/candidates?done=candidate_created&id=${result.id}#candidate-${result.id}`);
	}
};
