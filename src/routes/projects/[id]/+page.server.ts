import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { getCandidate } from '$lib/server/catalog/catalog';
import { listCandidateProvenance } from '$lib/server/residents/proposals';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const id = idSchema.safeParse(params.id);
	const candidate = id.success ? await getCandidate(db(), id.data) : null;
	if (!candidate) error(404, m.error_candidate_not_found());
	return { candidate, provenance: await listCandidateProvenance(db(), candidate.id) };
};
