import { json } from '@sveltejs/kit';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) =>
	json(await readPublicFor(event, (sql) => listCategoriesWithCandidates(sql)));
