import { error, fail } from '@sveltejs/kit';
import { isEvaluation } from '$lib/domain/methods';
import type { z } from 'zod';
import { adoptionFormSchema, reviewFormSchema, rulesTextFormSchema } from '$lib/domain/procedure-schemas';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import {
	adoptRules,
	currentRulesText,
	getProcedure,
	recordReview,
	saveRulesText,
	withdrawReview,
	withdrawRulesAdoption,
	type ProcedureError,
	type ProcedureResult
} from '$lib/server/voting/procedure';
import { getVotingSession } from '$lib/server/voting/sessions';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function voteSession(params: { id: string }) {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession || isEvaluation(votingSession.rules)) error(404, m.error_session_not_found());
	return votingSession;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const votingSession = await voteSession(params);
	const procedure = await getProcedure(db(), votingSession.id);
	if (!procedure) error(404, m.error_session_not_found());
	return { votingSession, procedure, rulesText: (await currentRulesText(db(), votingSession.id)) ?? '' };
};

const procedureErrorKeys: Record<ProcedureError, string> = {
	not_found: 'error_session_not_found',
	not_draft: 'procedure_error_not_draft',
	not_a_vote: 'error_session_not_found',
	rules_adopted: 'procedure_error_rules_adopted',
	rules_not_adopted: 'procedure_error_rules_not_adopted',
	review_not_recorded: 'procedure_error_review_not_recorded',
	review_recorded: 'procedure_error_review_recorded'
};

type StepAction = 'text' | 'resetText' | 'adopt' | 'withdrawAdoption' | 'review' | 'withdrawReview';

/** One procedure step: parse the form (what was typed comes back on a refusal), run it, say what happened. */
function step<T>(
	action: StepAction,
	schema: z.ZodType<T> | null,
	run: (sessionId: number, input: T, actorId: number) => Promise<ProcedureResult>
) {
	return async ({ locals, url, params, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const votingSession = await voteSession(params);
		const form = await readFormBody(request);
		const fields = Object.fromEntries([...form.entries()].map(([key, value]) => [key, String(value)]));
		let input = undefined as T;
		if (schema) {
			const parsed = schema.safeParse(fields);
			if (!parsed.success) return fail(400, { action, values: fields, errors: fieldErrors(parsed.error) });
			input = parsed.data;
		}
		const result = await run(votingSession.id, input, staff.id);
		if (!result.ok) return fail(409, { action, values: fields, errors: { form: procedureErrorKeys[result.error] } });
		return { action, done: true };
	};
}

export const actions: Actions = {
	text: step('text', rulesTextFormSchema, (sessionId, input, actorId) =>
		saveRulesText(db(), sessionId, input.text, actorId)
	),
	resetText: step('resetText', null, (sessionId, _input, actorId) => saveRulesText(db(), sessionId, null, actorId)),
	adopt: step('adopt', adoptionFormSchema, (sessionId, input, actorId) => adoptRules(db(), sessionId, input, actorId)),
	withdrawAdoption: step('withdrawAdoption', null, (sessionId, _input, actorId) =>
		withdrawRulesAdoption(db(), sessionId, actorId)
	),
	review: step('review', reviewFormSchema, (sessionId, input, actorId) =>
		recordReview(db(), sessionId, input, actorId)
	),
	withdrawReview: step('withdrawReview', null, (sessionId, _input, actorId) => withdrawReview(db(), sessionId, actorId))
};
