import { json } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { listVotingSessions } from '$lib/server/voting/sessions';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => json(await listVotingSessions(db()));
