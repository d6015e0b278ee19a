// npm run bench [-- --quick] [-- --profile] [-- --only storm444,selection]
//
// Builds the app if needed, starts PostgreSQL (embedded, in a fresh .data/bench; or DATABASE_URL,
// which must point to an empty database), seeds through the app's own modules, starts the built
// server in production mode and drives real HTTP at it on 127.0.0.1 (issue 6's scenarios), then
// stops everything it started, prints a table and writes bench/results/latest.json.
//   --quick    smaller counts and shorter runs: a smoke test of the harness (a minute or two)
//   --profile  app instances write V8 CPU profiles to .data/bench/profiles (open in Chrome DevTools)
//   --only     run only the named scenarios (comma-separated): storm444, storm5000, selection,
//              reading, tally, live, scaleout, baseline; reading and tally also cast the large
//              storm (they read its published result). For before/after comparisons of one change.
//   --snapshot DIR  measure the app in DIR (build/ and migrations/, as a run leaves them in
//              .data/bench/app; copy that folder away to keep it) instead of building the tree
//   --dir DIR  the run's working folder instead of .data/bench (emptied at the start)
//   --results FILE  write the results there instead of bench/results/latest.json (only.json with --only)
// Before anything starts, the external programs the chosen scenarios need (nginx) are looked up:
// a scenario whose program is missing is skipped and reported as skipped, the others run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createSql, type Sql } from '../src/lib/server/db/client';
import { isAlive, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/lib/server/db/embedded';
import { EmbeddedPostgresStartError } from '../src/lib/server/db/embedded-start';
import { migrate } from '../src/lib/server/db/migrate';
import { localeFromEnvironment } from '../src/lib/server/environment-locale';
import { embeddedRuntimeUrl } from '../src/lib/server/db/runtime-role';
import { applyLifecycle, confirmTally } from '../src/lib/server/voting/sessions';
import { createSession } from '../src/lib/server/auth/session';
import { verifyTally } from '../src/lib/server/voting/results';
import { round } from './harness/http';
import {
	CpuMeter,
	freePort,
	keepChildLogs,
	killAllChildrenNow,
	postgresPids,
	stopAllChildren,
	withChildren
} from './harness/processes';
import { preflight } from './harness/preflight';
import { formatTable, mb, skippedScenario, type ScenarioResult } from './harness/report';
import { seedBenchData, type BenchData } from './harness/seed';
import { startApp, startBaseline, startNginx, type Server } from './harness/servers';
import { castToClientDelays, openTurnoutClients, waitForCast } from './scenarios/live';
import { runProvince } from './scenarios/province';
import { pageJavaScript, readUnderLoad, timeSequentially } from './scenarios/reading';
import {
	runSupports,
	seedBulkSupports,
	seedSelection,
	selectionFeaturePresent,
	type SelectionSetup,
	type SelectionTarget,
	type SupportRun
} from './scenarios/selection';
import { openBallotPages, runVoteStorm, type StormOutcome, type StormTarget } from './scenarios/vote-storm';

const { values: flags } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		profile: { type: 'boolean', default: false },
		only: { type: 'string' },
		snapshot: { type: 'string' },
		dir: { type: 'string' },
		results: { type: 'string' }
	}
});
const quick = flags.quick === true;
const SCENARIO_KEYS = [
	'storm444',
	'storm5000',
	'selection',
	'reading',
	'tally',
	'live',
	'scaleout',
	'baseline',
	'province'
] as const;
type ScenarioKey = (typeof SCENARIO_KEYS)[number];
const only =
	flags.only === undefined
		? null
		: new Set(
				flags.only
					.split(',')
					.map((key) => key.trim())
					.filter(Boolean)
			);
for (const key of only ?? []) {
	if (!(SCENARIO_KEYS as readonly string[]).includes(key)) {
		console.error(`--only: unknown scenario ${key} (known: ${SCENARIO_KEYS.join(', ')})`);
		process.exit(2);
	}
}
/**
 * Whether a scenario is asked for in this run: all of them unless --only names some, except
 * province (8 minutes on its own servers), which runs only when --only names it.
 */
const asked = (key: string) => (only === null ? key !== 'province' : only.has(key));
/** The name a scenario has in the table. */
const SCENARIO_NAMES: Record<ScenarioKey, string> = {
	storm444: '1 vote storm (444)',
	storm5000: '1 vote storm (5000)',
	selection: '2 public selection',
	reading: '3 reading',
	tally: '4 tally',
	live: '5 live',
	scaleout: '6 scale-out',
	baseline: '7 bare baseline',
	province: '8 province'
};
const checked = preflight(asked, SCENARIO_NAMES);
for (const message of checked.messages) console.error(message);
/** Whether a scenario runs in this run: asked for, and what it needs is installed. */
const runs = (key: ScenarioKey) => asked(key) && !checked.skipped.has(key);

const SIZES = quick
	? {
			bigStorm: 1_000,
			stormConcurrency: 500,
			residents: 2_000,
			selectionMs: 8_000,
			baselineSelectionMs: 5_000,
			selectionConcurrency: 64,
			bulkSupports: 100_000,
			readMs: 3_000,
			readConcurrency: 32,
			tallyRequests: 30,
			liveClients: 300,
			liveCasts: 200,
			liveCastConcurrency: 32,
			scaleOut: 444,
			scaleOutClients: 100,
			province: {
				residents: 10_000,
				supporters: 3_000,
				mixedMs: 40_000,
				phaseMs: 10_000,
				readConcurrency: 48,
				supportConcurrency: 12
			}
		}
	: {
			bigStorm: 5_000,
			stormConcurrency: 500,
			residents: 20_000,
			selectionMs: 60_000,
			baselineSelectionMs: 20_000,
			selectionConcurrency: 64,
			bulkSupports: 1_000_000,
			readMs: 10_000,
			readConcurrency: 32,
			tallyRequests: 100,
			liveClients: 2_000,
			liveCasts: 1_000,
			liveCastConcurrency: 32,
			scaleOut: 444,
			scaleOutClients: 200,
			province: {
				residents: 100_000,
				supporters: 30_000,
				mixedMs: 300_000,
				phaseMs: 30_000,
				readConcurrency: 48,
				supportConcurrency: 12
			}
		};

const BUILD_LOCK = '/tmp/piaojue-build.lock';
const BENCH_ROOT = path.resolve(flags.dir ?? '.data/bench');
const SNAPSHOT = path.join(BENCH_ROOT, 'app');
// A run of some scenarios (--only) does not replace the full run's record.
const RESULTS_FILE = path.resolve(flags.results ?? (only ? 'bench/results/only.json' : 'bench/results/latest.json'));
const TIME_LIMIT_MS =
	(asked('province') ? 9.5 : 0) * 60_000 +
	(SCENARIO_KEYS.some((key) => key !== 'province' && asked(key)) ? 9.5 : 0) * 60_000;
/** Ballots of the trial vote (试投票) that warms each server up before its first storm. */
const TRIAL_VOTES = 200;

const startedAt = performance.now();
const log = (line: string) =>
	console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);

let embedded: EmbeddedDatabase | null = null;
let sql: Sql | null = null;
let cleaningUp: Promise<void> | null = null;

function cleanUp(): Promise<void> {
	cleaningUp ??= (async () => {
		await stopAllChildren();
		await sql?.end({ timeout: 5 }).catch(() => {});
		await embedded?.stop().catch(() => {});
	})();
	return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		console.error(`\n${signal}: stopping everything the benchmark started…`);
		void cleanUp().finally(() => process.exit(130));
	});
}
process.once('exit', killAllChildrenNow);

function machine() {
	const cpuModel =
		/^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
	const memoryKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
	return {
		nproc: os.availableParallelism(),
		cpuModel,
		memoryGb: round(memoryKb / 1024 / 1024, 1),
		node: process.version,
		loadAverage: os.loadavg().map((value) => round(value, 2))
	};
}

/** A fresh .data/bench, and build/ and migrations/ copied into it under the shared build lock. */
function prepareFolder(): void {
	const pidFile = path.join(BENCH_ROOT, 'postgres', 'postmaster.pid');
	if (existsSync(pidFile)) {
		const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
		if (isAlive(pid))
			throw new Error(
				`a PostgreSQL from an earlier benchmark (pid ${pid}) still runs on ${BENCH_ROOT}: is another benchmark running?`
			);
	}
	rmSync(BENCH_ROOT, { recursive: true, force: true });
	mkdirSync(path.join(BENCH_ROOT, 'logs'), { recursive: true });
	// The built server imports its dependencies from node_modules: reachable from a --dir outside the tree too.
	symlinkSync(path.resolve('node_modules'), path.join(BENCH_ROOT, 'node_modules'), 'dir');
	keepChildLogs(path.join(BENCH_ROOT, 'logs'));
	if (flags.snapshot) {
		// An earlier snapshot (a folder holding build/ and migrations/), e.g. kept to compare a change with.
		const from = path.resolve(flags.snapshot);
		if (!existsSync(path.join(from, 'build', 'index.js')) || !existsSync(path.join(from, 'migrations')))
			throw new Error(`--snapshot ${from} holds no build/ and migrations/`);
		log(`using the app in ${from}`);
		cpSync(from, SNAPSHOT, { recursive: true });
		return;
	}
	log('building if needed (under the shared build lock) and copying build/ and migrations/');
	const built = spawnSync(
		'flock',
		[BUILD_LOCK, process.execPath, '--import', 'tsx', 'bench/harness/snapshot-build.ts', SNAPSHOT],
		{ stdio: 'inherit' }
	);
	if (built.status !== 0) throw new Error('building or copying the app failed');
}

function stormResult(
	name: string,
	storm: StormOutcome & { cpuSeconds: Record<string, number> },
	peakRssMb: number | null,
	extra: Record<string, unknown> = {}
): ScenarioResult {
	const { summary, stored } = storm;
	return {
		name,
		requests: summary.requests,
		throughputPerSecond: summary.throughputPerSecond,
		p50Ms: summary.p50Ms,
		p95Ms: summary.p95Ms,
		p99Ms: summary.p99Ms,
		maxMs: summary.maxMs,
		errors: summary.errors,
		peakRssMb: mb(peakRssMb),
		wallMs: round(storm.wallMs, 0),
		cpuSeconds: storm.cpuSeconds,
		stored,
		correct: stored.correct,
		errorSamples: summary.errorSamples,
		notes: `last ack after ${round(storm.wallMs, 0)} ms; DB: ${stored.marks} marks, ${stored.ballots} ballots, ${stored.choices} choices, ${stored.correct ? `${stored.lost} lost` : `WRONG (${stored.lost} acknowledged but lost)`}`,
		...extra
	};
}

function selectionResult(
	name: string,
	run: SupportRun & { cpuSeconds: Record<string, number> },
	peakRssMb: number | null,
	durationMs: number,
	extra: Record<string, unknown> = {}
): ScenarioResult {
	const { summary, stored } = run;
	return {
		name,
		requests: summary.requests,
		throughputPerSecond: summary.throughputPerSecond,
		p50Ms: summary.p50Ms,
		p95Ms: summary.p95Ms,
		p99Ms: summary.p99Ms,
		maxMs: summary.maxMs,
		errors: summary.errors,
		peakRssMb: mb(peakRssMb),
		wallMs: round(run.wallMs, 0),
		cpuSeconds: run.cpuSeconds,
		supportsChangedPerSecond: round((run.supportsChanged / run.wallMs) * 1000),
		stored,
		correct: stored.correct,
		errorSamples: summary.errorSamples,
		notes: `choices saved per second over ${durationMs / 1000} s (${round((run.supportsChanged / run.wallMs) * 1000, 0)} supports given or withdrawn/s); DB: every resident's supports = last acknowledged choice ${stored.wrong === 0 ? '(exact)' : `WRONG for ${stored.wrong}`}, tally ${stored.tallyAgrees ? 'agrees' : 'DIFFERS'}`,
		...extra
	};
}

async function supports(
	servers: Server[],
	target: SelectionTarget,
	roundId: number,
	setup: SelectionSetup,
	durationMs: number
) {
	const { value, cpuSeconds } = await withCpu(servers, () =>
		runSupports(sql as Sql, target, roundId, setup, durationMs, SIZES.selectionConcurrency)
	);
	return { ...value, cpuSeconds };
}

/** CPU seconds used while `work` runs, by the given servers, PostgreSQL (when embedded) and this process. */
async function withCpu<T>(
	servers: Server[],
	work: () => Promise<T>
): Promise<{ value: T; cpuSeconds: Record<string, number> }> {
	const meter = new CpuMeter(() => ({
		...Object.fromEntries(
			servers.map((server) => [server.name, server.child.process.pid ? withChildren(server.child.process.pid) : []])
		),
		...(embedded ? { postgres: postgresPids(path.join(BENCH_ROOT, 'postgres')) } : {})
	}));
	meter.start();
	const value = await work();
	return { value, cpuSeconds: meter.stop() };
}

async function storm(
	servers: Server[],
	target: StormTarget,
	votingSessionId: number,
	delegates: BenchData['delegates'],
	data: BenchData,
	concurrency: number
) {
	const { value, cpuSeconds } = await withCpu(servers, () =>
		runVoteStorm({
			sql: sql as Sql,
			target,
			votingSessionId,
			delegates,
			candidateIds: data.candidateIds,
			seats: data.seats,
			concurrency
		})
	);
	return { ...value, cpuSeconds };
}

async function main(): Promise<number> {
	const watchdog = setTimeout(() => {
		console.error(`the benchmark ran past ${TIME_LIMIT_MS / 60_000} minutes: stopping`);
		void cleanUp().finally(() => process.exit(1));
	}, TIME_LIMIT_MS);
	const machineAtStart = machine();
	log(
		`machine: ${machineAtStart.nproc} CPUs (${machineAtStart.cpuModel}), ${machineAtStart.memoryGb} GB, load ${machineAtStart.loadAverage.join(' ')}${quick ? ' — quick run' : ''}${only ? ` — only ${[...only].join(', ')}` : ''}`
	);
	prepareFolder();
	const buildDir = path.join(SNAPSHOT, 'build');
	const migrationsDir = path.join(SNAPSHOT, 'migrations');

	const profileDir = flags.profile ? path.join(BENCH_ROOT, 'profiles') : undefined;
	let postgresVersion = '';
	const results: ScenarioResult[] = [];
	const record = (result: ScenarioResult) => {
		results.push(result);
		if (result.cpuSeconds)
			log(
				`CPU seconds used: ${Object.entries(result.cpuSeconds as Record<string, number>)
					.map(([name, seconds]) => `${name} ${seconds}`)
					.join(', ')}`
			);
		log(
			`${result.name}: ${result.skipped ? result.notes : `${result.throughputPerSecond}/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors — ${result.notes}`}`
		);
	};

	// ------------------------------------------------------------ 8. province (its own servers)
	const provinceSkipped = checked.skipped.get('province');
	if (asked('province') && provinceSkipped) {
		record(skippedScenario('8 province', provinceSkipped));
	} else if (runs('province')) {
		for (const result of await runProvince({ buildDir, migrationsDir, profileDir }, SIZES.province, log))
			record(result);
		postgresVersion ||= 'embedded (province: primary and replica)';
	}

	// ------------------------------------------------------------ 1–7 (one PostgreSQL, seeded once)
	if (SCENARIO_KEYS.some((key) => key !== 'province' && runs(key))) {
		let databaseUrl = process.env.DATABASE_URL;
		if (databaseUrl) {
			log('using the PostgreSQL at DATABASE_URL');
		} else {
			log(`starting an embedded PostgreSQL in ${path.relative(process.cwd(), BENCH_ROOT)}`);
			embedded = await startEmbeddedPostgres(BENCH_ROOT);
			databaseUrl = embedded.url;
		}
		sql = createSql(databaseUrl, { max: 10 });
		await migrate(sql, { directory: migrationsDir });
		// The app instances and the bare baseline connect as the runtime role, as a deployment does
		// (issue 12); the harness seeds and checks as the owner.
		const runtimeUrl = embedded ? await embeddedRuntimeUrl(sql, databaseUrl, BENCH_ROOT) : databaseUrl;
		const [{ version } = { version: '' }] = await sql<
			{ version: string }[]
		>`select current_setting('server_version') as version`;
		postgresVersion = version;
		const data = await seedBenchData(
			sql,
			{ bigStorm: SIZES.bigStorm, trial: TRIAL_VOTES, scaleOut: SIZES.scaleOut, live: SIZES.liveCasts },
			log
		);
		const selectionPresent = selectionFeaturePresent().present;
		const selection =
			selectionPresent && (runs('selection') || runs('baseline'))
				? await seedSelection(sql, data.staffId, data.candidateIds, SIZES.residents, log)
				: null;
		const bulk =
			selectionPresent && runs('tally')
				? await seedBulkSupports(sql, data.staffId, data.candidateIds, SIZES.bulkSupports, log)
				: null;
		if (bulk) log(`${bulk.supports.toLocaleString('en')} supports written in ${bulk.seedMs} ms`);
		const appOptions = { buildDir, migrationsDir, databaseUrl: runtimeUrl, profileDir };

		log('starting the app (node build/index.js)');
		const app: Server = await startApp('app', appOptions);
		const appTarget: StormTarget = { kind: 'app', baseUrl: app.baseUrl, origin: app.baseUrl };

		// ------------------------------------------------------------ 1. vote storm
		const castsBigStorm = runs('storm5000') || runs('reading') || runs('tally');
		if (runs('storm444') || castsBigStorm) {
			const opened = await openBallotPages(app.baseUrl, data.sessions.storm, data.demoDelegates, 32);
			log(
				`${data.demoDelegates.length} delegates opened the ballot page in ${round(opened.wallMs, 0)} ms (${opened.failed} failed)`
			);
			if (opened.failed > 0) throw new Error('delegates could not open the ballot page');
			const trial = await storm([app], appTarget, data.sessions.trial, data.delegates.slice(0, TRIAL_VOTES), data, 32);
			log(`trial vote: ${trial.summary.requests - trial.summary.errors} of ${TRIAL_VOTES} ballots acknowledged`);
		}
		let stormResult444: ScenarioResult | null = null;
		if (runs('storm444')) {
			app.child.rss.reset();
			const storm444 = await storm(
				[app],
				appTarget,
				data.sessions.storm,
				data.demoDelegates,
				data,
				data.demoDelegates.length
			);
			stormResult444 = stormResult(
				`1 vote storm: ${data.demoDelegates.length} delegates`,
				storm444,
				app.child.rss.peak()
			);
			record(stormResult444);
		}
		let stormResultBig: ScenarioResult | null = null;
		let closeMs = Number.NaN;
		if (castsBigStorm) {
			app.child.rss.reset();
			const stormBig = await storm(
				[app],
				appTarget,
				data.sessions.bigStorm,
				data.delegates,
				data,
				SIZES.stormConcurrency
			);
			stormResultBig = stormResult(`1 vote storm: ${data.delegates.length} delegates`, stormBig, app.child.rss.peak(), {
				concurrency: SIZES.stormConcurrency
			});
			if (runs('storm5000')) record(stormResultBig);

			// The large vote is closed (counting its ballots), confirmed and published for scenarios 3 and 4.
			const closing = performance.now();
			const closed = await applyLifecycle(sql, data.sessions.bigStorm, 'close', data.staffId);
			closeMs = round(performance.now() - closing);
			const confirmed = await confirmTally(
				sql,
				data.sessions.bigStorm,
				data.scrutineerId,
				(await createSession(sql, data.scrutineerId)).sessionId // the scrutineer's password sign-in
			);
			const published = await applyLifecycle(sql, data.sessions.bigStorm, 'publish', data.staffId);
			if (!closed.ok || !confirmed.ok || !published.ok)
				throw new Error('closing, confirming or publishing the large vote failed');
			const verification = await verifyTally(sql, data.sessions.bigStorm);
			stormResultBig.closeAndCountMs = closeMs;
			stormResultBig.tallyVerified = verification?.differences.length === 0;
			if (!stormResultBig.tallyVerified) stormResultBig.correct = false;
			log(
				`closed and counted ${data.delegates.length} ballots in ${closeMs} ms; recount ${stormResultBig.tallyVerified ? 'agrees' : `DIFFERS: ${verification?.differences.join('; ')}`}`
			);
		}

		// ------------------------------------------------------------ 2. public selection
		let selectionAppResult: ScenarioResult | null = null;
		if (!runs('selection')) {
			// not asked for (--only)
		} else if (selection) {
			app.child.rss.reset();
			const run = await supports([app], appTarget, selection.roundId, selection, SIZES.selectionMs);
			selectionAppResult = selectionResult(
				`2 public selection: ${selection.residents.length} residents`,
				run,
				app.child.rss.peak(),
				SIZES.selectionMs
			);
			record(selectionAppResult);
		} else {
			record(skippedScenario('2 public selection', 'feature not built yet'));
		}

		// ------------------------------------------------------------ 7. bare baseline (right after, on the same data)
		const baselineResults: ScenarioResult[] = [];
		if (runs('baseline')) {
			log('starting the bare baseline (node:http + postgres.js)');
			const baseline = await startBaseline(runtimeUrl);
			const baselineTarget: StormTarget = { kind: 'baseline', baseUrl: baseline.baseUrl };
			const baselineTrial = await storm(
				[baseline],
				baselineTarget,
				data.sessions.baselineTrial,
				data.delegates.slice(0, TRIAL_VOTES),
				data,
				32
			);
			log(
				`baseline trial vote: ${baselineTrial.summary.requests - baselineTrial.summary.errors} of ${TRIAL_VOTES} ballots acknowledged`
			);
			baseline.child.rss.reset();
			const baselineStorm = await storm(
				[baseline],
				baselineTarget,
				data.sessions.baselineStorm,
				data.delegates.slice(0, data.demoDelegates.length),
				data,
				data.demoDelegates.length
			);
			const baselineResult = stormResult(
				`7 bare baseline: ${data.demoDelegates.length} casts`,
				baselineStorm,
				baseline.child.rss.peak()
			);
			baseline.child.rss.reset();
			const baselineBigStorm = await storm(
				[baseline],
				baselineTarget,
				data.sessions.baselineBigStorm,
				data.delegates,
				data,
				SIZES.stormConcurrency
			);
			const baselineBigResult = stormResult(
				`7 bare baseline: ${data.delegates.length} casts`,
				baselineBigStorm,
				baseline.child.rss.peak()
			);
			baselineResults.push(baselineResult, baselineBigResult);
			const comparisons: [ScenarioResult | null, ScenarioResult][] = [
				[stormResult444, baselineResult],
				[runs('storm5000') ? stormResultBig : null, baselineBigResult]
			];
			if (selection) {
				baseline.child.rss.reset();
				const run = await supports(
					[baseline],
					{ kind: 'baseline', baseUrl: baseline.baseUrl },
					selection.baselineRoundId,
					selection,
					SIZES.baselineSelectionMs
				);
				const baselineSelectionResult = selectionResult(
					`7 bare baseline: selection, ${selection.residents.length} residents`,
					run,
					baseline.child.rss.peak(),
					SIZES.baselineSelectionMs
				);
				baselineResults.push(baselineSelectionResult);
				comparisons.push([selectionAppResult, baselineSelectionResult]);
			}
			await baseline.child.stop();
			for (const [appResult, baseResult] of comparisons) {
				if (!appResult) continue;
				const ratio = round((appResult.throughputPerSecond ?? 0) / (baseResult.throughputPerSecond || Number.NaN), 2);
				appResult.baselineRatio = ratio;
				appResult.notes += `; ${Math.round(ratio * 100)}% of the bare baseline's throughput`;
			}
		}

		// ------------------------------------------------------------ 3. reading
		if (runs('reading')) {
			for (const [label, pagePath] of [
				['candidates', '/projects'],
				['published result', `/results/${data.sessions.bigStorm}`]
			] as const) {
				app.child.rss.reset();
				const { value: reading, cpuSeconds } = await withCpu([app], () =>
					readUnderLoad(app.baseUrl, pagePath, SIZES.readMs, SIZES.readConcurrency)
				);
				record({
					name: `3 reading: ${label} (${pagePath.replace(/\d+$/, 'ID')})`,
					...reading.summary,
					cpuSeconds,
					peakRssMb: mb(app.child.rss.peak()),
					concurrency: SIZES.readConcurrency,
					htmlBytes: reading.htmlBytes,
					notes: `${SIZES.readConcurrency} connections for ${SIZES.readMs / 1000} s; ${round(reading.htmlBytes / 1024)} KB of HTML`
				});
			}
			const javaScript = await pageJavaScript(
				app.baseUrl,
				`/vote/${data.sessions.live}`,
				(data.delegates[0] as { cookie: string }).cookie
			);
			record({
				name: '3 ballot page JavaScript (/vote/ID)',
				requests: javaScript.files,
				throughputPerSecond: null,
				p50Ms: null,
				p95Ms: null,
				p99Ms: null,
				errors: 0,
				peakRssMb: null,
				...javaScript,
				gzipKb: round(javaScript.gzipBytes / 1024),
				notes: `${round(javaScript.gzipBytes / 1024)} KB gzipped (${round(javaScript.bytes / 1024)} KB raw) in ${javaScript.files} files`
			});
		}

		// ------------------------------------------------------------ 4. tally
		if (runs('tally')) {
			for (const [label, tallyPath, kind] of [
				['result page', `/results/${data.sessions.bigStorm}`, 'html'],
				['results API', `/api/sessions/${data.sessions.bigStorm}/results`, 'json']
			] as const) {
				app.child.rss.reset();
				const timing = await timeSequentially(app.baseUrl, tallyPath, SIZES.tallyRequests, kind);
				record({
					name: `4 tally, ${data.delegates.length} ballots: ${label}`,
					...timing.summary,
					peakRssMb: mb(app.child.rss.peak()),
					bodyBytes: timing.bodyBytes,
					notes: `one request at a time; ${round(timing.bodyBytes / 1024)} KB${kind === 'html' ? `; closing counted the ballots in ${closeMs} ms` : ''}`
				});
			}
			if (bulk) {
				for (const [label, tallyPath, kind] of [
					['result page', `/selection/${bulk.roundId}`, 'html'],
					['results API', `/api/selection/${bulk.roundId}/results`, 'json']
				] as const) {
					app.child.rss.reset();
					const timing = await timeSequentially(app.baseUrl, tallyPath, SIZES.tallyRequests, kind);
					const total =
						kind === 'json' ? (JSON.parse(timing.body) as { totalSupports?: number }).totalSupports : undefined;
					const correct = kind === 'json' ? total === bulk.supports : undefined;
					record({
						name: `4 tally, selection with ${bulk.supports.toLocaleString('en')} supports: ${label}`,
						...timing.summary,
						peakRssMb: mb(app.child.rss.peak()),
						bodyBytes: timing.bodyBytes,
						seedMs: bulk.seedMs,
						...(correct === undefined ? {} : { correct, totalSupports: total }),
						notes: `one request at a time; ${round(timing.bodyBytes / 1024)} KB${correct === undefined ? `; the supports were written in bulk in ${round(bulk.seedMs / 1000)} s` : `; totalSupports ${correct ? 'matches' : `is ${total}, NOT`} the ${bulk.supports.toLocaleString('en')} stored`}`
					});
				}
			} else {
				record(skippedScenario('4 tally: selection, 1,000,000 supports', 'feature not built yet'));
			}
		}

		// ------------------------------------------------------------ 5. live
		// On a freshly started instance: the storms and the loads above grew the first one's heap, which
		// V8 keeps; the RSS it holds when idle is reported too.
		const rssAfterScenarios = app.child.rss.current();
		await app.child.stop();
		if (runs('live')) {
			const live = await startApp('app (fresh)', appOptions);
			const liveTarget: StormTarget = { kind: 'app', baseUrl: live.baseUrl, origin: live.baseUrl };
			const liveOpened = await openBallotPages(
				live.baseUrl,
				data.sessions.live,
				data.delegates.slice(0, SIZES.liveCasts),
				32
			);
			if (liveOpened.failed > 0) throw new Error('delegates could not open the ballot page');
			const rssIdle = live.child.rss.current();
			live.child.rss.reset();
			log(`opening ${SIZES.liveClients} projector streams`);
			const { clients, failed, connectMs } = await openTurnoutClients(
				live.baseUrl,
				data.sessions.live,
				SIZES.liveClients
			);
			const rssWithClients = live.child.rss.current();
			log(
				`${clients.length - failed} streams open after ${round(connectMs, 0)} ms (server RSS ${round(rssWithClients, 0)} MB); casting ${SIZES.liveCasts} ballots`
			);
			const casting = await storm(
				[live],
				liveTarget,
				data.sessions.live,
				data.delegates.slice(0, SIZES.liveCasts),
				data,
				SIZES.liveCastConcurrency
			);
			const acknowledged = casting.summary.requests - casting.summary.errors;
			const behind = await waitForCast(clients, acknowledged, 30_000);
			const delays = castToClientDelays(casting.outcomes, clients);
			for (const client of clients) client.close();
			record({
				name: `5 live: ${SIZES.liveClients} SSE clients while ${SIZES.liveCasts} ballots are cast`,
				requests: casting.summary.requests,
				throughputPerSecond: casting.summary.throughputPerSecond,
				p50Ms: delays.p50Ms,
				p95Ms: delays.p95Ms,
				p99Ms: delays.p99Ms,
				maxMs: delays.maxMs,
				errors: casting.summary.errors + failed + behind,
				peakRssMb: mb(live.child.rss.peak()),
				clients: SIZES.liveClients,
				clientsFailedToConnect: failed,
				clientsMissingTheLastCast: behind,
				connectMs: round(connectMs, 0),
				deliveries: delays.pairs,
				missedDeliveries: delays.missed,
				rssIdleMb: mb(rssIdle),
				rssOfTheFirstInstanceAfterScenarios1to4Mb: mb(rssAfterScenarios),
				rssWithClientsMb: mb(rssWithClients),
				cast: {
					p50Ms: casting.summary.p50Ms,
					p95Ms: casting.summary.p95Ms,
					p99Ms: casting.summary.p99Ms,
					concurrency: SIZES.liveCastConcurrency
				},
				stored: casting.stored,
				correct: casting.stored.correct,
				notes: `percentiles: cast acknowledged → snapshot with it at each client (upper bound), ${delays.pairs} deliveries; casts p95 ${casting.summary.p95Ms} ms; fresh instance: RSS ${round(rssIdle, 0)} MB idle, ${round(rssWithClients, 0)} MB with the clients (the first instance held ${round(rssAfterScenarios, 0)} MB idle after scenarios 1–4)`
			});
			await live.child.stop();
		}

		// ------------------------------------------------------------ 6. scale-out
		const scaleOutSkipped = checked.skipped.get('scaleout');
		if (asked('scaleout') && scaleOutSkipped) {
			record(skippedScenario('6 scale-out: nginx + 2 instances', scaleOutSkipped));
		} else if (runs('scaleout')) {
			log('scale-out: two app instances behind nginx');
			// nginx's port is known once it runs; the instances need it as their ORIGIN first.
			const nginxPort = await freePort();
			const origin = `https://127.0.0.1:${nginxPort}`;
			const [instanceA, instanceB] = await Promise.all([
				startApp('app A', { ...appOptions, origin, behindProxy: true }),
				startApp('app B', { ...appOptions, origin, behindProxy: true })
			]);
			const nginx = await startNginx([instanceA.baseUrl, instanceB.baseUrl], nginxPort);
			try {
				// Warmed like the single instance: the delegates open the ballot page, and a trial vote.
				const scaleOutOpened = await openBallotPages(
					nginx.baseUrl,
					data.sessions.scaleOut,
					data.delegates.slice(0, SIZES.scaleOut),
					32
				);
				if (scaleOutOpened.failed > 0) throw new Error('delegates could not open the ballot page through nginx');
				const scaleOutTrial = await storm(
					[instanceA, instanceB],
					{ kind: 'app', baseUrl: nginx.baseUrl, origin },
					data.sessions.scaleOutTrial,
					data.delegates.slice(0, TRIAL_VOTES),
					data,
					32
				);
				log(
					`trial vote through nginx: ${scaleOutTrial.summary.requests - scaleOutTrial.summary.errors} of ${TRIAL_VOTES} ballots acknowledged`
				);
				// The projector clients connect to instance A itself, so that what they see of B's casts
				// can only have come through PostgreSQL (LISTEN/NOTIFY). The instances take the client's
				// address from X-Forwarded-For, as behind nginx, and refuse a request without it: the
				// clients send what nginx would add.
				const { clients, failed } = await openTurnoutClients(
					instanceA.baseUrl,
					data.sessions.scaleOut,
					SIZES.scaleOutClients,
					100,
					{ 'x-forwarded-for': '127.0.0.1' }
				);
				const beforeStorm = nginx.requestsByUpstream();
				instanceA.child.rss.reset();
				instanceB.child.rss.reset();
				const casting = await storm(
					[instanceA, instanceB, nginx],
					{ kind: 'app', baseUrl: nginx.baseUrl, origin },
					data.sessions.scaleOut,
					data.delegates.slice(0, SIZES.scaleOut),
					data,
					SIZES.scaleOut
				);
				const acknowledged = casting.summary.requests - casting.summary.errors;
				const behind = await waitForCast(clients, acknowledged, 30_000);
				const delays = castToClientDelays(casting.outcomes, clients);
				for (const client of clients) client.close();
				const byUpstream = nginx.requestsByUpstream();
				const stormPosts = (server: Server) => {
					const key = `POST ${new URL(server.baseUrl).host}`;
					return (byUpstream[key] ?? 0) - (beforeStorm[key] ?? 0);
				};
				const castsOnA = stormPosts(instanceA);
				const castsOnB = stormPosts(instanceB);
				const sawB = castsOnB > 0 && behind === 0 && failed === 0;
				const result = stormResult(
					`6 scale-out: nginx + 2 instances, ${SIZES.scaleOut} delegates`,
					casting,
					Math.max(instanceA.child.rss.peak(), instanceB.child.rss.peak()),
					{
						castsOnA,
						castsOnB,
						sseClientsOnA: SIZES.scaleOutClients,
						sseClientsSawEveryCast: sawB,
						sseDelay: delays
					}
				);
				result.errors += failed + behind;
				result.notes += `; casts on A/B ${castsOnA}/${castsOnB}; ${SIZES.scaleOutClients} SSE clients on A ${sawB ? 'saw every cast, B’s included' : 'did NOT all see every cast'} (p95 ${delays.p95Ms} ms)`;
				const firstFailure = clients.find((client) => client.failure !== null)?.failure;
				if (failed > 0) result.notes += `; ${failed} SSE clients could not connect (${firstFailure ?? 'no answer'})`;
				if (!sawB) result.correct = false;
				record(result);
			} finally {
				await nginx.child.stop();
				nginx.cleanUp();
				await Promise.all([instanceA.child.stop(), instanceB.child.stop()]);
			}
		}

		for (const result of baselineResults) record(result);
	}

	// ------------------------------------------------------------ report
	const order = (name: string) => Number(/^(\d+)/.exec(name)?.[1] ?? 99);
	results.sort((a, b) => order(a.name) - order(b.name));
	const machineAtEnd = machine();
	const report = {
		date: new Date().toISOString(),
		quick,
		only: only ? [...only] : null,
		machine: {
			...machineAtStart,
			loadAverageAtStart: machineAtStart.loadAverage,
			loadAverageAtEnd: machineAtEnd.loadAverage
		},
		postgres: { version: postgresVersion, embedded: embedded !== null },
		appPoolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10),
		durationSeconds: round((performance.now() - startedAt) / 1000, 0),
		missingPrograms: checked.messages,
		scenarios: results
	};
	mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
	writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, '\t')}\n`);
	console.log(`\n${formatTable(results)}\n`);
	for (const message of checked.messages) console.log(message);
	console.log(
		`${machineAtStart.nproc} × ${machineAtStart.cpuModel}, ${machineAtStart.memoryGb} GB; PostgreSQL ${postgresVersion}; Node ${process.version}; load average ${machineAtStart.loadAverage.join(' ')} at the start, ${machineAtEnd.loadAverage.join(' ')} at the end; ${report.durationSeconds} s in all.`
	);
	console.log(
		`Written to ${path.relative(process.cwd(), RESULTS_FILE)}${profileDir ? `; CPU profiles in ${path.relative(process.cwd(), profileDir)}` : ''}.`
	);
	clearTimeout(watchdog);
	const incorrect = results.filter((result) => result.correct === false);
	if (incorrect.length > 0) {
		console.error(`Correctness checks FAILED: ${incorrect.map((result) => result.name).join('; ')}`);
		return 1;
	}
	return 0;
}

let exitCode = 1;
try {
	exitCode = await main();
} catch (error) {
	console.error(error instanceof EmbeddedPostgresStartError ? error.report(localeFromEnvironment()) : error);
} finally {
	await cleanUp();
}
process.exit(exitCode);
