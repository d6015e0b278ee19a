import { PUBLIC_PROPOSAL_STATUSES } from '$lib/domain/proposals';
import { parseProposalQuery } from '$lib/domain/residents-schemas';
import { db } from '$lib/server/db';
import { listOpenCampaigns } from '$lib/server/residents/campaigns';
import { listProposals } from '$lib/server/residents/proposals';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const query = parseProposalQuery(url.searchParams, PUBLIC_PROPOSAL_STATUSES);
	const [result, openCampaigns] = await Promise.all([listProposals(db(), query, 'public'), listOpenCampaigns(db())]);
	// No campaign open: the page says when proposals are collected (issue 15).
	return { query, result, openCampaigns, calendar: openCampaigns.length === 0 ? await currentCalendar(db()) : null };
};
