import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { announcementCsv, buildAnnouncement } from '$lib/server/voting/announcement';
import type { RequestHandler } from './$types';

/** The announcement's content as JSON or CSV: the same as the printed page, once published. */
export const GET: RequestHandler = async ({ params }) => {
	const id = idSchema.safeParse(params.sessionId);
	const announcement = id.success ? await buildAnnouncement(db(), id.data) : null;
	if (!announcement) error(404, m.error_results_not_published());
	const json = params.format === 'json';
	return new Response(json ? `${JSON.stringify(announcement, null, 2)}\n` : announcementCsv(announcement), {
		headers: {
			'content-type': json ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="piaojue-session-${announcement.votingSessionId}-announcement.${params.format}"`,
			'cache-control': 'no-store'
		}
	});
};
