import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { publishedResult } from '$lib/server/voting/public-results';
import { roundsSummary } from '$lib/server/voting/follow-up';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const id = idSchema.safeParse(event.params.id);
	const result = id.success
		? await readPublicFor(event, async (sql) => {
				const published = await publishedResult(sql, id.data);
				return published && { ...published, rounds: await roundsSummary(sql, published.votingSession.id) };
			})
		: null;
	if (!result?.tally) error(404, m.error_results_not_published());
	return json({
		votingSession: result.votingSession,
		tally: result.tally,
		candidateTitles: result.candidateTitles,
		auditCheckpoints: result.auditCheckpoints,
		// Where there were further votes: every round and the final list of chosen projects (null for one round).
		rounds: result.rounds
	});
};
