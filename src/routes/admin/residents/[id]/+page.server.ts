import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { residentForStaff } from '$lib/server/residents/irregular-activity';
import type { PageServerLoad } from './$types';

/** One resident as staff see them from the review: masked number, rounds taken part in, recorded context. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const id = idSchema.safeParse(params.id);
	const resident = id.success ? await residentForStaff(db(), id.data) : null;
	if (!resident) error(404, m.error_not_found());
	const round = idSchema.safeParse(url.searchParams.get('round'));
	return { resident, backToRound: round.success ? round.data : null };
};
