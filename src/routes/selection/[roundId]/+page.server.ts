import { error, fail, redirect } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { supportFormSchema } from '$lib/domain/residents-schemas';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readPublicFor } from '$lib/server/db/read-routing';
import { readFormBody } from '$lib/server/form-body';
import { recordRefusedInput, recordSupport } from '$lib/server/observability/metrics';
import { addressPrefix, meetsEligibility } from '$lib/domain/verification';
import { residentVerification } from '$lib/server/residents/accounts';
import {
	getRound,
	getSupports,
	listRoundCandidates,
	replaceSupports,
	visibleRoundResults
} from '$lib/server/residents/selection';
import { supportFailureMessage } from '$lib/residents-messages';
import type { Actions, PageServerLoad } from './$types';

function roundId(params: { roundId: string }): number {
	const id = idSchema.safeParse(params.roundId);
	if (!id.success) error(404, m.residents_round_not_found());
	return id.data;
}

export const load: PageServerLoad = async (event) => {
	const { params, locals, url } = event;
	const id = roundId(params);
	const isResident = locals.user?.roles.includes('resident') ?? false;
	// The round, its candidates and its ranking are public (a replica may serve them); the
	// resident's own supports and verification always come from the primary.
	const [publicPart, supported, verification] = await Promise.all([
		readPublicFor(event, async (sql) => {
			const round = await getRound(sql, id);
			if (!round) return null;
			const [candidates, results] = await Promise.all([
				listRoundCandidates(sql, id),
				round.resultsVisible ? visibleRoundResults(sql, id) : Promise.resolve(null)
			]);
			return { round, candidates, results };
		}),
		isResident && locals.user ? getSupports(db(), id, locals.user.id) : Promise.resolve([] as number[]),
		isResident && locals.user ? residentVerification(db(), locals.user.id) : Promise.resolve(null)
	]);
	if (!publicPart) error(404, m.residents_round_not_found());
	const { round, candidates, results } = publicPart;
	// A resident who does not meet the round's rule is told how to verify, before they choose.
	const eligible = verification ? meetsEligibility(round.eligibility, verification) : false;
	return { round, candidates, supported, results, isResident, eligible, saved: url.searchParams.has('saved') };
};

export const actions: Actions = {
	default: async ({ params, locals, url, request, getClientAddress }) => {
		const user = requireUser(locals, url);
		const id = roundId(params);
		const form = await readFormBody(request);
		const raw = form.getAll('candidate').map(String);
		const parsed = supportFormSchema.safeParse(raw);
		const chosen = raw.map(Number).filter((value) => Number.isSafeInteger(value));
		if (!parsed.success) {
			recordRefusedInput('support', 'unknown_candidate');
			return fail(400, { chosen, error: supportFailureMessage({ code: 'unknown_candidate' }) });
		}
		if (!user.roles.includes('resident')) {
			recordRefusedInput('support', 'not_resident');
			return fail(409, { chosen, error: supportFailureMessage({ code: 'not_resident' }) });
		}
		const result = await replaceSupports(db(), id, user.id, parsed.data, {
			addressPrefix: addressPrefix(getClientAddress()),
			userAgent: request.headers.get('user-agent')
		});
		recordSupport(result);
		if (!result.ok) {
			const status = result.problem.code === 'over_limit' ? 400 : result.problem.code === 'not_eligible' ? 403 : 409;
			return fail(status, { chosen, failure: result.problem.code, error: supportFailureMessage(result.problem) });
		}
		redirect(303, `/selection/${id}?saved=1`);
	}
};
