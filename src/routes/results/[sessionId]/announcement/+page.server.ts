import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { auditHead } from '$lib/server/audit/audit';
import { db } from '$lib/server/db';
import { publishedResult } from '$lib/server/voting/public-results';
import { keepPublicPage } from '$lib/server/cache/public-pages';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const id = idSchema.safeParse(params.sessionId);
	const result = id.success ? await publishedResult(db(), id.data) : null;
	if (!result) error(404, m.error_session_not_found());
	if (result.tally) keepPublicPage(locals); // published (the chain's head: dropped at every audit entry)
	return { ...result, auditHead: result.tally ? await auditHead(db()) : null };
};
