import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { listCandidateIds, listCandidateYears, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { db } from '$lib/server/db';
import { formValues, procedureFormValues, readSessionForm } from '$lib/server/voting/session-form';
import { DEFAULT_PROCEDURE_SETTINGS } from '$lib/domain/procedure-schemas';
import { createVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const categories = await listCategoriesWithCandidates(db());
	// A new session is for the newest year's candidate list, which is ticked to begin with.
	const [newest] = await listCandidateYears(db());
	const year = newest?.year ?? new Date().getFullYear();
	return {
		categories,
		values: {
			title: '',
			year: String(year),
			ballotMethod: 'approval',
			seats: '10',
			thresholdBase: 'enrolled',
			opensAt: '',
			closesAt: '',
			candidateIds: categories.flatMap((category) =>
				category.candidates.filter((candidate) => candidate.year === year).map((candidate) => String(candidate.id))
			),
			publishBallots: '',
			...procedureFormValues(DEFAULT_PROCEDURE_SETTINGS)
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const values = formValues(await readFormBody(request));
		const read = readSessionForm(values, await listCandidateIds(db()));
		if (!read.ok) return fail(400, { values, errors: read.errors });
		const id = await createVotingSession(db(), read.session, staff.id);
		redirect(303, `/admin/sessions/${id}`);
	}
};
