import { requireUser } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { getResidentProfile } from '$lib/server/residents/accounts';
import { listAuthorProposals } from '$lib/server/residents/proposals';
import { listResidentSupports } from '$lib/server/residents/selection';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	const [proposals, supports, profile] = await Promise.all([
		listAuthorProposals(db(), user.id),
		listResidentSupports(db(), user.id),
		getResidentProfile(db(), user.id)
	]);
	return { proposals, supports, profile, deleted: url.searchParams.has('deleted') };
};
