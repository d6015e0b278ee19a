import { json } from '@sveltejs/kit';
import { PUBLIC_PROPOSAL_STATUSES } from '$lib/domain/proposals';
import { parseProposalQuery } from '$lib/domain/residents-schemas';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listProposals } from '$lib/server/residents/proposals';
import type { RequestHandler } from './$types';

/** The public proposals list as open data: the same filters as /proposals (q, category, district, status, campaign, page). */
export const GET: RequestHandler = async (event) => {
	const query = parseProposalQuery(event.url.searchParams, PUBLIC_PROPOSAL_STATUSES);
	const result = await readPublicFor(event, (sql) => listProposals(sql, query, 'public'));
	return json({
		total: result.total,
		page: result.page,
		pageCount: result.pageCount,
		pageSize: result.pageSize,
		categoryCounts: result.categoryCounts,
		proposals: result.proposals.map((proposal) => ({
			id: proposal.id,
			status: proposal.status,
			title: proposal.title,
			categoryId: proposal.categoryId,
			category: proposal.categoryName,
			district: proposal.district,
			submittedAt: proposal.submittedAt,
			decisionReason: proposal.decisionReason,
			mergedIntoCandidateId: proposal.mergedIntoCandidateId
		}))
	});
};
