import { db } from '$lib/server/db';
import { listRounds } from '$lib/server/residents/selection';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const rounds = await listRounds(db());
	// No round yet: the page says when the selection comes (issue 15).
	return { rounds, calendar: rounds.length === 0 ? await currentCalendar(db()) : null };
};
