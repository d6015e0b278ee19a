import { PUBLIC_PROPOSAL_STATUSES } from '$lib/domain/proposals';
import { parseProposalQuery } from '$lib/domain/residents-schemas';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listOpenCampaigns } from '$lib/server/residents/campaigns';
import { listProposals } from '$lib/server/residents/proposals';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const query = parseProposalQuery(event.url.searchParams, PUBLIC_PROPOSAL_STATUSES);
	const [result, openCampaigns, calendar] = await readPublicFor(event, async (sql) => {
		const [result, openCampaigns] = await Promise.all([listProposals(sql, query, 'public'), listOpenCampaigns(sql)]);
		// No campaign open: the page says when proposals are collected (issue 15).
		return [result, openCampaigns, openCampaigns.length === 0 ? await currentCalendar(sql) : null] as const;
	});
	return { query, result, openCampaigns, calendar };
};
