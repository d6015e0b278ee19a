import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listDelegateSessions } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireRole(locals, url, 'delegate');
	return { sessions: await listDelegateSessions(db(), delegate.id) };
};
