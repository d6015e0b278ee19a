import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { exportResponse } from '$lib/server/voting/export';
import type { RequestHandler } from './$types';

/** Staff and scrutineers: the result from closing on. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff', 'scrutineer');
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_session_not_found());
	const response = await exportResponse(db(), id.data, params.format, 'staff');
	return new Response(response.body, { status: response.status, headers: response.headers });
};
