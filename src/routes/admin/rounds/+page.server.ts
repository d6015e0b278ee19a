import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listRounds } from '$lib/server/residents/selection';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	return { rounds: await listRounds(db()) };
};
