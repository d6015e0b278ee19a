import { parseYear } from '$lib/domain/delivery';
import { db } from '$lib/server/db';
import { listProjects, listProjectYears } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const years = await listProjectYears(db());
	const asked = parseYear(url.searchParams.get('year'));
	const year = asked ?? years[0] ?? null;
	return { years, year, projects: year === null ? [] : await listProjects(db(), { year }) };
};
