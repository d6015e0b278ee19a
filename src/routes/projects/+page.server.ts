import { db } from '$lib/server/db';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const categories = await listCategoriesWithCandidates(db());
	const selected = Number(url.searchParams.get('category'));
	const selectedCategoryId = categories.some((category) => category.id === selected) ? selected : null;
	return { categories, selectedCategoryId };
};
