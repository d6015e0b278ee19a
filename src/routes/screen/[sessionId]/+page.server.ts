import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { screenView } from '$lib/server/live/screen';
import type { PageServerLoad } from './$types';

/** `?theme=dark` for a dark background; light otherwise. */
const themeSchema = z.enum(['light', 'dark']).catch('light');

export const load: PageServerLoad = async ({ params, url }) => {
	const id = idSchema.safeParse(params.sessionId);
	const view = id.success ? await screenView(db(), id.data) : null;
	if (!view) error(404, m.error_session_not_found());
	return { ...view, theme: themeSchema.parse(url.searchParams.get('theme') ?? undefined) };
};
