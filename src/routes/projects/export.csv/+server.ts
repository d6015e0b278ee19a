import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { attachmentHeader, catalogCsv } from '$lib/server/catalog/export';
import { catalogCsvHeaders } from '$lib/server/catalog/headers';
import type { RequestHandler } from './$types';

/** The public candidate list as CSV (UTF-8 with BOM), column titles in the reader's language. */
export const GET: RequestHandler = async (event) => {
	const csv = catalogCsv(await readPublicFor(event, (sql) => listCategoriesWithCandidates(sql)), catalogCsvHeaders());
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': attachmentHeader('candidates.csv', `${m.catalog_export_file_name()}.csv`),
			'cache-control': 'no-cache',
			vary: 'Accept-Language, Cookie'
		}
	});
};
