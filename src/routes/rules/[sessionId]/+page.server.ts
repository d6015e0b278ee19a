import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { currentRulesText, getProcedure } from '$lib/server/voting/procedure';
import { getVotingSession } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

/** The session's 票决办法: public once adopted; before that, staff see the draft and others a notice. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const id = idSchema.safeParse(params.sessionId);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	const procedure = votingSession ? await getProcedure(db(), votingSession.id) : null;
	if (!votingSession || !procedure || votingSession.rules.ballotMethod === 'evaluation')
		error(404, m.error_session_not_found());
	const isStaff = locals.user?.roles.includes('staff') ?? false;
	const showText = procedure.rulesAdoption !== null || isStaff;
	return {
		votingSession: {
			id: votingSession.id,
			title: votingSession.title,
			status: votingSession.status,
			isDemo: votingSession.isDemo
		},
		meetingName: procedure.settings.meetingName,
		adoption: procedure.rulesAdoption ? { by: procedure.rulesAdoption.by, on: procedure.rulesAdoption.on } : null,
		text: showText ? await currentRulesText(db(), votingSession.id) : null
	};
};
