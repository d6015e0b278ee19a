import { error, fail, redirect } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { supportFormSchema } from '$lib/domain/residents-schemas';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { addressPrefix, meetsEligibility } from '$lib/domain/verification';
import { residentVerification } from '$lib/server/residents/accounts';
import {
	getRound,
	getSupports,
	listRoundCandidates,
	replaceSupports,
	visibleRoundResults,
	type SupportResult
} from '$lib/server/residents/selection';
import type { Actions, PageServerLoad } from './$types';

function roundId(params: { roundId: string }): number {
	const id = idSchema.safeParse(params.roundId);
	if (!id.success) error(404, m.residents_round_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const id = roundId(params);
	const round = await getRound(db(), id);
	if (!round) error(404, m.residents_round_not_found());
	const isResident = locals.user?.roles.includes('resident') ?? false;
	const [candidates, supported, results, verification] = await Promise.all([
		listRoundCandidates(db(), id),
		isResident && locals.user ? getSupports(db(), id, locals.user.id) : Promise.resolve([] as number[]),
		round.resultsVisible ? visibleRoundResults(db(), id) : Promise.resolve(null),
		isResident && locals.user ? residentVerification(db(), locals.user.id) : Promise.resolve(null)
	]);
	// A resident who does not meet the round's rule is told how to verify, before they choose.
	const eligible = verification ? meetsEligibility(round.eligibility, verification) : false;
	return { round, candidates, supported, results, isResident, eligible, saved: url.searchParams.has('saved') };
};

/** The message key and inputs of a refused choice. */
function problemMessage(problem: Exclude<SupportResult, { ok: true }>['problem']): {
	key: string;
	inputs: Record<string, number>;
} {
	switch (problem.code) {
		case 'over_limit':
			return { key: 'residents_error_over_limit', inputs: { chosen: problem.chosen, limit: problem.limit } };
		case 'unknown_candidate':
			return { key: 'error_candidate_unknown', inputs: {} };
		case 'duplicate_candidate':
			return { key: 'error_candidate_duplicate', inputs: {} };
		case 'not_resident':
			return { key: 'residents_error_residents_only', inputs: {} };
		case 'not_eligible':
			return {
				key:
					problem.eligibility === 'identity' ? 'verification_not_eligible_identity' : 'verification_not_eligible_phone',
				inputs: {}
			};
		case 'not_found':
		case 'not_open':
			return { key: 'residents_error_round_not_open', inputs: {} };
	}
}

export const actions: Actions = {
	default: async ({ params, locals, url, request, getClientAddress }) => {
		const user = requireUser(locals, url);
		const id = roundId(params);
		const form = await readFormBody(request);
		const raw = form.getAll('candidate').map(String);
		const parsed = supportFormSchema.safeParse(raw);
		const chosen = raw.map(Number).filter((value) => Number.isSafeInteger(value));
		if (!parsed.success) return fail(400, { chosen, error: { key: 'error_candidate_unknown', inputs: {} } });
		if (!user.roles.includes('resident')) return fail(409, { chosen, error: problemMessage({ code: 'not_resident' }) });
		const result = await replaceSupports(db(), id, user.id, parsed.data, {
			addressPrefix: addressPrefix(getClientAddress()),
			userAgent: request.headers.get('user-agent')
		});
		if (!result.ok) {
			const status = result.problem.code === 'over_limit' ? 400 : result.problem.code === 'not_eligible' ? 403 : 409;
			return fail(status, { chosen, error: problemMessage(result.problem) });
		}
		redirect(303, `/selection/${id}?saved=1`);
	}
};
