import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { auditHead } from '$lib/server/audit/audit';
import { readPublicFor } from '$lib/server/db/read-routing';
import { buildAnnouncement } from '$lib/server/voting/announcement';
import { publishedResult } from '$lib/server/voting/public-results';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const id = idSchema.safeParse(event.params.sessionId);
	if (!id.success) error(404, m.error_session_not_found());
	return readPublicFor(event, async (sql) => {
		const result = await publishedResult(sql, id.data);
		if (!result) error(404, m.error_session_not_found());
		return {
			...result,
			// A published vote's announcement (an evaluation's result keeps its own table).
			announcement: await buildAnnouncement(sql, result.votingSession.id),
			auditHead: result.tally ? await auditHead(sql) : null
		};
	});
};
