// Scenarios 3 and 4: server-rendered pages read under concurrent load, the published result read
// one request at a time, and the JavaScript the ballot page makes a browser load.
import { gunzipSync, gzipSync } from 'node:zlib';
import { keepAliveAgent, request, requestBytes, runFor, runPool, summarize, timed } from '../harness/http';

function expectHtml(response: { status: number; headers: Record<string, unknown>; body: string }): string | null {
	if (response.status !== 200) return `HTTP ${response.status}`;
	if (!String(response.headers['content-type']).startsWith('text/html'))
		return `not HTML: ${String(response.headers['content-type'])}`;
	return null;
}

function expectJson(response: { status: number; headers: Record<string, unknown> }): string | null {
	if (response.status !== 200) return `HTTP ${response.status}`;
	if (!String(response.headers['content-type']).startsWith('application/json'))
		return `not JSON: ${String(response.headers['content-type'])}`;
	return null;
}

/** GETs one page on `concurrency` connections for `durationMs`, as a browser asks for HTML. */
export async function readUnderLoad(baseUrl: string, path: string, durationMs: number, concurrency: number) {
	const agent = keepAliveAgent(concurrency);
	const headers = { accept: 'text/html,application/xhtml+xml', 'accept-language': 'zh-CN,zh;q=0.9' };
	// Warm up (first renders compile templates and fill caches), then measure.
	await runPool(concurrency * 2, concurrency, () =>
		timed(() => request(agent, baseUrl, path, { headers }), expectHtml)
	);
	const { outcomes, wallMs } = await runFor(durationMs, concurrency, () =>
		timed(() => request(agent, baseUrl, path, { headers, timeoutMs: 30_000 }), expectHtml)
	);
	const sample = await request(agent, baseUrl, path, { headers });
	agent.destroy();
	return { summary: summarize(outcomes, wallMs), htmlBytes: Buffer.byteLength(sample.body), html: sample.body };
}

/** One request at a time: the response time of a single reader, without queueing. */
export async function timeSequentially(baseUrl: string, path: string, count: number, kind: 'html' | 'json') {
	const agent = keepAliveAgent(1);
	const judge = kind === 'html' ? expectHtml : expectJson;
	const headers = { accept: kind === 'html' ? 'text/html' : 'application/json' };
	await runPool(5, 1, () => timed(() => request(agent, baseUrl, path, { headers }), judge));
	const { outcomes, wallMs } = await runPool(count, 1, () =>
		timed(() => request(agent, baseUrl, path, { headers, timeoutMs: 30_000 }), judge)
	);
	const sample = await request(agent, baseUrl, path, { headers });
	agent.destroy();
	return { summary: summarize(outcomes, wallMs), bodyBytes: Buffer.byteLength(sample.body), body: sample.body };
}

const STATIC_IMPORT = /(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]*?\bfrom\s*)?["']([^"']+\.js)["']/g;

/**
 * The JavaScript a browser loads for a page: every immutable JS file its HTML references
 * (module preloads and the entry imports), plus anything those import statically. Each file is
 * counted gzipped, as the server sends it to a browser that accepts gzip.
 */
export async function pageJavaScript(baseUrl: string, path: string, cookie: string) {
	const agent = keepAliveAgent(4);
	const page = await request(agent, baseUrl, path, { headers: { accept: 'text/html', cookie } });
	if (page.status !== 200) throw new Error(`${path} answered HTTP ${page.status}`);
	const referenced = new Set(
		[...page.body.matchAll(/_app\/immutable\/[^"'\s)]+?\.js/g)].map((match) => `/${match[0]}`)
	);
	const files = new Map<string, { gzipBytes: number; bytes: number; fromHtml: boolean }>();
	const queue = [...referenced];
	while (queue.length > 0) {
		const file = queue.shift() as string;
		if (files.has(file)) continue;
		const response = await requestBytes(agent, baseUrl, file, { 'accept-encoding': 'gzip' });
		if (response.status !== 200) throw new Error(`${file} answered HTTP ${response.status}`);
		const gzipped = response.encoding === 'gzip';
		const source = gzipped ? gunzipSync(response.bytes) : response.bytes;
		files.set(file, {
			gzipBytes: gzipped ? response.bytes.length : gzipSync(source, { level: 9 }).length,
			bytes: source.length,
			fromHtml: referenced.has(file)
		});
		for (const match of source.toString('utf8').matchAll(STATIC_IMPORT)) {
			const target = new URL(match[1] as string, `http://host${file}`).pathname;
			if (target.startsWith('/_app/immutable/')) queue.push(target);
		}
	}
	agent.destroy();
	const all = [...files.values()];
	return {
		files: all.length,
		referencedByHtml: referenced.size,
		gzipBytes: all.reduce((sum, file) => sum + file.gzipBytes, 0),
		bytes: all.reduce((sum, file) => sum + file.bytes, 0),
		htmlReferencedGzipBytes: all.filter((file) => file.fromHtml).reduce((sum, file) => sum + file.gzipBytes, 0)
	};
}
