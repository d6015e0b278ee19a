import { error, fail, redirect } from '@sveltejs/kit';
import { CARRY_OVER_FIELDS, carryOverFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { reasonSchema } from '$lib/domain/verification';
import { m } from '$lib/paraglide/messages';
import { ROUND_PROBLEM_MESSAGES } from '$lib/residents-messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import {
	carryOverToVotingSession,
	closeRoundNow,
	finalizeRoundResults,
	getRound,
	liftExclusion,
	listExclusions,
	listCarryOvers,
	listRoundCandidates,
	visibleRoundResults
} from '$lib/server/residents/selection';
import type { Actions, PageServerLoad } from './$types';

function roundId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.residents_round_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const id = roundId(params);
	const round = await getRound(db(), id);
	if (!round) error(404, m.residents_round_not_found());
	const [candidates, results, carryOvers, exclusions] = await Promise.all([
		listRoundCandidates(db(), id),
		visibleRoundResults(db(), id),
		listCarryOvers(db(), id),
		listExclusions(db(), id)
	]);
	return {
		round,
		candidates,
		results,
		carryOvers,
		exclusions,
		finalized: url.searchParams.has('finalized'),
		created: url.searchParams.has('created'),
		closed: url.searchParams.has('closed'),
		carried: url.searchParams.get('carried'),
		tied: url.searchParams.has('tied')
	};
};

export const actions: Actions = {
	close: async ({ locals, url, params }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = roundId(params);
		const result = await closeRoundNow(db(), id, staff.id);
		if (!result.ok) return fail(409, { errors: { form: ROUND_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/rounds/${id}?closed=1`);
	},
	finalize: async ({ locals, url, params }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = roundId(params);
		const result = await finalizeRoundResults(db(), id, staff.id);
		if (!result.ok) return fail(409, { errors: { form: ROUND_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/rounds/${id}?finalized=1`);
	},
	lift: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = roundId(params);
		const form = await readFormBody(request);
		const resident = idSchema.safeParse(form.get('residentId'));
		const reason = reasonSchema.safeParse(form.get('reason') ?? '');
		if (!resident.success) return fail(400, { errors: { form: 'verification_problem_not_excluded' } });
		if (!reason.success)
			return fail(400, { errors: { form: reason.error.issues[0]?.message ?? 'verification_error_reason_required' } });
		const result = await liftExclusion(db(), id, resident.data, reason.data, staff.id);
		if (!result.ok) return fail(409, { errors: { form: ROUND_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/rounds/${id}`);
	},
	carry: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = roundId(params);
		const values = formText(await readFormBody(request), CARRY_OVER_FIELDS);
		const parsed = carryOverFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error) });
		const result = await carryOverToVotingSession(db(), id, staff.id, parsed.data);
		if (!result.ok) return fail(409, { values, errors: { form: ROUND_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/rounds/${id}?carried=${result.votingSessionId}${result.tiedAtCutoff ? '&tied=1' : ''}`);
	}
};
