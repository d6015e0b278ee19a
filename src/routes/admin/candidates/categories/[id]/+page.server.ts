import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { describeProblem, formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { deleteCategory, getStaffCategory, updateCategory } from '$lib/server/catalog/manage';
import { CATEGORY_FORM_FIELDS, categoryFormSchema } from '$lib/server/catalog/schemas';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

function categoryId(param: string): number {
	const id = idSchema.safeParse(param);
	if (!id.success) error(404, m.catalog_problem_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const category = await getStaffCategory(db(), categoryId(params.id));
	if (!category) error(404, m.catalog_problem_not_found());
	return { category };
};

const confirmForm = z.object({ confirm: z.literal('yes') });

export const actions: Actions = {
	save: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = categoryId(params.id);
		const values = formText(await readFormBody(request), CATEGORY_FORM_FIELDS);
		const parsed = categoryFormSchema.safeParse(values);
		if (!parsed.success)
			return fail(400, { action: 'save' as const, values, errors: translatedFieldErrors(parsed.error) });
		const result = await updateCategory(db(), id, parsed.data, staff.id);
		if (!result.ok) {
			if (result.error === 'not_found') error(404, m.catalog_problem_not_found());
			const problem = describeProblem(result);
			return fail(409, { action: 'save' as const, values, errors: { [problem.field]: problem.message } });
		}
		redirect(303, `/admin/candidates?done=category_saved&id=${id}#category-${id}`);
	},
	delete: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = categoryId(params.id);
		if (!confirmForm.safeParse(Object.fromEntries(await readFormBody(request))).success) {
			return fail(400, { action: 'delete' as const, message: m.error_confirm_required() });
		}
		const result = await deleteCategory(db(), id, staff.id);
		if (!result.ok) {
			if (result.error === 'not_found') error(404, m.catalog_problem_not_found());
			return fail(409, { action: 'delete' as const, message: describeProblem(result).message });
		}
		redirect(303, '/admin/candidates?done=category_deleted');
	}
};
