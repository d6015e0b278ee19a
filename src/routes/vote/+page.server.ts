import { requireVoter } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listDelegateSessions } from '$lib/server/voting/sessions';
import { currentCalendar } from '$lib/server/hall/calendar';
import { sessionsScrutinisedBy } from '$lib/server/voting/procedure';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireVoter(locals, url);
	const sessions = await listDelegateSessions(db(), delegate.id);
	// An access-code sign-in lists only the votes its code was issued for.
	const scope = delegate.votingSessionScope;
	const shown = scope ? sessions.filter((votingSession) => scope.includes(votingSession.id)) : sessions;
	// Sessions in which the meeting named this delegate 总监票人 or 监票人 (they act with their own
	// password sign-in, never an access code's).
	const scrutinising = scope ? [] : await sessionsScrutinisedBy(db(), delegate.id);
	return {
		sessions: shown,
		scrutinising,
		calendar: shown.length === 0 ? await currentCalendar(db()) : null
	};
};
