import { requireVoter } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listDelegateSessions } from '$lib/server/voting/sessions';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireVoter(locals, url);
	const sessions = await listDelegateSessions(db(), delegate.id);
	// An access-code sign-in lists only the votes its code was issued for.
	const scope = delegate.votingSessionScope;
	const shown = scope ? sessions.filter((votingSession) => scope.includes(votingSession.id)) : sessions;
	return { sessions: shown, calendar: shown.length === 0 ? await currentCalendar(db()) : null };
};
