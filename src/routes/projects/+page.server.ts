import { readPublicFor } from '$lib/server/db/read-routing';
import { listCandidateYears, listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { url } = event;
	// Each year has its own candidate list; the newest is shown unless ?year= picks another. Public
	// reads: a replica may serve them.
	const { years, year, categories } = await readPublicFor(event, async (sql) => {
		const years = await listCandidateYears(sql);
		const asked = Number(url.searchParams.get('year'));
		const year = years.find((entry) => entry.year === asked)?.year ?? years[0]?.year ?? null;
		const categories = year === null ? [] : await listCategoriesWithCandidates(sql, { year });
		return { years, year, categories };
	});
	const selected = Number(url.searchParams.get('category'));
	const selectedCategoryId = categories.some((category) => category.id === selected) ? selected : null;
	return { categories, selectedCategoryId, years, year };
};
