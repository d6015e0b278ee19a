import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { publishedResult } from '$lib/server/voting/public-results';
import { roundsSummary } from '$lib/server/voting/follow-up';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const id = idSchema.safeParse(params.sessionId);
	const result = id.success ? await publishedResult(db(), id.data) : null;
	if (!result) error(404, m.error_session_not_found());
	return { ...result, rounds: await roundsSummary(db(), result.votingSession.id) };
};
