import { db } from '$lib/server/db';
import { seesDrafts } from '$lib/server/auth/guard';
import { listYears, yearChain } from '$lib/server/delivery/years';
import { currentVotingSession } from '$lib/server/voting/overview';
import { listDelegateSessions, listVotingSessions } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const years = await listYears(db());
	const user = locals.user;
	// Voting links only for the delegates of that session who have a ballot to cast (issue 15).
	const ballotsToCast =
		user && user.roles.includes('delegate')
			? (await listDelegateSessions(db(), user.id))
					.filter((session) => session.status === 'open' && !session.hasVoted)
					.filter((session) => user.votingSessionScope === null || user.votingSessionScope.includes(session.id))
					.map((session) => session.id)
			: [];
	const drafts = seesDrafts(locals);
	return {
		ballotsToCast,
		current: await currentVotingSession(db(), { drafts }),
		sessions: await listVotingSessions(db(), { drafts }),
		years,
		// Where the newest year stands in the chain 征集 → 网上评选 → 票决 → 实施 → 测评.
		chain: years[0] === undefined ? null : await yearChain(db(), years[0])
	};
};
