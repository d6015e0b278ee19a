import { json } from '@sveltejs/kit';
import { seesDrafts } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { listVotingSessions } from '$lib/server/voting/sessions';
import type { RequestHandler } from './$types';

// Drafts (and their rules) are staff's until they open.
export const GET: RequestHandler = async ({ locals }) =>
	json(await listVotingSessions(db(), { drafts: seesDrafts(locals) }));
