import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { publishedResult } from '$lib/server/voting/public-results';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const id = idSchema.safeParse(event.params.id);
	const result = id.success ? await readPublicFor(event, (sql) => publishedResult(sql, id.data)) : null;
	if (!result?.tally) error(404, m.error_results_not_published());
	return json({
		votingSession: result.votingSession,
		tally: result.tally,
		candidateTitles: result.candidateTitles,
		auditCheckpoints: result.auditCheckpoints
	});
};
