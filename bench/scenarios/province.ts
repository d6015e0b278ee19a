// Scenario 8 (issue 18): a province-scale public selection on one machine. nginx with the deployed
// site file (HTTPS, HTTP/2) in front of three app instances; a PostgreSQL primary and one streaming
// replica (the embedded package's programs, bench/harness/replication.ts); 100,000 residents
// registered with verified mobile numbers (written in bulk), a share of them signed in to support.
//
// Three phases, measured apart so the CPU each kind of request costs can be read off:
//   a. the ranking page read by anonymous readers only (served from the replica);
//   b. supports only: a resident sends a choice (POST, form without JavaScript) and the browser
//      follows the redirect to the round's page (read from the primary: they have just written);
//   c. both at once for the main duration (5 minutes), readers on more connections than supporters.
// Afterwards, in the database: every acknowledged support is stored exactly as acknowledged, once,
// and the kept tally equals the rows, on the primary and (once caught up) on the replica.
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { randomReadableString } from '../../src/lib/server/auth/password';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { migrate } from '../../src/lib/server/db/migrate';
import { ensureRuntimeLogin, urlWithCredentials } from '../../src/lib/server/db/runtime-role';
import { createRound } from '../../src/lib/server/residents/selection';
import { recordVerifiedMobiles } from '../../src/lib/server/residents/mobile-verification';
import { keepAliveAgent, percentile, request, round, summarize, timed, type Outcome } from '../harness/http';
import { coresPer, describeCores } from '../harness/capacity';
import { CpuMeter, freePort, postgresPids, withChildren } from '../harness/processes';
import { startReplicatedPostgres, type ReplicatedPostgres } from '../harness/replication';
import type { ScenarioResult } from '../harness/report';
import { mb } from '../harness/report';
import { pickCandidates } from '../harness/seed';
import { startApp, startNginx, type AppOptions, type Nginx, type Server } from '../harness/servers';

export interface ProvinceSizes {
	residents: number;
	/** Residents signed in, each supporting once (the pool the supporting workers take from). */
	supporters: number;
	/** Phase c. */
	mixedMs: number;
	/** Phases a and b each. */
	phaseMs: number;
	readConcurrency: number;
	supportConcurrency: number;
}

const INSTANCES = 3;
const CANDIDATES = 34;
const MAX_SUPPORTS = 5;
const METRICS_TOKEN = randomBytes(16).toString('hex');
const DATABASE = 'piaojue_province';

interface Supporter {
	id: number;
	cookie: string;
	choice: number[];
}

/** 100,000 phone-verified residents in bulk; sessions for the supporters, with tokens known here. */
async function seedProvince(sql: Sql, sizes: ProvinceSizes, log: (line: string) => void) {
	const seeding = performance.now();
	const [staff] = await sql<{ id: number }[]>`
		insert into app_user (username, display_name, password_hash) values ('province-staff', '省人大常委会工作人员', null) returning id`;
	await sql`insert into user_role (user_id, role) values (${staff!.id}, 'staff')`;
	const categories = await sql<{ id: number }[]>`
		insert into category (name, position)
		select '民生领域' || n, n from generate_series(1, 12) n returning id`;
	const candidateRows = await sql<{ id: number }[]>`
		insert into candidate (category_id, title, position)
		select (${categories.map((category) => category.id)}::bigint[])[1 + (n - 1) % 12], '省级民生实事候选项目' || n, n
		from generate_series(1, ${CANDIDATES}) n returning id`;
	const candidateIds = candidateRows.map((row) => row.id);
	const created = await createRound(
		sql,
		{
			title: '全省民生实事项目网上评选（压测）',
			opensAt: new Date(Date.now() - 60_000),
			closesAt: new Date(Date.now() + 6 * 3_600_000),
			maxSupports: MAX_SUPPORTS,
			liveRanking: true,
			eligibility: 'phone',
			candidateIds
		},
		staff!.id
	);
	if (!created.ok) throw new Error(`province round: ${created.problem}`);
	const residents = await sql<{ id: number }[]>`
		insert into app_user (username, display_name, password_hash)
		select 'prov-' || lpad(n::text, 6, '0'), '居民' || n, null from generate_series(1, ${sizes.residents}) n
		returning id`;
	await sql`insert into user_role (user_id, role) select id, 'resident' from app_user where username like 'prov-%'`;
	// The round takes phone-verified residents (the default, as a provincial round would): each
	// resident's number is recorded as a right SMS code records it (encrypted, unique keyed hash).
	for (let start = 0; start < residents.length; start += 10_000) {
		const batch = residents.slice(start, start + 10_000);
		await sql.begin((tx) =>
			recordVerifiedMobiles(
				tx,
				batch.map((resident, offset) => ({
					userId: resident.id,
					mobile: `137${String(start + offset).padStart(8, '0')}`
				}))
			)
		);
	}
	const supporters: Supporter[] = [];
	const chosen = residents.slice(0, sizes.supporters);
	for (let start = 0; start < chosen.length; start += 10_000) {
		const batch = chosen.slice(start, start + 10_000).map((resident, offset) => {
			const sessionId = randomReadableString(24);
			const secret = randomReadableString(24);
			const index = start + offset;
			supporters.push({
				id: resident.id,
				cookie: `${SESSION_COOKIE}=${sessionId}.${secret}`,
				choice: pickCandidates(index, 1 + (index % MAX_SUPPORTS), candidateIds).sort((a, b) => a - b)
			});
			return { sessionId, hash: createHash('sha256').update(secret).digest('hex'), userId: resident.id };
		});
		await sql`
			insert into auth_session (id, secret_hash, user_id)
			select id, decode(hash, 'hex'), user_id
			from unnest(${batch.map((row) => row.sessionId)}::text[], ${batch.map((row) => row.hash)}::text[], ${batch.map((row) => row.userId)}::bigint[]) as s(id, hash, user_id)`;
	}
	log(
		`${sizes.residents.toLocaleString('en')} residents, ${supporters.length.toLocaleString('en')} signed in, ${CANDIDATES} candidates written in ${round((performance.now() - seeding) / 1000)} s`
	);
	return { roundId: created.id, candidateIds, supporters, seedMs: performance.now() - seeding };
}

/** Samples the replica's lag once a second until stopped. */
function sampleLag(pair: ReplicatedPostgres) {
	const samples: number[] = [];
	let stopped = false;
	const done = (async () => {
		while (!stopped) {
			const lag = await pair.lagSeconds().catch(() => null);
			if (lag !== null) samples.push(lag);
			await sleep(1000);
		}
	})();
	return {
		stop: async () => {
			stopped = true;
			await done;
			const sorted = Float64Array.from(samples).sort();
			return {
				samples: sorted.length,
				p99Seconds: round(percentile(sorted, 0.99), 3),
				maxSeconds: round(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN, 3)
			};
		}
	};
}

/** Public reads by target (replica or primary), summed over the instances' /metrics. */
async function readsByTarget(apps: Server[]): Promise<Record<string, number>> {
	const totals: Record<string, number> = {};
	for (const app of apps) {
		const text = await (
			await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
		).text();
		for (const match of text.matchAll(/^piaojue_public_reads_total\{target="(\w+)"\} (\d+)/gm))
			totals[match[1]!] = (totals[match[1]!] ?? 0) + Number(match[2]);
	}
	return totals;
}

export async function runProvince(
	appOptions: Pick<AppOptions, 'buildDir' | 'migrationsDir' | 'profileDir'>,
	sizes: ProvinceSizes,
	log: (line: string) => void
): Promise<ScenarioResult[]> {
	log('province: starting a PostgreSQL primary and a streaming replica (embedded programs)');
	const pair = await startReplicatedPostgres('embedded');
	let owner: Sql | null = null;
	const apps: Server[] = [];
	let nginx: Nginx | null = null;
	try {
		const admin = createSql(pair.primaryUrl(), { max: 1 });
		await admin.unsafe(`create database ${DATABASE}`);
		await admin.end();
		owner = createSql(pair.primaryUrl(DATABASE), { max: 10 });
		await migrate(owner, { directory: appOptions.migrationsDir });
		const role = { user: 'piaojue_province_app', password: randomBytes(18).toString('base64url') };
		await ensureRuntimeLogin(owner, role);
		const { roundId, supporters, seedMs } = await seedProvince(owner, sizes, log);
		await pair.caughtUp(120_000);

		const nginxPort = await freePort();
		const origin = `https://127.0.0.1:${nginxPort}`;
		const env = {
			DATABASE_REPLICA_URL: urlWithCredentials(pair.replicaUrl(DATABASE), role),
			PIAOJUE_METRICS_TOKEN: METRICS_TOKEN
		};
		log(`province: ${INSTANCES} app instances (primary + replica) behind nginx`);
		apps.push(
			...(await Promise.all(
				Array.from({ length: INSTANCES }, (_, index) =>
					startApp(`province app ${index + 1}`, {
						...appOptions,
						databaseUrl: urlWithCredentials(pair.primaryUrl(DATABASE), role),
						origin,
						behindProxy: true,
						env
					})
				)
			))
		);
		nginx = await startNginx(
			apps.map((app) => app.baseUrl),
			nginxPort
		);
		// Each instance reads from the replica once its first check found it healthy.
		for (const app of apps) {
			for (let waited = 0; ; waited += 1) {
				const health = (await (await fetch(`${app.baseUrl}/healthz`)).json()) as { replicas?: { state: string }[] };
				if (health.replicas?.[0]?.state === 'ok') break;
				if (waited > 100) throw new Error(`${app.name}: the replica is not healthy: ${JSON.stringify(health)}`);
				await sleep(100);
			}
		}

		const target = nginx.baseUrl;
		const page = `/selection/${roundId}`;
		const readAgent = keepAliveAgent(sizes.readConcurrency);
		const supportAgent = keepAliveAgent(sizes.supportConcurrency);
		const readOnce = () =>
			timed(
				() => request(readAgent, target, page, { headers: { accept: 'text/html' }, timeoutMs: 30_000 }),
				(response) => (response.status === 200 && response.body.includes('<table') ? null : `HTTP ${response.status}`)
			);
		let nextSupporter = 0;
		const acknowledged = new Map<number, number[]>();
		/** One resident's support as a browser without JavaScript sends it: the POST, then the page it is sent to. */
		const supportOnce = async (): Promise<Outcome | null> => {
			const supporter = supporters[nextSupporter];
			if (!supporter) return null;
			nextSupporter += 1;
			const fields = new URLSearchParams(supporter.choice.map((id) => ['candidate', String(id)]));
			const startedAt = performance.now();
			const posted = await timed(
				() =>
					request(supportAgent, target, page, {
						method: 'POST',
						body: fields.toString(),
						headers: {
							'content-type': 'application/x-www-form-urlencoded',
							accept: 'text/html',
							origin,
							cookie: supporter.cookie
						},
						timeoutMs: 30_000
					}),
				(response) =>
					response.status === 303 && response.headers.location === `${page}?saved=1`
						? null
						: `HTTP ${response.status} ${String(response.headers.location ?? '')}`
			);
			if (!posted.ok) return posted;
			acknowledged.set(supporter.id, supporter.choice);
			// The browser follows the redirect; the recent-write cookie sends it to the primary.
			const cookie = `${supporter.cookie}; piaojue_recent_write=1`;
			const shown = await timed(
				() => request(supportAgent, target, `${page}?saved=1`, { headers: { accept: 'text/html', cookie } }),
				(response) => (response.status === 200 ? null : `saved page HTTP ${response.status}`)
			);
			return { ...shown, latencyMs: shown.endedAt - startedAt };
		};
		const loop = async (deadline: number, job: () => Promise<Outcome | null>, into: Outcome[]) => {
			while (performance.now() < deadline) {
				const outcome = await job();
				if (!outcome) return;
				into.push(outcome);
			}
		};
		const cpu = () =>
			new CpuMeter(() => ({
				...Object.fromEntries(
					apps.map((app) => [app.name.replace('province ', ''), withChildren(app.child.process.pid!)])
				),
				nginx: nginx ? withChildren(nginx.child.process.pid!) : [],
				'postgres primary': postgresPids(pair.primaryDir),
				'postgres replica': postgresPids(pair.replicaDir)
			}));
		const phase = async (name: string, durationMs: number, readers: number, writers: number) => {
			const reads: Outcome[] = [];
			const supports: Outcome[] = [];
			const meter = cpu();
			const lag = sampleLag(pair);
			const before = await readsByTarget(apps);
			for (const app of apps) app.child.rss.reset();
			log(`province ${name}: ${readers} reading and ${writers} supporting connections for ${durationMs / 1000} s`);
			meter.start();
			const startedAt = performance.now();
			const deadline = startedAt + durationMs;
			await Promise.all([
				...Array.from({ length: readers }, () => loop(deadline, readOnce, reads)),
				...Array.from({ length: writers }, () => loop(deadline, supportOnce, supports))
			]);
			const wallMs = performance.now() - startedAt;
			const cpuSeconds = meter.stop();
			const after = await readsByTarget(apps);
			return {
				reads: summarize(reads, wallMs),
				supports: summarize(supports, wallMs),
				wallMs,
				cpuSeconds,
				lag: await lag.stop(),
				replicaReads: (after.replica ?? 0) - (before.replica ?? 0),
				primaryReads: (after.primary ?? 0) - (before.primary ?? 0),
				peakRssMb: Math.max(...apps.map((app) => app.child.rss.peak()))
			};
		};

		// A short warm-up of both paths (not measured).
		await phase('warm-up', Math.min(5000, sizes.phaseMs), 8, 2);
		const readsOnly = await phase('a (ranking reads only)', sizes.phaseMs, sizes.readConcurrency, 0);
		const supportsOnly = await phase('b (supports only)', sizes.phaseMs, 0, sizes.supportConcurrency);
		const mixed = await phase('c (both)', sizes.mixedMs, sizes.readConcurrency, sizes.supportConcurrency);
		readAgent.destroy();
		supportAgent.destroy();
		// The capacity table (README "Capacity"): cores per unit of load from the phases with one kind
		// of request each. A choice is one resident's support of 1 to 5 projects (3 on average) and the
		// page the browser is sent to afterwards.
		const acknowledgedIn = (summary: { requests: number; errors: number }) => summary.requests - summary.errors;
		const coresForChoices = coresPer(supportsOnly.cpuSeconds, acknowledgedIn(supportsOnly.supports), 1000);
		const coresForReads = coresPer(readsOnly.cpuSeconds, acknowledgedIn(readsOnly.reads), 10_000);
		log(`province: per 1,000 choices/s ${describeCores(coresForChoices)}`);
		log(`province: per 10,000 ranking reads/s ${describeCores(coresForReads)}`);

		// Every acknowledged support is stored exactly as acknowledged, and once; the tally agrees.
		const rows = await owner<{ residentId: number; candidateIds: number[] }[]>`
			select resident_id as "residentId", array_agg(candidate_id order by candidate_id) as "candidateIds"
			from selection_support where round_id = ${roundId} group by resident_id`;
		const stored = new Map(rows.map((row) => [row.residentId, row.candidateIds.join(',')]));
		let wrong = 0;
		for (const [residentId, choice] of acknowledged) if (stored.get(residentId) !== choice.join(',')) wrong += 1;
		const acknowledgedSupports = [...acknowledged.values()].reduce((sum, choice) => sum + choice.length, 0);
		const [tally] = await owner<{ differing: number; supports: number }[]>`
			select count(*) filter (where coalesce(t.supports, 0) <> coalesce(s.supports, 0))::int as differing,
			       coalesce(sum(s.supports), 0)::int as supports
			from (select candidate_id, sum(supports)::int as supports from selection_tally where round_id = ${roundId} group by candidate_id) t
			full join (select candidate_id, count(*)::int as supports from selection_support where round_id = ${roundId} group by candidate_id) s using (candidate_id)`;
		await pair.caughtUp(120_000);
		const replicaSql = createSql(urlWithCredentials(pair.replicaUrl(DATABASE), role), { max: 1 });
		const [onReplica] = await replicaSql<
			{ supports: number }[]
		>`select count(*)::int as supports from selection_support where round_id = ${roundId}`;
		await replicaSql.end();
		// Residents whose request got no answer (none, unless errors are reported) may have been stored too.
		const unanswered = rows.length - acknowledged.size;
		const correct = wrong === 0 && tally?.differing === 0 && onReplica?.supports === tally?.supports && unanswered >= 0;
		const storedCheck = {
			acknowledgedResidents: acknowledged.size,
			acknowledgedSupports,
			storedResidents: rows.length,
			storedSupports: tally?.supports ?? 0,
			wrong,
			tallyAgrees: tally?.differing === 0,
			replicaSupports: onReplica?.supports ?? 0
		};
		const base = { residents: sizes.residents, supporters: supporters.length, seedMs: round(seedMs, 0) };
		const readShare = (result: { replicaReads: number; primaryReads: number }) =>
			Math.round((result.replicaReads / Math.max(1, result.replicaReads + result.primaryReads)) * 100);
		const lagNote = (result: { lag: { p99Seconds: number; maxSeconds: number } }) =>
			`replica lag p99 ${result.lag.p99Seconds} s, max ${result.lag.maxSeconds} s`;
		const results: ScenarioResult[] = [
			{
				name: '8 province a: ranking page reads only',
				...readsOnly.reads,
				peakRssMb: mb(readsOnly.peakRssMb),
				cpuSeconds: readsOnly.cpuSeconds,
				wallMs: round(readsOnly.wallMs, 0),
				lag: readsOnly.lag,
				replicaReads: readsOnly.replicaReads,
				primaryReads: readsOnly.primaryReads,
				coresPer10000ReadsPerSecond: coresForReads,
				...base,
				notes: `${sizes.readConcurrency} anonymous readers through nginx (HTTPS) for ${sizes.phaseMs / 1000} s; ${readShare(readsOnly)}% of public reads on the replica; ${lagNote(readsOnly)}; per 10,000 reads/s: ${describeCores(coresForReads)}`
			},
			{
				name: '8 province b: supports only',
				...supportsOnly.supports,
				peakRssMb: mb(supportsOnly.peakRssMb),
				cpuSeconds: supportsOnly.cpuSeconds,
				wallMs: round(supportsOnly.wallMs, 0),
				lag: supportsOnly.lag,
				coresPer1000ChoicesPerSecond: coresForChoices,
				...base,
				notes: `${sizes.supportConcurrency} residents at a time, each a choice (POST) and the page it leads to (latency of both); ${lagNote(supportsOnly)}; per 1,000 choices/s: ${describeCores(coresForChoices)}`
			},
			{
				name: `8 province c: ${sizes.mixedMs >= 60_000 ? `${round(sizes.mixedMs / 60_000, 1)} min` : `${sizes.mixedMs / 1000} s`} of supports and ranking reads`,
				...mixed.supports,
				reads: mixed.reads,
				peakRssMb: mb(mixed.peakRssMb),
				cpuSeconds: mixed.cpuSeconds,
				wallMs: round(mixed.wallMs, 0),
				lag: mixed.lag,
				replicaReads: mixed.replicaReads,
				primaryReads: mixed.primaryReads,
				stored: storedCheck,
				correct,
				...base,
				notes: `supports/s above (p99 ${mixed.supports.p99Ms} ms) while ranking reads ran at ${mixed.reads.throughputPerSecond}/s (p99 ${mixed.reads.p99Ms} ms, ${mixed.reads.errors} errors); ${readShare(mixed)}% of public reads on the replica; ${lagNote(mixed)}; DB: ${storedCheck.acknowledgedResidents} residents' acknowledged choices (${storedCheck.acknowledgedSupports} supports) stored ${wrong === 0 ? 'exactly, once' : `WRONG for ${wrong}`}, tally ${storedCheck.tallyAgrees ? 'agrees' : 'DIFFERS'}, replica ${storedCheck.replicaSupports === storedCheck.storedSupports ? 'identical' : 'DIFFERS'}`
			}
		];
		return results;
	} finally {
		await nginx?.child.stop();
		nginx?.cleanUp();
		await Promise.all(apps.map((app) => app.child.stop()));
		await owner?.end({ timeout: 5 }).catch(() => {});
		await pair.stop();
	}
}
