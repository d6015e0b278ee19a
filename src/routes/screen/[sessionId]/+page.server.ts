import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { screenView } from '$lib/server/live/screen';
import { projectorPageSeconds } from '$lib/domain/projector';
import type { PageServerLoad } from './$types';

/** `?theme=dark` for a dark background; light otherwise. */
const themeSchema = z.enum(['light', 'dark']).catch('light');

export const load: PageServerLoad = async ({ params, url }) => {
	const id = idSchema.safeParse(params.sessionId);
	const view = id.success ? await screenView(db(), id.data) : null;
	if (!view) error(404, m.error_session_not_found());
	const page = Number(url.searchParams.get('page'));
	return {
		...view,
		theme: themeSchema.parse(url.searchParams.get('theme') ?? undefined),
		// The published ranking pages by itself (issue 15): which page (from 1) and how fast.
		page: Number.isInteger(page) && page >= 1 && page <= 100 ? page : 1,
		pageSeconds: projectorPageSeconds(url.searchParams.get('every'))
	};
};
