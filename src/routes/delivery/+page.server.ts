import { parseYear } from '$lib/domain/delivery';
import { db } from '$lib/server/db';
import { listProjects, listProjectYears } from '$lib/server/delivery/projects';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const years = await listProjectYears(db());
	const asked = parseYear(url.searchParams.get('year'));
	const year = asked ?? years[0] ?? null;
	const projects = year === null ? [] : await listProjects(db(), { year });
	return { years, year, projects, calendar: projects.length === 0 ? await currentCalendar(db()) : null };
};
