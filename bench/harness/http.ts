// HTTP for the benchmark: node:http with keep-alive agents, requests timed with performance.now(),
// a bounded pool of workers, and the latency summary every scenario reports.
import { errorMessage } from '../../src/lib/error-message';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface TimedResponse {
	status: number;
	body: string;
	headers: http.IncomingHttpHeaders;
	/** performance.now() when the request was sent and when its last byte arrived. */
	startedAt: number;
	endedAt: number;
}

export interface RequestOptions {
	method?: 'GET' | 'POST';
	headers?: Record<string, string>;
	body?: string;
	/** Gives up after this many milliseconds (the request counts as an error). */
	timeoutMs?: number;
}

/** Keep-alive agents (plain HTTP to an instance, HTTPS to nginx) that open at most `maxSockets` connections to one host. */
export interface ClientAgent {
	http: http.Agent;
	https: https.Agent;
	destroy(): void;
}

export function keepAliveAgent(maxSockets: number): ClientAgent {
	const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' as const };
	// nginx in front uses a certificate the run made for 127.0.0.1 a moment ago: not checked.
	const plain = new http.Agent(options);
	const secure = new https.Agent({ ...options, rejectUnauthorized: false });
	return {
		http: plain,
		https: secure,
		destroy: () => {
			plain.destroy();
			secure.destroy();
		}
	};
}

/** http.request or https.request with the matching agent, by the URL's scheme. */
function transport(base: URL, agent: ClientAgent) {
	return base.protocol === 'https:'
		? { request: https.request, get: https.get, agent: agent.https }
		: { request: http.request, get: http.get, agent: agent.http };
}

/** Only the loopback address is ever a target. */
export function assertLoopback(baseUrl: string): URL {
	const url = new URL(baseUrl);
	if (url.hostname !== '127.0.0.1') throw new Error(`the benchmark targets only 127.0.0.1, not ${url.hostname}`);
	return url;
}

export function request(
	agent: ClientAgent,
	baseUrl: string,
	path: string,
	options: RequestOptions = {}
): Promise<TimedResponse> {
	const base = assertLoopback(baseUrl);
	const body = options.body === undefined ? undefined : Buffer.from(options.body);
	return new Promise((resolve, reject) => {
		const startedAt = performance.now();
		const client = transport(base, agent);
		const outgoing = client.request(
			{
				host: base.hostname,
				port: base.port,
				path,
				method: options.method ?? 'GET',
				agent: client.agent,
				headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers }
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						body: Buffer.concat(chunks).toString('utf8'),
						headers: response.headers,
						startedAt,
						endedAt: performance.now()
					})
				);
				response.on('error', reject);
			}
		);
		outgoing.on('error', reject);
		if (options.timeoutMs)
			outgoing.setTimeout(options.timeoutMs, () =>
				outgoing.destroy(new Error(`timed out after ${options.timeoutMs} ms`))
			);
		outgoing.end(body);
	});
}

/** The raw bytes of a response as sent (for static files whose transferred size is measured). */
export function requestBytes(
	agent: ClientAgent,
	baseUrl: string,
	path: string,
	headers: Record<string, string> = {}
): Promise<{ status: number; bytes: Buffer; encoding: string | undefined }> {
	const base = assertLoopback(baseUrl);
	const client = transport(base, agent);
	return new Promise((resolve, reject) => {
		client
			.get({ host: base.hostname, port: base.port, path, agent: client.agent, headers }, (response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						bytes: Buffer.concat(chunks),
						encoding: response.headers['content-encoding']
					})
				);
				response.on('error', reject);
			})
			.on('error', reject);
	});
}

export interface Outcome {
	ok: boolean;
	latencyMs: number;
	/** performance.now() of the acknowledgement (the response's last byte). */
	endedAt: number;
	detail?: string;
}

/**
 * Runs `count` jobs with at most `concurrency` in flight; every job is prepared by the caller, so
 * the first `concurrency` requests leave at the same moment.
 */
export async function runPool(
	count: number,
	concurrency: number,
	job: (index: number) => Promise<Outcome>
): Promise<{ outcomes: Outcome[]; wallMs: number }> {
	const outcomes: Outcome[] = new Array(count);
	let next = 0;
	const startedAt = performance.now();
	const worker = async () => {
		for (;;) {
			const index = next;
			next += 1;
			if (index >= count) return;
			outcomes[index] = await job(index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	return { outcomes, wallMs: performance.now() - startedAt };
}

/** Repeats `job` on `concurrency` workers until `durationMs` has passed. */
export async function runFor(
	durationMs: number,
	concurrency: number,
	job: () => Promise<Outcome>
): Promise<{ outcomes: Outcome[]; wallMs: number }> {
	const outcomes: Outcome[] = [];
	const startedAt = performance.now();
	const deadline = startedAt + durationMs;
	const worker = async () => {
		while (performance.now() < deadline) outcomes.push(await job());
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { outcomes, wallMs: performance.now() - startedAt };
}

/** Times a request and judges it; a thrown error (refused, reset, timed out) is an error outcome. */
export async function timed(
	send: () => Promise<TimedResponse>,
	judge: (response: TimedResponse) => string | null
): Promise<Outcome> {
	const startedAt = performance.now();
	try {
		const response = await send();
		const problem = judge(response);
		return {
			ok: problem === null,
			latencyMs: response.endedAt - response.startedAt,
			endedAt: response.endedAt,
			...(problem ? { detail: problem } : {})
		};
	} catch (error) {
		const endedAt = performance.now();
		return { ok: false, latencyMs: endedAt - startedAt, endedAt, detail: errorMessage(error) };
	}
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil(fraction * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function round(value: number, digits = 1): number {
	if (!Number.isFinite(value)) return value;
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

export interface LatencySummary {
	requests: number;
	errors: number;
	throughputPerSecond: number;
	p50Ms: number;
	p95Ms: number;
	p99Ms: number;
	maxMs: number;
}

/** Throughput counts acknowledged (successful) requests over the wall time; percentiles cover every request. */
export function summarize(outcomes: Outcome[], wallMs: number): LatencySummary & { errorSamples: string[] } {
	const latencies = Float64Array.from(outcomes.map((outcome) => outcome.latencyMs)).sort();
	const failed = outcomes.filter((outcome) => !outcome.ok);
	const samples = [...new Set(failed.map((outcome) => outcome.detail ?? 'error'))].slice(0, 3);
	return {
		requests: outcomes.length,
		errors: failed.length,
		throughputPerSecond: round(((outcomes.length - failed.length) / wallMs) * 1000),
		p50Ms: round(percentile(latencies, 0.5)),
		p95Ms: round(percentile(latencies, 0.95)),
		p99Ms: round(percentile(latencies, 0.99)),
		maxMs: round(latencies.length ? (latencies[latencies.length - 1] as number) : Number.NaN),
		errorSamples: samples
	};
}
