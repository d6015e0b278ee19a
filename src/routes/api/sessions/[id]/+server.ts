import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { getVotingSession } from '$lib/server/voting/sessions';
import { getProcedure } from '$lib/server/voting/procedure';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params }) => {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	const procedure = votingSession ? await getProcedure(db(), votingSession.id) : null;
	if (!votingSession || !procedure) error(404, m.error_session_not_found());
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
		candidateCount,
		// The further vote (issue 13): the first round this session settles, and the further votes of this one, in order.
		followUpOf: procedure.followUpOf,
		followUpKind: procedure.followUpKind,
		followUps: procedure.followUps
	});
};
