import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { getCandidate } from '$lib/server/catalog/catalog';
import { listCandidateProvenance } from '$lib/server/residents/proposals';
import { keepPublicPage } from '$lib/server/cache/public-pages';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const id = idSchema.safeParse(params.id);
	const candidate = id.success ? await getCandidate(db(), id.data) : null;
	if (!candidate) error(404, m.error_candidate_not_found());
	keepPublicPage(locals); // the same for every anonymous visitor until staff change the catalog
	return { candidate, provenance: await listCandidateProvenance(db(), candidate.id) };
};
