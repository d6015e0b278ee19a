import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listInspectionNotes } from '$lib/server/delivery/monitoring';
import { getProject } from '$lib/server/delivery/projects';
import { listProgressUpdates } from '$lib/server/delivery/updates';
import type { PageServerLoad } from './$types';

/** The public: the project, its updates and the notes staff approved (never the pending ones). */
export const load: PageServerLoad = async (event) => {
	const id = idSchema.safeParse(event.params.projectId);
	if (!id.success) error(404, m.error_not_found());
	return readPublicFor(event, async (sql) => {
		const project = await getProject(sql, id.data);
		if (!project) error(404, m.error_not_found());
		const [updates, notes] = await Promise.all([
			listProgressUpdates(sql, project.id),
			listInspectionNotes(sql, project.id, 'public')
		]);
		return { project, updates, notes };
	});
};
