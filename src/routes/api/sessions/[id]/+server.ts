import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { seesDrafts } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { getVotingSession } from '$lib/server/voting/sessions';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals }) => {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	// A draft (and its rules) is staff's until it opens.
	if (!votingSession || (votingSession.status === 'draft' && !seesDrafts(locals)))
		error(404, m.error_session_not_found());
	const {
		id: sessionId,
		title,
		year,
		status,
		rules,
		opensAt,
		closesAt,
		openedAt,
		closedAt,
		publishedAt,
		enrolled,
		present,
		cast,
		candidateCount
	} = votingSession;
	return json({
		id: sessionId,
		title,
		year,
		status,
		rules,
		opensAt,
		closesAt,
		openedAt,
		closedAt,
		publishedAt,
		enrolled,
		present,
		cast,
		candidateCount
	});
};
