import { requireVoter } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listDelegateSessions } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireVoter(locals, url);
	const sessions = await listDelegateSessions(db(), delegate.id);
	// An access-code sign-in lists only the votes its code was issued for.
	const scope = delegate.votingSessionScope;
	return { sessions: scope ? sessions.filter((votingSession) => scope.includes(votingSession.id)) : sessions };
};
