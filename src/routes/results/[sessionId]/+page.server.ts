import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { publishedResult } from '$lib/server/voting/public-results';
import { keepPublicPage } from '$lib/server/cache/public-pages';
import { roundsSummary } from '$lib/server/voting/follow-up';
import { deliveryPagesOfSession } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const id = idSchema.safeParse(event.params.sessionId);
	const result = id.success
		? await readPublicFor(event, async (sql) => {
				const published = await publishedResult(sql, id.data);
				// Where there were further votes: every round and the final list of chosen projects.
				if (!published) return null;
				return {
					...published,
					rounds: await roundsSummary(sql, published.votingSession.id),
					// Each chosen project links to its delivery page once it is being tracked (issue 15).
					deliveryPages: published.tally ? await deliveryPagesOfSession(sql, published.votingSession.id) : {}
				};
			})
		: null;
	if (!result) error(404, m.error_session_not_found());
	if (result.tally) keepPublicPage(event.locals); // published: fixed from now on (no live counts)
	return result;
};
