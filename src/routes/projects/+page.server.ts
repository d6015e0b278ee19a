import { db } from '$lib/server/db';
import { listCandidateYears, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	// Each year has its own candidate list; the newest is shown unless ?year= picks another.
	const years = await listCandidateYears(db());
	const asked = Number(url.searchParams.get('year'));
	const year = years.find((entry) => entry.year === asked)?.year ?? years[0]?.year ?? null;
	const categories = year === null ? [] : await listCategoriesWithCandidates(db(), { year });
	const selected = Number(url.searchParams.get('category'));
	const selectedCategoryId = categories.some((category) => category.id === selected) ? selected : null;
	return { categories, selectedCategoryId, years, year };
};
