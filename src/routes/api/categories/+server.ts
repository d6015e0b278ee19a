import { json } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => json(await listCategoriesWithCandidates(db()));
