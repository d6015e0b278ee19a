import { readPublicFor } from '$lib/server/db/read-routing';
import { listRounds } from '$lib/server/residents/selection';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) =>
	readPublicFor(event, async (sql) => {
		const rounds = await listRounds(sql);
		// No round yet: the page says when the selection comes (issue 15).
		return { rounds, calendar: rounds.length === 0 ? await currentCalendar(sql) : null };
	});
