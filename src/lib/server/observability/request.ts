// Every request: an id (logged, and sent back as X-Request-Id so an operator can find a user's
// report in the log), one access-log line and its duration in the metrics, all by route id.
import type { Handle, RequestEvent } from '@sveltejs/kit';
import { log, requestIdFrom } from './log';
import { recordRequest } from './metrics';

/** The route's id (/vote/[sessionId]): never the path, whose ids and query may say too much. */
export function routeOf(event: Pick<RequestEvent, 'route'>): string {
	return event.route.id ?? 'unmatched';
}

export const observeRequests: Handle = async ({ event, resolve }) => {
	const startedAt = performance.now();
	event.locals.requestId = requestIdFrom(event.request.headers.get('x-request-id'));
	let status = 500;
	try {
		const response = await resolve(event);
		status = response.status;
		response.headers.set('x-request-id', event.locals.requestId);
		return response;
	} finally {
		const seconds = (performance.now() - startedAt) / 1000;
		const route = routeOf(event);
		recordRequest(event.request.method, route, status, seconds);
		log.info(
			{
				req_id: event.locals.requestId,
				method: event.request.method,
				route,
				status,
				ms: Math.round(seconds * 10_000) / 10
			},
			'request'
		);
	}
};
