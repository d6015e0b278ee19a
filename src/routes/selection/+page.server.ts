import { readPublicFor } from '$lib/server/db/read-routing';
import { listRounds } from '$lib/server/residents/selection';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ rounds: await readPublicFor(event, (sql) => listRounds(sql)) });
