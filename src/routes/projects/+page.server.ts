import { z } from 'zod';
import { CANDIDATE_OUTCOMES } from '$lib/domain/candidate-outcome';
import { seesDrafts } from '$lib/server/auth/guard';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listCandidateYears, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { keepPublicPage } from '$lib/server/cache/public-pages';
import { candidateFates, listYearVotes, type CandidateFate } from '$lib/server/catalog/outcomes';
import { currentCalendar } from '$lib/server/hall/calendar';
import type { PageServerLoad } from './$types';

/** The list's filters (issue 15): a category, a vote of the year, an outcome; anything else is ignored. */
const filtersSchema = z.object({
	category: z.coerce.number().int().positive().catch(0),
	vote: z.coerce.number().int().positive().catch(0),
	outcome: z.enum(CANDIDATE_OUTCOMES).nullable().catch(null)
});

export const load: PageServerLoad = async (event) => {
	const { url, locals } = event;
	// The same for every anonymous visitor until staff change the catalog or a vote's outcome.
	keepPublicPage(locals);
	const filters = filtersSchema.parse({
		category: url.searchParams.get('category') ?? 0,
		vote: url.searchParams.get('vote') ?? 0,
		outcome: url.searchParams.get('outcome') || null
	});
	// Each year has its own candidate list; the newest is shown unless ?year= picks another. Public
	// reads: a replica may serve them.
	const { years, year, categories, votes, fates, calendar } = await readPublicFor(event, async (sql) => {
		const years = await listCandidateYears(sql);
		const asked = Number(url.searchParams.get('year'));
		const year = years.find((entry) => entry.year === asked)?.year ?? years[0]?.year ?? null;
		const categories = year === null ? [] : await listCategoriesWithCandidates(sql, { year });
		const votes = year === null ? [] : await listYearVotes(sql, year, seesDrafts(locals));
		const fates = year === null ? new Map<number, CandidateFate>() : await candidateFates(sql, year, votes);
		// No candidate list yet: the page says when one comes (issue 15).
		const calendar = year === null ? await currentCalendar(sql) : null;
		return { years, year, categories, votes, fates, calendar };
	});
	const selectedCategoryId = categories.some((category) => category.id === filters.category) ? filters.category : null;
	return {
		categories,
		selectedCategoryId,
		selectedVoteId: votes.some((vote) => vote.id === filters.vote) ? filters.vote : null,
		selectedOutcome: filters.outcome,
		votes,
		fates: Object.fromEntries(fates),
		years,
		year,
		calendar
	};
};
