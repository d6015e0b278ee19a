import { json } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { databaseAnswers } from '$lib/server/db/health';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const healthy = await databaseAnswers(db());
	return json({ status: healthy ? 'ok' : 'database_unavailable' }, { status: healthy ? 200 : 503 });
};
