import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listEvaluations, listProjectYears } from '$lib/server/evaluation/evaluations';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireRole(locals, url, 'staff', 'scrutineer');
	return {
		evaluations: await listEvaluations(db()),
		years: await listProjectYears(db()),
		canManage: user.roles.includes('staff')
	};
};
