import { json } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { attachmentHeader, catalogJson } from '$lib/server/catalog/export';
import type { RequestHandler } from './$types';

/** The public candidate list as JSON, the same data as the pages and /api/categories. */
export const GET: RequestHandler = async (event) =>
	json(catalogJson(await readPublicFor(event, (sql) => listCategoriesWithCandidates(sql))), {
		headers: {
			'content-disposition': attachmentHeader('candidates.json', `${m.catalog_export_file_name()}.json`),
			'cache-control': 'no-cache'
		}
	});
