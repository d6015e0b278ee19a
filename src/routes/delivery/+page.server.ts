import { parseYear } from '$lib/domain/delivery';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listProjects, listProjectYears } from '$lib/server/delivery/projects';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) =>
	readPublicFor(event, async (sql) => {
		const years = await listProjectYears(sql);
		const asked = parseYear(event.url.searchParams.get('year'));
		const year = asked ?? years[0] ?? null;
		const projects = year === null ? [] : await listProjects(sql, { year });
		// An empty year says what comes next and when (the year's stage calendar, issue 15).
		return { years, year, projects, calendar: projects.length === 0 ? await currentCalendar(sql) : null };
	});
