import { error, json } from '@sveltejs/kit';
import { formatCsv } from '$lib/domain/csv';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { visibleRoundResults } from '$lib/server/residents/selection';
import type { RequestHandler } from './$types';

/**
 * A round's ranking, when it may be seen: live during the round if the round says so, always
 * after closing; 404 otherwise. `?format=csv` gives a CSV (UTF-8 with BOM) instead of JSON.
 */
export const GET: RequestHandler = async (event) => {
	const { params, url } = event;
	const id = idSchema.safeParse(params.roundId);
	const results = id.success ? await readPublicFor(event, (sql) => visibleRoundResults(sql, id.data)) : null;
	if (!results) error(404, m.residents_results_not_visible());
	const { round } = results;
	if (url.searchParams.get('format') === 'csv') {
		const rows = [
			[
				m.tally_rank(),
				m.tally_candidate(),
				m.candidate_category(),
				m.residents_supports(),
				m.verification_excluded_column()
			],
			...results.ranking.map((row) => [row.rank, row.title, row.categoryName, row.supports, row.excluded])
		];
		return new Response(formatCsv(rows, { bom: true, escapeFormulas: true }), {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="selection-${round.id}-results.csv"`
			}
		});
	}
	return json({
		round: {
			id: round.id,
			title: round.title,
			opensAt: round.opensAt,
			closesAt: round.closesAt,
			maxSupports: round.maxSupports,
			liveRanking: round.liveRanking,
			eligibility: round.eligibility,
			phase: round.phase,
			resultsFinalAt: round.resultsFinalAt
		},
		// Kept supports (the ranking's basis); excluded ones are stored but judged irregular by staff.
		totalSupports: results.totalSupports,
		totalExcluded: results.totalExcluded,
		ranking: results.ranking.map((row) => ({
			rank: row.rank,
			candidateId: row.candidateId,
			title: row.title,
			category: row.categoryName,
			supports: row.supports,
			excluded: row.excluded
		}))
	});
};
