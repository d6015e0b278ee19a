import { error, fail, redirect } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import {
	evaluationFormValues,
	listProjectYears,
	readEvaluationForm,
	storedEvaluationValues
} from '$lib/server/evaluation/evaluations';
import { getVotingSession, updateVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

async function evaluationSession(params: { id: string }) {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession || votingSession.rules.ballotMethod !== 'evaluation') error(404, m.error_session_not_found());
	return votingSession;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const votingSession = await evaluationSession(params);
	return { votingSession, years: await listProjectYears(db()), values: storedEvaluationValues(votingSession) };
};

export const actions: Actions = {
	default: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const votingSession = await evaluationSession(params);
		const values = evaluationFormValues(await readFormBody(request));
		const read = await readEvaluationForm(db(), values);
		if (!read.ok) return fail(400, { values, errors: read.errors });
		const result = await updateVotingSession(db(), votingSession.id, read.session, staff.id);
		if (!result.ok) return fail(409, { values, errors: { form: 'error_session_frozen' } });
		redirect(303, `/admin/sessions/${votingSession.id}`);
	}
};
