// The live turnout of a session as server-sent events, for the projector and the staff page.
// Public: it carries turnout only, never a count of any candidate.
import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { appTurnoutListener, readAppTurnout } from '$lib/server/live/app';
import { openTurnoutStream, TURNOUT_STREAM_HEADERS } from '$lib/server/live/stream';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, request }) => {
	const id = idSchema.safeParse(params.sessionId);
	if (!id.success) error(404, m.error_session_not_found());
	let stream: ReadableStream<Uint8Array> | null;
	try {
		stream = await openTurnoutStream(appTurnoutListener(), id.data, {
			readSnapshot: readAppTurnout,
			signal: request.signal
		});
	} catch {
		// The database cannot be reached: the browser tries again after its retry delay.
		error(503, m.error_unexpected());
	}
	if (!stream) error(404, m.error_session_not_found());
	return new Response(stream, { headers: TURNOUT_STREAM_HEADERS });
};
