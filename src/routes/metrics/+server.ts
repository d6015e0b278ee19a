import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { metricsAnswer } from '$lib/server/observability/metrics-endpoint';
import type { RequestHandler } from './$types';

/** Prometheus metrics, for a scraper holding PIAOJUE_METRICS_TOKEN; 404 while no token is set. */
export const GET: RequestHandler = async ({ request }) => {
	const answer = await metricsAnswer(request.headers.get('authorization'));
	if (answer === 'disabled') error(404, m.error_not_found());
	return answer;
};
