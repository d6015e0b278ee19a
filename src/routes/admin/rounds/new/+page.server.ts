import { fail, redirect } from '@sveltejs/kit';
import { ROUND_FIELDS, roundFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors } from '$lib/domain/schemas';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { formText } from '$lib/server/catalog/forms';
import { ROUND_PROBLEM_MESSAGES } from '$lib/residents-messages';
import { createRound } from '$lib/server/residents/selection';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const catalog = await listCategoriesWithCandidates(db());
	return {
		catalog: catalog.map((category) => ({
			id: category.id,
			name: category.name,
			candidates: category.candidates.map(({ id, title }) => ({ id, title }))
		}))
	};
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const form = await readFormBody(request);
		const values = { ...formText(form, ROUND_FIELDS), candidateIds: form.getAll('candidate').map(String) };
		const parsed = roundFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error) });
		const result = await createRound(db(), parsed.data, staff.id);
		if (!result.ok) return fail(409, { values, errors: { candidateIds: ROUND_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/rounds/${result.id}?created=1`);
	}
};
