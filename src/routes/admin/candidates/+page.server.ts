import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { describeProblem } from '$lib/server/catalog/forms';
import { listCatalogForStaff, moveCandidate, moveCategory } from '$lib/server/catalog/manage';
import { moveFormSchema } from '$lib/server/catalog/schemas';
import { readFormBody } from '$lib/server/form-body';
import { m } from '$lib/paraglide/messages';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** What the previous step did, shown once at the top of the list (after a redirect). */
const doneSchema = z.enum([
	'candidate_created',
	'candidate_saved',
	'candidate_deleted',
	'category_created',
	'category_saved',
	'category_deleted'
]);

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const categories = await listCatalogForStaff(db());
	const done = doneSchema.safeParse(url.searchParams.get('done'));
	const doneId = idSchema.safeParse(url.searchParams.get('id'));
	const doneName = !doneId.success
		? null
		: done.data?.startsWith('category')
			? (categories.find((category) => category.id === doneId.data)?.name ?? null)
			: (categories.flatMap((category) => category.candidates).find((candidate) => candidate.id === doneId.data)
					?.title ?? null);
	return { categories, done: done.success ? done.data : null, doneName };
};

function moveAction(move: typeof moveCandidate) {
	return async ({ locals, url, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = moveFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { message: m.error_not_found() });
		const result = await move(db(), parsed.data.id, parsed.data.direction, staff.id);
		if (!result.ok) return fail(result.error === 'not_found' ? 404 : 409, { message: describeProblem(result).message });
		return { moved: parsed.data.id };
	};
}

export const actions: Actions = {
	moveCandidate: moveAction(moveCandidate),
	moveCategory: moveAction(moveCategory)
};
