import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { auditHead } from '$lib/server/audit/audit';
import { db } from '$lib/server/db';
import { buildAnnouncement } from '$lib/server/voting/announcement';
import { publishedResult } from '$lib/server/voting/public-results';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const id = idSchema.safeParse(params.sessionId);
	const result = id.success ? await publishedResult(db(), id.data) : null;
	if (!result) error(404, m.error_session_not_found());
	return {
		...result,
		// A published vote's announcement (an evaluation's result keeps its own table).
		announcement: await buildAnnouncement(db(), result.votingSession.id),
		auditHead: result.tally ? await auditHead(db()) : null
	};
};
