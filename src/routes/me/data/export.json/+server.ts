import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { exportResidentData } from '$lib/server/residents/personal-data';
import type { RequestHandler } from './$types';

/** Everything kept about the signed-in user, as a JSON download (never cached). */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	const data = await exportResidentData(db(), user.id);
	if (!data) error(404, m.error_not_found());
	return new Response(JSON.stringify(data, null, 2), {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="piaojue-my-data-${user.id}.json"`,
			'cache-control': 'no-store'
		}
	});
};
