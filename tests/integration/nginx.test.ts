// The deployment's nginx site (deploy/nginx/piaojue.conf) in front of two app instances, as an
// operator runs it (issue 18): Debian's nginx started by this test with that very file (ports, a
// certificate for 127.0.0.1 and the instances rewritten, bench/harness/nginx-site.ts), then a vote
// through it, the live stream through it without buffering, HTTPS with HTTP/2, the year-long cache
// of built files, the body size of photo uploads, and the client address the rate limits see.
import http2 from 'node:http2';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behindProxyEnvironment } from '../../bench/harness/nginx-site';
import { EXTERNAL_PROGRAMS, findOnPath } from '../../bench/harness/preflight';
import { freePort } from '../../bench/harness/processes';
import { startNginx, type Nginx } from '../../bench/harness/servers';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, type TestSession } from '../helpers/factory';
import { castThroughForm, TurnoutStream, visitorFor } from '../helpers/voting';

const database = useTestDatabase();
let session: TestSession;
let instances: RunningApp[] = [];
let nginx: Nginx;
const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

/** A request from a chosen loopback address (nginx sees it as the client's), certificate not checked. */
function requestFrom(
	localAddress: string,
	path: string,
	options: { method?: string; headers?: Record<string, string>; body?: Buffer; expectContinue?: boolean } = {}
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
	const url = new URL(path, nginx.baseUrl);
	return new Promise((resolve, reject) => {
		const outgoing = https.request(
			{
				host: url.hostname,
				port: url.port,
				path: url.pathname + url.search,
				method: options.method ?? 'GET',
				localAddress,
				rejectUnauthorized: false,
				agent: false,
				headers: {
					...options.headers,
					...(options.body ? { 'content-length': String(options.body.length) } : {}),
					...(options.expectContinue ? { expect: '100-continue' } : {})
				}
			},
			(response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (body += chunk));
				response.on('end', () => {
					resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
					outgoing.destroy();
				});
			}
		);
		outgoing.on('error', reject);
		// With Expect: 100-continue the body goes out only if nginx asks for it (it answers 413 at once otherwise).
		if (options.expectContinue) outgoing.on('continue', () => outgoing.end(options.body));
		else outgoing.end(options.body);
	});
}

beforeAll(async () => {
	for (const { program, install } of EXTERNAL_PROGRAMS)
		if (!findOnPath(program))
			throw new Error(
				`${program} is not installed: ${install} (this test runs Debian's nginx with deploy/nginx/piaojue.conf; .ci/run installs it)`
			);
	// This file's own requests go to nginx's certificate made a moment ago for 127.0.0.1.
	process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
	session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 4 });
	const port = await freePort();
	// The instances' proxy settings come from the deployed environment file (deploy/systemd/piaojue.env).
	const env = { ORIGIN: `https://127.0.0.1:${port}`, ...behindProxyEnvironment() };
	instances = await Promise.all([startApp(database.url, env), startApp(database.url, env)]);
	nginx = await startNginx(
		instances.map((instance) => instance.baseUrl),
		port
	);
}, 120_000);

afterAll(async () => {
	await nginx?.child.stop();
	nginx?.cleanUp();
	await Promise.all(instances.map((instance) => instance.stop()));
	if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
	else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
});

describe('nginx with the deployed site file', () => {
	it('serves HTTPS with HTTP/2, sends plain HTTP to HTTPS, and caches built files for a year', async () => {
		const client = http2.connect(nginx.baseUrl, { rejectUnauthorized: false });
		try {
			const { status, protocol } = await new Promise<{ status: number; protocol: string | undefined }>(
				(resolve, reject) => {
					const stream = client.request({ ':path': '/healthz' });
					stream.on('response', (headers) =>
						resolve({ status: Number(headers[':status']), protocol: client.alpnProtocol })
					);
					stream.on('error', reject);
					stream.resume();
				}
			);
			expect(protocol).toBe('h2');
			expect(status).toBe(200);
		} finally {
			client.close();
		}
		const redirect = await fetch(`${nginx.httpUrl}/projects?x=1`, { redirect: 'manual' });
		expect(redirect.status).toBe(301);
		expect(redirect.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1(:\d+)?\/projects\?x=1$/);

		const page = await (await fetch(`${nginx.baseUrl}/projects`)).text();
		const asset = /\/_app\/immutable\/[^"]+\.js/.exec(page)?.[0];
		expect(asset).toBeDefined();
		const built = await fetch(`${nginx.baseUrl}${asset}`);
		expect(built.status).toBe(200);
		expect(built.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		// Pages themselves are not cached that way.
		const again = await fetch(`${nginx.baseUrl}/projects`);
		expect(again.headers.get('cache-control') ?? '').not.toContain('immutable');
		// Bodies read to the end: nginx logs a request when it is done, and the next test counts the
		// requests each instance served from that log (an unread body left a request open into it).
		await Promise.all([built.arrayBuffer(), again.arrayBuffer()]);
	});

	it('carries votes through the instances and the live stream without buffering, across instances', async () => {
		const hostOf = (instance: RunningApp) => new URL(instance.baseUrl).host;
		const before = nginx.requestsByUpstream();
		const stream = await TurnoutStream.open(nginx.baseUrl, session.id);
		try {
			await stream.next((snapshot) => snapshot.cast === 0);
			for (const [index, delegate] of session.delegates.entries()) {
				const { visitor } = await visitorFor(database.sql, nginx.baseUrl, delegate.id);
				const cast = await castThroughForm(visitor, session.id, [session.candidateIds[index % 4]!]);
				expect(cast.status).toBe(200);
				expect(cast.receiptCode).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{2,4})+$/);
				// Each cast reaches the stream's client at once: a snapshot is a few hundred bytes, which a
				// buffering proxy would hold back.
				await stream.next((snapshot) => snapshot.cast === index + 1, 5000);
			}
		} finally {
			await stream.close();
		}
		const [stored] = await database.sql<
			{ ballots: number }[]
		>`select count(*)::int as ballots from ballot where voting_session_id = ${session.id}`;
		expect(stored?.ballots).toBe(session.delegates.length);
		// From nginx's access log (a stream is logged when it ends): which instance held the stream,
		// which took the casts. least_conn sends new requests away from the instance busy with the
		// stream, so the casts were made on the other instance and reached the stream through
		// PostgreSQL's LISTEN/NOTIFY.
		let after = nginx.requestsByUpstream();
		for (
			let waited = 0;
			waited < 50 && instances.every((i) => (after[`GET ${hostOf(i)}`] ?? 0) === (before[`GET ${hostOf(i)}`] ?? 0));
			waited += 1
		) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			after = nginx.requestsByUpstream();
		}
		const delta = (method: string, instance: RunningApp) =>
			(after[`${method} ${hostOf(instance)}`] ?? 0) - (before[`${method} ${hostOf(instance)}`] ?? 0);
		const streamOn = instances.filter((instance) => delta('GET', instance) === 1);
		expect(streamOn).toHaveLength(1);
		const other = instances.find((instance) => instance !== streamOn[0])!;
		expect(instances.reduce((sum, instance) => sum + delta('POST', instance), 0)).toBe(session.delegates.length);
		expect(delta('POST', other)).toBeGreaterThan(0);
	});

	it('passes the client’s own address to the rate limits, not a forged header nor nginx’s', async () => {
		const someone = await createUser(database.sql, ['resident']);
		const answer = await requestFrom('127.0.0.3', '/login', {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'text/html',
				origin: nginx.baseUrl,
				'x-forwarded-for': '203.0.113.9'
			},
			body: Buffer.from(new URLSearchParams({ username: someone.username, password: 'not the password' }).toString())
		});
		expect(answer.status, nginx.errorLog()).toBe(400);
		const keys = (
			await database.sql<{ key: string }[]>`select key from rate_limit_bucket where key like 'login:address:%'`
		).map((row) => row.key);
		expect(keys).toContain('login:address:127.0.0.3');
		expect(keys).not.toContain('login:address:203.0.113.9');
		expect(keys).not.toContain('login:address:127.0.0.1');
		// nginx gave the request an id, which the app's log line carries.
		const requestId = String(answer.headers['x-request-id']);
		expect(requestId).toMatch(/^[0-9a-f]{32}$/);
		expect(instances.map((instance) => instance.log()).join('\n')).toContain(`"req_id":"${requestId}"`);
	});

	it('lets a photo update’s body through (21 MB) and refuses a larger one at nginx', async () => {
		const form = (bytes: number) => ({
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: nginx.baseUrl },
			body: Buffer.alloc(bytes, 'a'),
			expectContinue: true
		});
		const photos = await requestFrom('127.0.0.1', '/login', form(8 * 1024 * 1024));
		expect(photos.status).not.toBe(413);
		const tooLarge = await requestFrom('127.0.0.1', '/login', form(30 * 1024 * 1024));
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.body).toContain('nginx');
	});

	it('keeps /metrics to the machine itself', async () => {
		expect((await requestFrom('127.0.0.3', '/metrics')).status).toBe(403);
		expect((await new Visitor(nginx.baseUrl).get('/metrics')).status).toBe(404); // no token set: none to serve
	});
});
