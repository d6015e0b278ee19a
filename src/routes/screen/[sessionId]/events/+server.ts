// The live turnout of a session as server-sent events, for the projector and the staff page.
// Public: it carries turnout only, never a count of any candidate.
import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { appTurnoutListener, readAppTurnout } from '$lib/server/live/app';
import { admitTurnoutStream, openTurnoutStream, TURNOUT_STREAM_HEADERS } from '$lib/server/live/stream';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, request, getClientAddress, setHeaders }) => {
	const id = idSchema.safeParse(params.sessionId);
	if (!id.success) error(404, m.error_session_not_found());
	// One client may hold only so many streams, an instance only so many in all (stream.ts).
	const admission = admitTurnoutStream(getClientAddress());
	if (!admission.ok) {
		setHeaders({ 'retry-after': '30' });
		error(429, admission.limit === 'address' ? m.trust_streams_per_address() : m.trust_streams_per_instance());
	}
	let stream: ReadableStream<Uint8Array> | null;
	try {
		stream = await openTurnoutStream(appTurnoutListener(), id.data, {
			readSnapshot: readAppTurnout,
			signal: request.signal,
			onEnd: admission.release
		});
	} catch {
		admission.release();
		// The database cannot be reached: the browser tries again after its retry delay.
		error(503, m.error_unexpected());
	}
	if (!stream) {
		admission.release();
		error(404, m.error_session_not_found());
	}
	return new Response(stream, { headers: TURNOUT_STREAM_HEADERS });
};
