import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { publishedResult } from '$lib/server/voting/public-results';
import { deliveryPagesOfSession } from '$lib/server/delivery/projects';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const id = idSchema.safeParse(params.sessionId);
	const result = id.success ? await publishedResult(db(), id.data) : null;
	if (!result) error(404, m.error_session_not_found());
	// Each chosen project links to its delivery page once it is being tracked (issue 15).
	return { ...result, deliveryPages: result.tally ? await deliveryPagesOfSession(db(), result.votingSession.id) : {} };
};
