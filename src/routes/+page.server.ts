import { db } from '$lib/server/db';
import { currentVotingSession } from '$lib/server/voting/overview';
import { listVotingSessions } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({
	current: await currentVotingSession(db()),
	sessions: await listVotingSessions(db())
});
