import { parseYear } from '$lib/domain/delivery';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listProjects, listProjectYears } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) =>
	readPublicFor(event, async (sql) => {
		const years = await listProjectYears(sql);
		const asked = parseYear(event.url.searchParams.get('year'));
		const year = asked ?? years[0] ?? null;
		return { years, year, projects: year === null ? [] : await listProjects(sql, { year }) };
	});
