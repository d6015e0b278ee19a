import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { getCandidate } from '$lib/server/catalog/catalog';
import { listCandidateProvenance } from '$lib/server/residents/proposals';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const id = idSchema.safeParse(event.params.id);
	return readPublicFor(event, async (sql) => {
		const candidate = id.success ? await getCandidate(sql, id.data) : null;
		if (!candidate) error(404, m.error_candidate_not_found());
		return { candidate, provenance: await listCandidateProvenance(sql, candidate.id) };
	});
};
