// What an operator watches (issue 18): /metrics in Prometheus's format behind a bearer token, with
// request latency by route, casts and supports by outcome and refusal, live-stream clients, pool
// waits, public reads by target; nothing personal or about any ballot in a label. And the JSON log:
// one line per request with its id, which the answer carries in X-Request-Id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRound } from '../../src/lib/server/residents/selection';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { verifyMobile } from '../helpers/verification';
import { castThroughForm, TurnoutStream, visitorFor } from '../helpers/voting';

const TOKEN = 'metrics-token-of-the-observability-test';
const database = useTestDatabase();
let app: RunningApp;
let session: TestSession;
let receiptCode = '';
let resident: { id: number; username: string };
let roundId: number;
let roundCandidates: number[];

async function metrics(authorization?: string): Promise<Response> {
	return fetch(`${app.baseUrl}/metrics`, authorization ? { headers: { authorization } } : {});
}

/** Every `name{labels} value` line of an exposition. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
	return text
		.split('\n')
		.filter((line) => line && !line.startsWith('#'))
		.map((line) => {
			const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
			if (!match) throw new Error(`not a sample line: ${line}`);
			const labels = Object.fromEntries(
				[...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!])
			);
			return { name: match[1]!, labels, value: Number(match[3]) };
		});
}

beforeAll(async () => {
	// Ids far from any count, bucket or port, so that one found in the metrics is certainly that id.
	await database.ownerSql`alter table app_user alter column id restart with 810000001`;
	await database.ownerSql`alter table candidate alter column id restart with 730000001`;
	session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 2 });
	const staff = await createUser(database.sql, ['staff']);
	resident = await createUser(database.sql, ['resident']);
	await verifyMobile(database.sql, resident.id); // rounds take phone-verified residents by default
	roundCandidates = await createCandidates(database.sql, 3);
	const round = await createRound(
		database.sql,
		{
			title: '指标测试评选',
			opensAt: new Date(Date.now() - 3_600_000),
			closesAt: new Date(Date.now() + 86_400_000),
			maxSupports: 1,
			liveRanking: true,
			candidateIds: roundCandidates
		},
		staff.id
	);
	if (!round.ok) throw new Error(round.problem);
	roundId = round.id;
	app = await startApp(database.url, { PIAOJUE_METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
	await app?.stop();
});

describe('/metrics', () => {
	it('answers only the bearer of the token', async () => {
		expect((await metrics()).status).toBe(401);
		expect((await metrics(`Bearer ${TOKEN}x`)).status).toBe(401);
		expect((await metrics(TOKEN)).status).toBe(401);
		const answer = await metrics(`Bearer ${TOKEN}`);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toContain('text/plain; version=0.0.4');
	});

	it('counts casts and supports by outcome and refusal, requests by route, live clients, reads and pool waits', async () => {
		const { visitor } = await visitorFor(database.sql, app.baseUrl, session.delegates[0]!.id);
		const stream = await TurnoutStream.open(app.baseUrl, session.id);
		const first = await castThroughForm(visitor, session.id, [session.candidateIds[0]!]);
		expect(first.status).toBe(200);
		receiptCode = first.receiptCode ?? '';
		expect((await castThroughForm(visitor, session.id, [session.candidateIds[1]!])).status).toBe(409);
		const citizen = new Visitor(app.baseUrl);
		expect((await citizen.signIn(resident.username, TEST_PASSWORD)).status).toBe(303);
		expect((await citizen.post(`/selection/${roundId}`, [['candidate', String(roundCandidates[0])]])).status).toBe(303);
		expect(
			(
				await citizen.post(`/selection/${roundId}`, [
					['candidate', String(roundCandidates[0])],
					['candidate', String(roundCandidates[1])]
				])
			).status
		).toBe(400);
		expect((await fetch(`${app.baseUrl}/api/categories`)).status).toBe(200);

		const text = await (await metrics(`Bearer ${TOKEN}`)).text();
		await stream.close();
		const all = samples(text);
		const value = (name: string, labels: Record<string, string> = {}) =>
			all.find(
				(sample) =>
					sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted)
			)?.value;
		expect(value('piaojue_casts_total', { outcome: 'acknowledged' })).toBe(1);
		expect(value('piaojue_casts_total', { outcome: 'refused', reason: 'already_voted' })).toBe(1);
		expect(value('piaojue_supports_total', { outcome: 'acknowledged' })).toBe(1);
		expect(value('piaojue_supports_total', { outcome: 'refused', reason: 'over_limit' })).toBe(1);
		expect(value('piaojue_live_stream_clients')).toBe(1);
		expect(
			value('piaojue_http_request_duration_seconds_count', {
				method: 'POST',
				route: '/vote/[sessionId]',
				status: '200'
			})
		).toBe(1);
		expect(
			value('piaojue_http_request_duration_seconds_count', {
				method: 'POST',
				route: '/vote/[sessionId]',
				status: '409'
			})
		).toBe(1);
		expect(value('piaojue_public_reads_total', { target: 'primary' })).toBeGreaterThanOrEqual(1);
		expect(value('piaojue_db_pool_wait_seconds_count')).toBeGreaterThanOrEqual(0);
		expect(value('piaojue_database_errors_total')).toBeUndefined(); // none happened, no series yet
		expect(value('piaojue_process_cpu_seconds_total')).toBeGreaterThan(0);

		// No label names a person, a session id, a candidate or a code: routes by id, outcomes and codes only.
		const people = [resident.username, ...session.delegates.map((delegate) => delegate.username)];
		for (const secret of [
			...people,
			receiptCode,
			TEST_PASSWORD,
			String(resident.id),
			...session.delegates.map((delegate) => String(delegate.id)),
			...session.candidateIds.map(String),
			...roundCandidates.map(String)
		])
			expect(text.includes(secret), `metrics hold ${secret}`).toBe(false);
		for (const sample of all.filter((sample) => sample.labels.route !== undefined))
			expect(sample.labels.route).toMatch(/^(\/[\w\-.[\]=]*)+$|^unmatched$/);
		const reasons = new Set(all.filter((sample) => sample.labels.reason !== undefined).map((s) => s.labels.reason));
		for (const reason of reasons) expect(reason).toMatch(/^[a-z_]*$/);
	});
});

describe('the JSON log', () => {
	it('has one line per request with its id, which the answer carries', async () => {
		const answer = await fetch(`${app.baseUrl}/projects`);
		const requestId = answer.headers.get('x-request-id');
		expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
		const forwarded = await fetch(`${app.baseUrl}/projects`, { headers: { 'x-request-id': 'nginx-0123456789abcdef' } });
		expect(forwarded.headers.get('x-request-id')).toBe('nginx-0123456789abcdef');
		// Not an id: replaced by a new one.
		const odd = await fetch(`${app.baseUrl}/projects`, { headers: { 'x-request-id': '<script>' } });
		expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
		await new Promise((resolve) => setTimeout(resolve, 200));
		const entries = app
			.log()
			.split('\n')
			.filter((line) => line.startsWith('{'))
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		const mine = entries.find((entry) => entry.req_id === requestId);
		expect(mine).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/projects', status: 200 });
		expect(typeof mine?.time).toBe('string');
		expect(typeof mine?.ms).toBe('number');
		expect(entries.some((entry) => entry.req_id === 'nginx-0123456789abcdef')).toBe(true);
		// The casts are logged by route, without the session's id, the form or any code.
		const casts = entries.filter((entry) => entry.route === '/vote/[sessionId]' && entry.method === 'POST');
		expect(casts.map((entry) => entry.status).sort()).toEqual([200, 409]);
		expect(app.log()).not.toContain(receiptCode);
	});
});
