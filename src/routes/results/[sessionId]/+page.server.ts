import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { publishedResult } from '$lib/server/voting/public-results';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const id = idSchema.safeParse(event.params.sessionId);
	const result = id.success ? await readPublicFor(event, (sql) => publishedResult(sql, id.data)) : null;
	if (!result) error(404, m.error_session_not_found());
	return result;
};
