import { db } from '$lib/server/db';
import { listYears, yearChain } from '$lib/server/delivery/years';
import { currentVotingSession } from '$lib/server/voting/overview';
import { listVotingSessions } from '$lib/server/voting/sessions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const years = await listYears(db());
	return {
		current: await currentVotingSession(db()),
		sessions: await listVotingSessions(db()),
		years,
		// Where the newest year stands in the chain 征集 → 网上评选 → 票决 → 实施 → 测评.
		chain: years[0] === undefined ? null : await yearChain(db(), years[0])
	};
};
