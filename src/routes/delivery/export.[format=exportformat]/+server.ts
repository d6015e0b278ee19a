import { error } from '@sveltejs/kit';
import { parseYear } from '$lib/domain/delivery';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { overviewExport } from '$lib/server/delivery/export';
import type { RequestHandler } from './$types';

/** The year's overview as CSV or JSON (?year=YYYY); 404 for a year without projects. */
export const GET: RequestHandler = async (event) => {
	const year = parseYear(event.url.searchParams.get('year'));
	if (year === null) error(404, m.error_not_found());
	const response = await readPublicFor(event, (sql) => overviewExport(sql, year, event.params.format));
	if (!response) error(404, m.error_not_found());
	return response;
};
