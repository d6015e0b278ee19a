import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { publishedResult } from '$lib/server/voting/public-results';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params }) => {
	const id = idSchema.safeParse(params.id);
	const result = id.success ? await publishedResult(db(), id.data) : null;
	if (!result?.tally) error(404, m.error_results_not_published());
	return json({
		votingSession: result.votingSession,
		tally: result.tally,
		candidateTitles: result.candidateTitles,
		auditCheckpoints: result.auditCheckpoints
	});
};
