import { db } from '$lib/server/db';
import { listRounds } from '$lib/server/residents/selection';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ rounds: await listRounds(db()) });
