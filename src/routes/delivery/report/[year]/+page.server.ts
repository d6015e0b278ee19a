import { error } from '@sveltejs/kit';
import { parseYear } from '$lib/domain/delivery';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listProjects } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const year = parseYear(event.params.year);
	if (year === null) error(404, m.error_not_found());
	const projects = await readPublicFor(event, (sql) => listProjects(sql, { year }));
	if (projects.length === 0) error(404, m.error_not_found());
	return { year, projects, generatedAt: new Date() };
};
