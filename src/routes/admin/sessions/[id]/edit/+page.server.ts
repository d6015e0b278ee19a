import { error, fail, redirect } from '@sveltejs/kit';
import { isEvaluation } from '$lib/domain/methods';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { listCandidateIds, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { db } from '$lib/server/db';
import { formValues, procedureFormValues, readSessionForm, toBeijingLocal } from '$lib/server/voting/session-form';
import { getProcedure } from '$lib/server/voting/procedure';
import { getVotingSession, sessionCandidateIds, updateVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

async function draftSession(params: { id: string }) {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession) error(404, m.error_session_not_found());
	// An evaluation has its own form (no seats, no candidate choice): send staff there.
	if (isEvaluation(votingSession.rules)) redirect(303, `/admin/evaluations/${votingSession.id}/edit`);
	return votingSession;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const votingSession = await draftSession(params);
	const procedure = await getProcedure(db(), votingSession.id);
	if (!procedure) error(404, m.error_session_not_found());
	return {
		votingSession,
		rulesAdopted: procedure.rulesAdoption !== null,
		reviewRecorded: procedure.review !== null,
		categories: await listCategoriesWithCandidates(db()),
		values: {
			title: votingSession.title,
			year: String(votingSession.year),
			ballotMethod: votingSession.rules.ballotMethod,
			seats: String(votingSession.rules.seats),
			thresholdBase: votingSession.rules.thresholdBase,
			opensAt: toBeijingLocal(votingSession.opensAt),
			closesAt: toBeijingLocal(votingSession.closesAt),
			candidateIds: (await sessionCandidateIds(db(), votingSession.id)).map(String),
			publishBallots: votingSession.publishBallots ? 'yes' : '',
			...procedureFormValues(procedure.settings)
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const votingSession = await draftSession(params);
		const values = formValues(await readFormBody(request));
		const read = readSessionForm(values, await listCandidateIds(db()));
		if (!read.ok) return fail(400, { values, errors: read.errors });
		const result = await updateVotingSession(db(), votingSession.id, read.session, staff.id);
		if (!result.ok) {
			const formError = {
				not_found: 'error_session_frozen',
				not_draft: 'error_session_frozen',
				rules_adopted: 'procedure_error_rules_adopted',
				review_recorded: 'procedure_error_review_recorded'
			}[result.error];
			return fail(409, { values, errors: { form: formError } });
		}
		redirect(303, `/admin/sessions/${votingSession.id}`);
	}
};
