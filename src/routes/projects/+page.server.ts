import { readPublicFor } from '$lib/server/db/read-routing';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const categories = await readPublicFor(event, (sql) => listCategoriesWithCandidates(sql));
	const { url } = event;
	const selected = Number(url.searchParams.get('category'));
	const selectedCategoryId = categories.some((category) => category.id === selected) ? selected : null;
	return { categories, selectedCategoryId };
};
