import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listDelegateSessions } from '$lib/server/voting/sessions';
import { sessionsScrutinisedBy } from '$lib/server/voting/procedure';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireRole(locals, url, 'delegate');
	return {
		sessions: await listDelegateSessions(db(), delegate.id),
		// Sessions in which the meeting named this delegate 总监票人 or 监票人.
		scrutinising: await sessionsScrutinisedBy(db(), delegate.id)
	};
};
