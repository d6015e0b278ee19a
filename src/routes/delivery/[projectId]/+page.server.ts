import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { listInspectionNotes } from '$lib/server/delivery/monitoring';
import { getProject } from '$lib/server/delivery/projects';
import { listProgressUpdates } from '$lib/server/delivery/updates';
import type { PageServerLoad } from './$types';

/** The public: the project, its updates and the notes staff approved (never the pending ones). */
export const load: PageServerLoad = async ({ params }) => {
	const id = idSchema.safeParse(params.projectId);
	if (!id.success) error(404, m.error_not_found());
	const project = await getProject(db(), id.data);
	if (!project) error(404, m.error_not_found());
	const [updates, notes] = await Promise.all([
		listProgressUpdates(db(), project.id),
		listInspectionNotes(db(), project.id, 'public')
	]);
	return { project, updates, notes };
};
