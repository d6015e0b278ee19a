import { z } from 'zod';
import { CANDIDATE_OUTCOMES } from '$lib/domain/candidate-outcome';
import { db } from '$lib/server/db';
import { seesDrafts } from '$lib/server/auth/guard';
import { listCandidateYears, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { candidateFates, listYearVotes, type CandidateFate } from '$lib/server/catalog/outcomes';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

/** The list's filters (issue 15): a category, a vote of the year, an outcome; anything else is ignored. */
const filtersSchema = z.object({
	category: z.coerce.number().int().positive().catch(0),
	vote: z.coerce.number().int().positive().catch(0),
	outcome: z.enum(CANDIDATE_OUTCOMES).nullable().catch(null)
});

export const load: PageServerLoad = async ({ url, locals }) => {
	// Each year has its own candidate list; the newest is shown unless ?year= picks another.
	const years = await listCandidateYears(db());
	const asked = Number(url.searchParams.get('year'));
	const year = years.find((entry) => entry.year === asked)?.year ?? years[0]?.year ?? null;
	const categories = year === null ? [] : await listCategoriesWithCandidates(db(), { year });
	const filters = filtersSchema.parse({
		category: url.searchParams.get('category') ?? 0,
		vote: url.searchParams.get('vote') ?? 0,
		outcome: url.searchParams.get('outcome') || null
	});
	const selectedCategoryId = categories.some((category) => category.id === filters.category) ? filters.category : null;
	const votes = year === null ? [] : await listYearVotes(db(), year, seesDrafts(locals));
	const fates = year === null ? new Map<number, CandidateFate>() : await candidateFates(db(), year, votes);
	return {
		categories,
		selectedCategoryId,
		selectedVoteId: votes.some((vote) => vote.id === filters.vote) ? filters.vote : null,
		selectedOutcome: filters.outcome,
		votes,
		fates: Object.fromEntries(fates),
		years,
		year,
		// No candidate list yet: the page says when one comes (issue 15).
		calendar: year === null ? await currentCalendar(db()) : null
	};
};
