import { PUBLIC_PROPOSAL_STATUSES } from '$lib/domain/proposals';
import { parseProposalQuery } from '$lib/domain/residents-schemas';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listOpenCampaigns } from '$lib/server/residents/campaigns';
import { listProposals } from '$lib/server/residents/proposals';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const query = parseProposalQuery(event.url.searchParams, PUBLIC_PROPOSAL_STATUSES);
	const [result, openCampaigns] = await readPublicFor(event, (sql) =>
		Promise.all([listProposals(sql, query, 'public'), listOpenCampaigns(sql)])
	);
	return { query, result, openCampaigns };
};
