import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listSessionsWithTurnout } from '$lib/server/voting/admin';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireRole(locals, url, 'staff', 'scrutineer');
	return { sessions: await listSessionsWithTurnout(db()), canCreate: user.roles.includes('staff') };
};
