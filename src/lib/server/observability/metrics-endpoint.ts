// GET /metrics: the registry in Prometheus's text format, behind `Authorization: Bearer <token>`
// with the token from PIAOJUE_METRICS_TOKEN. Without the variable the endpoint does not exist (404).
import { createHash, timingSafeEqual } from 'node:crypto';
import { registry } from './metrics';

function digest(text: string): Buffer {
	return createHash('sha256').update(text).digest();
}

export async function metricsAnswer(authorization: string | null): Promise<Response | 'disabled'> {
	const token = process.env.PIAOJUE_METRICS_TOKEN;
	if (!token) return 'disabled';
	const offered = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
	// Compared as digests of equal length, in constant time.
	if (!timingSafeEqual(digest(offered), digest(token)))
		return new Response('a bearer token is needed\n', {
			status: 401,
			headers: { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }
		});
	return new Response(await registry.metrics(), {
		headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' }
	});
}
