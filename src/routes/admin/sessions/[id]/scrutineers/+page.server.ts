import { error, fail } from '@sveltejs/kit';
import { isEvaluation } from '$lib/domain/methods';
import { scrutineersFormSchema } from '$lib/domain/procedure-schemas';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { namingErrorMessage } from '$lib/server/voting/procedure-messages';
import { getProcedure, nameScrutineers } from '$lib/server/voting/procedure';
import { getVotingSession } from '$lib/server/voting/sessions';
import type { Actions, PageServerLoad } from './$types';

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
	const reference = (entry: { username: string }) => entry.username;
	return {
		votingSession,
		procedure,
		values: {
			chief: procedure.scrutineers.filter((entry) => entry.duty === 'chief').map(reference)[0] ?? '',
			members: procedure.scrutineers
				.filter((entry) => entry.duty === 'member')
				.map(reference)
				.join('\n'),
			counters: procedure.scrutineers
				.filter((entry) => entry.duty === 'counter')
				.map(reference)
				.join('\n'),
			approvedBy: procedure.scrutineersApproval?.by ?? 'presidium',
			approvedOn: procedure.scrutineersApproval?.on ?? ''
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const votingSession = await voteSession(params);
		const form = await readFormBody(request);
		const values = {
			chief: String(form.get('chief') ?? ''),
			members: String(form.get('members') ?? ''),
			counters: String(form.get('counters') ?? ''),
			approvedBy: String(form.get('approvedBy') ?? ''),
			approvedOn: String(form.get('approvedOn') ?? '')
		};
		const parsed = scrutineersFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error) });
		const result = await nameScrutineers(db(), votingSession.id, parsed.data, staff.id);
		if (!result.ok) return fail(409, { values, errors: { form: namingErrorMessage(result.error) } });
		return { done: true };
	}
};
