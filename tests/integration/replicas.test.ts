// Read replicas against a real streaming replica (issue 18): public reads go to the replica, writes
// and a reader's own data to the primary, a reader who has just written sees it everywhere, a
// lagging replica is skipped, a stopped one falls back with no error, and /healthz says so.
// The primary and the replica are started by this file (bench/harness/replication.ts says which
// PostgreSQL programs and why).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { migrate } from '../../src/lib/server/db/migrate';
import { ReplicaSet } from '../../src/lib/server/db/replicas';
import { ensureRuntimeLogin, urlWithCredentials } from '../../src/lib/server/db/runtime-role';
import { createRound } from '../../src/lib/server/residents/selection';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';
import { verifyMobile } from '../helpers/verification';
import { startReplicatedPostgres, suitePrograms, type ReplicatedPostgres } from '../../bench/harness/replication';

const DATABASE = 'piaojue_replicas';
const RUNTIME_ROLE = { user: 'piaojue_replica_test_app', password: randomBytes(18).toString('base64url') };
let pair: ReplicatedPostgres;
let sql: Sql;
/** Reads from the replica as long as it answers (a lag bound of an hour): shows where reads go. */
let patient: RunningApp;
/** The default-like bound of one second: shows a lagging replica skipped. */
let strict: RunningApp;
let roundId: number;
let candidateIds: number[];
let resident: { id: number; username: string };

interface Health {
	status: string;
	replicas?: { replica: number; state: string; lagSeconds: number | null }[];
}

async function health(app: RunningApp): Promise<Health> {
	return (await (await fetch(`${app.baseUrl}/healthz`)).json()) as Health;
}

async function untilReplica(app: RunningApp, state: string, timeoutMs = 20_000): Promise<Health> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const answer = await health(app);
		if (answer.replicas?.[0]?.state === state) return answer;
		if (Date.now() > deadline) throw new Error(`the replica never became ${state}: ${JSON.stringify(answer)}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

async function totalSupports(visitor: Visitor | RunningApp): Promise<number> {
	const path = `/api/selection/${roundId}/results`;
	const response = visitor instanceof Visitor ? await visitor.get(path) : await fetch(`${visitor.baseUrl}${path}`);
	expect(response.status).toBe(200);
	return ((await response.json()) as { totalSupports: number }).totalSupports;
}

async function candidateTitles(app: RunningApp): Promise<string[]> {
	const response = await fetch(`${app.baseUrl}/api/categories`);
	expect(response.status).toBe(200);
	const categories = (await response.json()) as { candidates: { title: string }[] }[];
	return categories.flatMap((category) => category.candidates.map((candidate) => candidate.title));
}

beforeAll(async () => {
	pair = await startReplicatedPostgres(suitePrograms());
	console.log(`replication: ${pair.description}`);
	const admin = createSql(pair.primaryUrl(), { max: 1 });
	await admin.unsafe(`create database ${DATABASE}`);
	await admin.end();
	sql = createSql(pair.primaryUrl(DATABASE), { max: 4 });
	await migrate(sql);
	// The app connects as the runtime role (issue 12), on the primary and on the replica alike: roles
	// are part of what the replica copies.
	await ensureRuntimeLogin(sql, RUNTIME_ROLE);
	const staff = await createUser(sql, ['staff']);
	resident = await createUser(sql, ['resident']);
	await verifyMobile(sql, resident.id); // rounds take phone-verified residents by default
	candidateIds = await createCandidates(sql, 3);
	const created = await createRound(
		sql,
		{
			title: '副本测试评选',
			opensAt: new Date(Date.now() - 3_600_000),
			closesAt: new Date(Date.now() + 86_400_000),
			maxSupports: 2,
			liveRanking: true,
			candidateIds
		},
		staff.id
	);
	if (!created.ok) throw new Error(`round: ${created.problem}`);
	roundId = created.id;
	await pair.caughtUp();
	const primaryUrl = urlWithCredentials(pair.primaryUrl(DATABASE), RUNTIME_ROLE);
	const replicaUrl = urlWithCredentials(pair.replicaUrl(DATABASE), RUNTIME_ROLE);
	[patient, strict] = await Promise.all([
		startApp(primaryUrl, { DATABASE_REPLICA_URL: replicaUrl, DATABASE_REPLICA_MAX_LAG: '3600' }),
		startApp(primaryUrl, { DATABASE_REPLICA_URL: replicaUrl, DATABASE_REPLICA_MAX_LAG: '1' })
	]);
	await Promise.all([untilReplica(patient, 'ok'), untilReplica(strict, 'ok')]);
}, 180_000);

afterAll(async () => {
	await Promise.all([patient?.stop(), strict?.stop()]);
	await sql?.end({ timeout: 5 });
	await pair?.stop();
});

describe('read replicas', () => {
	it('reads public data from the replica, writes to the primary, and shows a reader their own action at once', async () => {
		const replica = pair.replicaAdmin();
		const replicaDatabase = createSql(pair.replicaUrl(DATABASE), { max: 1 });
		try {
			// Replay stops: whatever the primary writes now is not on the replica.
			await replica`select pg_wal_replay_pause()`;
			const citizen = new Visitor(patient.baseUrl);
			expect((await citizen.signIn(resident.username, TEST_PASSWORD)).status).toBe(303);
			const saved = await citizen.post(`/selection/${roundId}`, [['candidate', String(candidateIds[0])]]);
			expect(saved.status).toBe(303);
			expect(saved.headers.get('location')).toBe(`/selection/${roundId}?saved=1`);

			// The write is on the primary only.
			const supportsOf = (database: Sql) =>
				database<
					{ count: number }[]
				>`select count(*)::int as count from selection_support where round_id = ${roundId} and resident_id = ${resident.id}`;
			expect((await supportsOf(sql))[0]?.count).toBe(1);
			expect((await supportsOf(replicaDatabase))[0]?.count).toBe(0);

			// Anyone else reads the public ranking from the replica: not there yet.
			expect(await totalSupports(patient)).toBe(0);
			// The resident who just wrote reads from the primary: their support counts, and their own
			// choice is shown ticked on the round's page.
			expect(await totalSupports(citizen)).toBe(1);
			const page = await (await citizen.get(`/selection/${roundId}`)).text();
			expect(page).toMatch(new RegExp(`<input[^>]*value="${candidateIds[0]}"[^>]*checked`));
			// Their own supports on /me come from the primary too.
			expect(await (await citizen.get('/me')).text()).toContain('副本测试评选');

			await replica`select pg_wal_replay_resume()`;
			await pair.caughtUp();
			expect(await totalSupports(patient)).toBe(1);
		} finally {
			await replica`select pg_wal_replay_resume()`.catch(() => {});
			await replicaDatabase.end();
		}
	});

	it('skips a replica that lags more than the bound, and /healthz says it lags', async () => {
		const replica = pair.replicaAdmin();
		try {
			await replica`select pg_wal_replay_pause()`;
			const [added] = await createCandidates(sql, 1);
			const [{ title } = { title: '' }] = await sql<
				{ title: string }[]
			>`select title from candidate where id = ${added!}`;
			// More than the strict instance's bound of one second.
			await new Promise((resolve) => setTimeout(resolve, 2500));
			const lagging = await untilReplica(strict, 'lagging', 5000);
			expect(lagging.status).toBe('ok');
			expect(lagging.replicas?.[0]?.lagSeconds).toBeGreaterThan(1);
			// The strict instance reads from the primary: the new candidate is listed.
			expect(await candidateTitles(strict)).toContain(title);
			// The patient one still reads from the replica, where it is not yet.
			expect(await candidateTitles(patient)).not.toContain(title);
			expect((await health(patient)).replicas?.[0]?.state).toBe('ok');

			await replica`select pg_wal_replay_resume()`;
			await pair.caughtUp();
			await untilReplica(strict, 'ok');
			expect(await candidateTitles(patient)).toContain(title);
		} finally {
			await replica`select pg_wal_replay_resume()`.catch(() => {});
		}
	});

	it('falls back to the primary with no error when the replica stops, and uses it again once it is back', async () => {
		const before = await candidateTitles(patient);
		await pair.stopReplica();
		// The very next reads, before any check has noticed: all answered, from the primary.
		for (const path of ['/api/categories', '/projects', `/api/selection/${roundId}/results`, '/proposals']) {
			expect((await fetch(`${patient.baseUrl}${path}`)).status, path).toBe(200);
		}
		expect(await candidateTitles(patient)).toEqual(before);
		const down = await untilReplica(patient, 'down');
		expect(down).toMatchObject({ status: 'ok', replicas: [{ replica: 1, state: 'down', lagSeconds: null }] });
		expect((await fetch(`${patient.baseUrl}/healthz`)).status).toBe(200);

		await pair.startReplica();
		await untilReplica(patient, 'ok', 30_000);
		expect(await candidateTitles(patient)).toEqual(before);
		expect(patient.log()).not.toMatch(/\[500\]/);
		expect(patient.log()).not.toContain('WARNING');
	});

	it('refuses a "replica" that is not in recovery (a primary given by mistake)', async () => {
		const primaryPool = createSql(pair.primaryUrl(DATABASE), { max: 1 });
		const replicas = new ReplicaSet([pair.primaryUrl(DATABASE)], () => primaryPool, {
			maxLagSeconds: 5,
			checkIntervalMs: 60_000,
			poolSize: 1
		});
		try {
			await replicas.check();
			expect(replicas.statuses()).toEqual([{ replica: 1, state: 'not_a_replica', lagSeconds: null }]);
			expect(replicas.pick()).toBeNull();
		} finally {
			await replicas.close();
			await primaryPool.end();
		}
	});
});
