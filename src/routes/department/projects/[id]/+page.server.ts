import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { postUpdateAction } from '$lib/server/delivery/forms';
import { getProject, projectAccess } from '$lib/server/delivery/projects';
import { projectWorkspace } from '$lib/server/delivery/workspace';
import type { Actions, PageServerLoad } from './$types';

function projectIdOf(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_not_found());
	return id.data;
}

/** A department sees only the projects its department leads (403 for the others). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'department');
	const project = await getProject(db(), projectIdOf(params));
	if (!project) error(404, m.error_not_found());
	if (!(await projectAccess(db(), user, project.id))) error(403, m.error_forbidden());
	return { project, ...(await projectWorkspace(db(), project.id, 'department')) };
};

export const actions: Actions = {
	postUpdate: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'department');
		return postUpdateAction(db(), request, user, projectIdOf(params));
	}
};
