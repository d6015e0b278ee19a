import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { departmentOf, listProjects } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireRole(locals, url, 'department');
	const department = await departmentOf(db(), user.id);
	if (!department) error(403, m.error_forbidden());
	return { department, projects: await listProjects(db(), { department }) };
};
