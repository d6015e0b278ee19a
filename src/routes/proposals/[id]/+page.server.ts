import { error, fail, redirect } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { PROPOSAL_PROBLEM_MESSAGES } from '$lib/residents-messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import type { Sql } from '$lib/server/db/client';
import { deleteDraft, getProposalForViewer } from '$lib/server/residents/proposals';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { params, locals, url } = event;
	const id = idSchema.safeParse(params.id);
	// A signed-in reader may be its author (drafts, their own latest edit): the primary; anyone else a replica.
	const read = <T>(work: (sql: Sql) => Promise<T>) => (locals.user ? work(db()) : readPublicFor(event, work));
	const found = id.success ? await read((sql) => getProposalForViewer(sql, id.data, locals.user)) : null;
	if (!found) error(404, m.residents_problem_not_found());
	return { ...found, submitted: url.searchParams.has('submitted') };
};

export const actions: Actions = {
	delete: async ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.residents_problem_not_found());
		const result = await deleteDraft(db(), user.id, id.data);
		if (!result.ok) return fail(409, { error: PROPOSAL_PROBLEM_MESSAGES[result.problem] });
		redirect(303, '/me?deleted=1');
	}
};
