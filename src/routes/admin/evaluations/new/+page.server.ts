import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { evaluationFormValues, listProjectYears, readEvaluationForm } from '$lib/server/evaluation/evaluations';
import { createVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import { m } from '$lib/paraglide/messages';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const years = await listProjectYears(db());
	const year = years[0]?.year ?? new Date().getFullYear() - 1;
	return {
		years,
		values: {
			title: m.evaluation_default_title({ year }),
			year: String(year),
			allowAbstain: '',
			opensAt: '',
			closesAt: ''
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const values = evaluationFormValues(await readFormBody(request));
		const read = await readEvaluationForm(db(), values);
		if (!read.ok) return fail(400, { values, errors: read.errors });
		const id = await createVotingSession(db(), read.session, staff.id);
		redirect(303, `/admin/sessions/${id}`);
	}
};
