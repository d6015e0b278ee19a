import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { seesDrafts } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { getPublishedTally } from '$lib/server/voting/results';
import { getVotingSession } from '$lib/server/voting/sessions';
import { getProcedure } from '$lib/server/voting/procedure';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals }) => {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	// A draft (and its rules) is staff's until it opens.
	if (!votingSession || (votingSession.status === 'draft' && !seesDrafts(locals)))
		error(404, m.error_session_not_found());
	const procedure = await getProcedure(db(), votingSession.id);
	if (!procedure) error(404, m.error_session_not_found());
	const {
		id: sessionId,
		title,
		year,
		status,
		rules,
		attendance,
		quorum,
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
	// The vote's record (应到, 实到, quorum, 发出, 收回, 有效, 无效, validity) as stored at closing,
	// once published: the same object as the result's tally.figures.
	const tally = status === 'published' ? await getPublishedTally(db(), sessionId) : null;
	return json({
		id: sessionId,
		title,
		year,
		status,
		rules,
		attendanceRules: {
			quorumRule: attendance.quorumRule,
			signInMarksPresent: attendance.signInMarksPresent,
			hallNetworkOnly: attendance.castNetworks !== null
		},
		opensAt,
		closesAt,
		openedAt,
		closedAt,
		publishedAt,
		enrolled,
		present,
		quorumNeeded: quorum.needed,
		quorumMet: quorum.met,
		cast,
		candidateCount,
		figures: tally?.figures ?? null,
		// The further vote (issue 13): the first round this session settles, and the further votes of this one, in order.
		followUpOf: procedure.followUpOf,
		followUpKind: procedure.followUpKind,
		followUps: procedure.followUps
	});
};
