import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { exportResponse } from '$lib/server/voting/export';
import type { RequestHandler } from './$types';

/** The public: the result once published, nothing before. */
export const GET: RequestHandler = async (event) => {
	const id = idSchema.safeParse(event.params.sessionId);
	if (!id.success) error(404, m.error_session_not_found());
	const response = await readPublicFor(event, (sql) => exportResponse(sql, id.data, event.params.format, 'public'));
	return new Response(response.body, { status: response.status, headers: response.headers });
};
