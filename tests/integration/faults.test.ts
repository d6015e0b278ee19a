// Faults during a vote, on loopback and bounded in time: the server process killed (SIGKILL) in the
// middle of a storm of casts, and PostgreSQL restarted in the middle of voting. After each, every
// cast that was acknowledged (a receipt page) is in the database with its content, marks and
// ballots agree, the audit chain holds, and voting goes on. During the outage, requests get a 503
// page in the reader's language with Retry-After, never a 500 or a stack trace.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import { embeddedRuntimeUrl } from '../../src/lib/server/db/runtime-role';
import { describeDatabaseUnavailable, isDatabaseUnavailable } from '../../src/lib/server/db/unavailable';
import { receiptHash } from '../../src/lib/server/voting/casting';
import { verifyTally } from '../../src/lib/server/voting/results';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { countRows, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { databaseUrl } from '../helpers/urls';
import { castThroughForm, TurnoutStream, visitorFor, type CastOutcome } from '../helpers/voting';

const FAULT_TEST_MS = 240_000;

/** Up to `seats` candidates, a different set for each index. */
function selectionFor(index: number, candidateIds: readonly number[], seats: number): number[] {
	return candidateIds.filter((_, position) => (position * 5 + index * 3) % candidateIds.length < 1 + (index % seats));
}

interface Acknowledged {
	delegateIndex: number;
	receiptCode: string;
	selection: number[];
}

/**
 * What an auditor checks after a fault: each acknowledged receipt is in the ballot box with the
 * content that was cast, the has-voted marks equal the ballots (no half-written cast), each
 * electronic ballot has its receipt, and the audit chain verifies (with its record of casting).
 */
async function expectBallotBoxIntact(sql: Sql, votingSessionId: number, acknowledged: Acknowledged[]) {
	// Receipts are kept apart from ballots (no link): each acknowledged receipt is among the receipts,
	// and the acknowledged contents are among the stored ballots, each as often as it was cast.
	const stored = await sql<{ candidateIds: number[] }[]>`
		select coalesce(array_agg(c.candidate_id order by c.candidate_id) filter (where c.candidate_id is not null), '{}') as "candidateIds"
		from ballot b left join ballot_choice c on c.ballot_id = b.id
		where b.voting_session_id = ${votingSessionId}
		group by b.id`;
	const left = stored.map((ballot) => ballot.candidateIds.join(','));
	for (const { receiptCode, selection } of acknowledged) {
		const [receipt] = await sql`
			select 1 from ballot_receipt where voting_session_id = ${votingSessionId} and receipt_hash = ${receiptHash(receiptCode)}`;
		expect(receipt, `the acknowledged receipt ${receiptCode} is among the receipts`).toBeDefined();
		const content = [...selection].sort((a, b) => a - b).join(',');
		const index = left.indexOf(content);
		expect(index, `a ballot with ${content} for the acknowledged receipt ${receiptCode}`).toBeGreaterThanOrEqual(0);
		left.splice(index, 1);
	}
	const rows = await countRows(sql, votingSessionId);
	expect(rows.marks).toBe(rows.ballots);
	// The chain records casts as checkpoints of the marks and receipts (none per cast): it verifies
	// against the tables (verifyAuditChain compares them), and receipts equal electronic marks.
	const [receipts] = await sql<{ receipts: number; electronicMarks: number }[]>`
		select (select count(*) from ballot_receipt where voting_session_id = ${votingSessionId})::int as receipts,
		       (select count(*) from ballot_mark where voting_session_id = ${votingSessionId} and channel = 'electronic')::int as "electronicMarks"`;
	expect(receipts?.receipts).toBe(receipts?.electronicMarks);
	const chain = await verifyAuditChain(sql);
	expect(chain.ok).toBe(true);
	return rows;
}

/** What a browser asks for when it opens a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Server output that would be a stack trace (an "    at …" frame). */
const STACK_FRAME = /^\s+at\s/m;

describe('telling a database outage from other failures', () => {
	const database = useTestDatabase({ max: 3 });

	it('recognises a refused connection, an administrator shutdown and a closed pool, and nothing else', async () => {
		const closedPort = await freePort();
		const nowhere = createSql(`postgres://nobody:nothing@127.0.0.1:${closedPort}/none`, { max: 1 });
		const refused = await nowhere`select 1`.catch((error: unknown) => error);
		await nowhere.end();
		expect(isDatabaseUnavailable(refused)).toBe(true);
		expect(describeDatabaseUnavailable(refused)).toBe('ECONNREFUSED');

		// A backend ended by the server (pg_terminate_backend, as in a fast shutdown): the query fails
		// with 57P01 "terminating connection due to administrator command" or, when the close
		// arrives first, with postgres.js's CONNECTION_CLOSED.
		const victim = createSql(database.url, { max: 1 });
		const [backend] = await victim<{ pid: number }[]>`select pg_backend_pid() as pid`;
		const terminated = victim`select pg_sleep(30)`.catch((error: unknown) => error);
		await expect
			.poll(
				async () =>
					(await database.sql`select 1 from pg_stat_activity where pid = ${backend!.pid} and state = 'active'`).length
			)
			.toBe(1);
		await database.sql`select pg_terminate_backend(${backend!.pid})`;
		const shutdown = await terminated;
		expect(isDatabaseUnavailable(shutdown)).toBe(true);
		expect(['57P01', 'CONNECTION_CLOSED']).toContain(describeDatabaseUnavailable(shutdown));
		await victim.end({ timeout: 1 }); // its connection was cut: do not wait for it
		// The SQLSTATEs of a server going away or not there yet, as PostgreSQL sends them.
		for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001']) {
			expect(
				isDatabaseUnavailable(Object.assign(new Error('from the server'), { code, severity: 'FATAL' })),
				code
			).toBe(true);
		}

		const ended = createSql(database.url, { max: 1 });
		await ended.end();
		expect(isDatabaseUnavailable(await ended`select 1`.catch((error: unknown) => error))).toBe(true);

		// A bug or a refused query stays a 500: syntax, constraint, trigger, and plain errors.
		const syntax = await database.sql`selec 1`.catch((error: unknown) => error);
		const refusedByTrigger = await database.sql`delete from audit_entry`.catch((error: unknown) => error);
		for (const error of [
			syntax,
			refusedByTrigger,
			new Error('ECONNREFUSED in a message only'),
			new TypeError('x'),
			null,
			'ECONNREFUSED'
		]) {
			expect(isDatabaseUnavailable(error), String(error)).toBe(false);
		}
		// Wrapped by another error (as the migration runner does), it is still an outage.
		expect(isDatabaseUnavailable(new Error('migration failed', { cause: refused }))).toBe(true);
	});
});

describe('the server process killed (SIGKILL) in the middle of a storm of casts', () => {
	const DELEGATES = 300;
	const KILL_AFTER = 100;
	const database = useTestDatabase({ max: 5 });
	let session: TestSession;
	let restarted: RunningApp | null = null;

	beforeAll(async () => {
		session = await createVotingSession(database.sql, { candidates: 8, seats: 3, delegates: DELEGATES });
	});
	afterAll(async () => {
		await restarted?.stop();
	});

	it(
		'keeps every acknowledged cast, leaves no ballot without its mark, and starts again cleanly',
		async () => {
			const { sql } = database;
			const app = await startApp(database.url);
			const visitors = [];
			for (const delegate of session.delegates)
				visitors.push((await visitorFor(sql, app.baseUrl, delegate.id)).visitor);
			const selections = session.delegates.map((_, index) => selectionFor(index, session.candidateIds, 3));

			const acknowledged: Acknowledged[] = [];
			let killed: Promise<void> | null = null;
			const startedAt = Date.now();
			const outcomes = await Promise.all(
				visitors.map(async (visitor, delegateIndex) => {
					const outcome = await castThroughForm(visitor, session.id, selections[delegateIndex]!);
					if (outcome.receiptCode) {
						acknowledged.push({
							delegateIndex,
							receiptCode: outcome.receiptCode,
							selection: selections[delegateIndex]!
						});
						if (acknowledged.length === KILL_AFTER) killed = app.kill('SIGKILL');
					}
					return outcome;
				})
			);
			await killed;
			const stormMs = Date.now() - startedAt;

			// The kill landed in the middle: some casts were acknowledged, some never answered; no other answer.
			const unanswered = outcomes
				.map((outcome, index) => ({ outcome, index }))
				.filter(({ outcome }) => outcome.status === null);
			expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
			expect(unanswered.length).toBeGreaterThan(0);
			expect(acknowledged.length + unanswered.length).toBe(DELEGATES);
			expect(app.log()).not.toMatch(STACK_FRAME);

			const afterCrash = await expectBallotBoxIntact(sql, session.id, acknowledged);
			// Casts cut off by the kill either committed whole (the answer was lost) or not at all.
			expect(afterCrash.ballots).toBeGreaterThanOrEqual(acknowledged.length);
			expect(afterCrash.ballots).toBeLessThanOrEqual(DELEGATES);

			// A new instance starts on the same database, answers its health check and takes casts.
			restarted = await startApp(database.url);
			const health = await fetch(`${restarted.baseUrl}/healthz`);
			expect(health.status).toBe(200);
			expect(await health.json()).toEqual({ status: 'ok' });
			const marked = new Set(
				(
					await sql<
						{ delegateId: number }[]
					>`select delegate_id as "delegateId" from ballot_mark where voting_session_id = ${session.id}`
				).map((row) => row.delegateId)
			);
			const retried: Acknowledged[] = [];
			for (const { index } of unanswered) {
				const delegate = session.delegates[index]!;
				const { visitor } = await visitorFor(sql, restarted.baseUrl, delegate.id);
				const retry = await castThroughForm(visitor, session.id, selections[index]!);
				// Whoever's cast committed unseen is told they have voted; everyone else votes now.
				expect(retry.status, `delegate ${index}`).toBe(marked.has(delegate.id) ? 409 : 200);
				if (retry.receiptCode)
					retried.push({ delegateIndex: index, receiptCode: retry.receiptCode, selection: selections[index]! });
			}
			const final = await expectBallotBoxIntact(sql, session.id, [...acknowledged, ...retried]);
			expect(final).toMatchObject({ marks: DELEGATES, ballots: DELEGATES });
			expect((await applyLifecycle(sql, session.id, 'close', null)).ok).toBe(true);
			const verification = await verifyTally(sql, session.id);
			expect(verification?.differences).toEqual([]);
			expect(verification?.recomputed.ballotsCast).toBe(DELEGATES);
			console.log(
				`SIGKILL storm: ${DELEGATES} casts, killed after ${KILL_AFTER} receipts; ${acknowledged.length} acknowledged, ` +
					`${afterCrash.ballots - acknowledged.length} committed unseen, ${unanswered.length} unanswered; storm ${stormMs} ms`
			);
		},
		FAULT_TEST_MS
	);
});

describe('PostgreSQL restarted in the middle of voting', () => {
	const DELEGATES = 60;
	let dataRoot: string;
	let port: number;
	let postgres: EmbeddedDatabase | null = null;
	let postgresLog = '';
	let url: string;
	let appUrl: string;
	let sql: Sql;
	let app: RunningApp | null = null;
	let session: TestSession;

	const startPostgres = async () => {
		postgres = await startEmbeddedPostgres(dataRoot, (line) => (postgresLog += `${line}\n`), { port });
		return postgres;
	};

	beforeAll(async () => {
		// A PostgreSQL server of this test's own, in a temporary folder, on a port kept across the restart.
		dataRoot = await mkdtemp(path.join(os.tmpdir(), 'piaojue-faults-'));
		port = await freePort();
		const server = await startPostgres();
		const admin = createSql(server.url, { max: 1 });
		try {
			await admin.unsafe('create database piaojue_faults');
		} finally {
			await admin.end();
		}
		url = databaseUrl(server.url, 'piaojue_faults');
		sql = createSql(url, { max: 5 });
		await migrate(sql);
		appUrl = await embeddedRuntimeUrl(sql, url, dataRoot); // the app runs as the runtime role, as it does everywhere
		session = await createVotingSession(sql, { candidates: 6, seats: 2, delegates: DELEGATES });
	}, 120_000);
	afterAll(async () => {
		await app?.stop();
		await sql?.end({ timeout: 5 });
		await postgres?.stop();
		if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
	});

	it(
		'answers 503 in the reader’s language during the outage, reconnects by itself, and loses nothing acknowledged',
		async () => {
			app = await startApp(appUrl);
			const baseUrl = app.baseUrl;
			const signedIn = await Promise.all(
				session.delegates.map((delegate) => visitorFor(sql, baseUrl, delegate.id, { accept: BROWSER_ACCEPT }))
			);
			const selections = session.delegates.map((_, index) => selectionFor(index, session.candidateIds, 2));
			const acknowledged: Acknowledged[] = [];
			const castBy = async (delegateIndex: number): Promise<CastOutcome> => {
				const outcome = await castThroughForm(signedIn[delegateIndex]!.visitor, session.id, selections[delegateIndex]!);
				if (outcome.receiptCode)
					acknowledged.push({ delegateIndex, receiptCode: outcome.receiptCode, selection: selections[delegateIndex]! });
				return outcome;
			};
			const stream = await TurnoutStream.open(baseUrl, session.id);

			// Before: 20 casts, seen live on the projector's stream.
			const before = await Promise.all(Array.from({ length: 20 }, (_, index) => castBy(index)));
			expect(before.map((outcome) => outcome.status)).toEqual(Array(20).fill(200));
			await stream.next((snapshot) => snapshot.cast === 20);

			// The restart begins while casts are under way: five delegates' casts wait inside their
			// transaction (this test holds their electorate rows locked, so writing the has-voted mark
			// waits), ten others go through meanwhile (the pool has 10 connections). The stop cuts the
			// five transactions in the middle.
			const waitingIds = session.delegates.slice(20, 25).map((delegate) => delegate.id);
			const locker = await sql.reserve();
			await locker`begin`;
			await locker`select 1 from electorate_member where voting_session_id = ${session.id} and delegate_id = any(${waitingIds}) for update`;
			const waiting = Array.from({ length: 5 }, (_, offset) => castBy(20 + offset));
			const through = await Promise.all(Array.from({ length: 10 }, (_, offset) => castBy(25 + offset)));
			expect(through.map((outcome) => outcome.status)).toEqual(Array(10).fill(200));
			await expect
				.poll(
					async () =>
						(await sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)
							.length,
					{ timeout: 20_000, interval: 100 }
				)
				.toBe(5);
			await postgres!.stop();
			// The locking connection died with the server; it is never used again (not even released:
			// postgres.js would hand the dead connection out and write to it).
			const cut = await Promise.all(waiting);
			for (const outcome of cut) {
				expect(outcome.status, outcome.body.slice(0, 300)).toBe(503);
				expect(outcome.retryAfter).toMatch(/^\d+$/);
				expect(outcome.body).toContain('系统暂时无法使用');
			}

			// While PostgreSQL is down: a clear page in the reader's language, Retry-After, no internals.
			const outageOutcomes: { label: string; response: Response; body: string }[] = [];
			const during503 = async (label: string, response: Promise<Response>) => {
				const answered = await response;
				const body = await answered.text();
				outageOutcomes.push({ label, response: answered, body });
				return { response: answered, body };
			};
			const votePage = await during503('ballot page (signed in)', signedIn[50]!.visitor.get(`/vote/${session.id}`));
			expect(votePage.response.status).toBe(503);
			expect(votePage.body).toContain('<html lang="zh-CN">');
			expect(votePage.body).toContain('系统暂时无法使用');
			expect(votePage.body).toContain('暂时无法连接数据库');
			expect(votePage.body).toContain('重新打开选票页面');
			const english = await during503(
				'public page in English',
				new Visitor(baseUrl, { accept: BROWSER_ACCEPT, 'accept-language': 'en-GB,en;q=0.9' }).get('/projects')
			);
			expect(english.response.status).toBe(503);
			expect(english.body).toContain('<html lang="en">');
			expect(english.body).toContain('Temporarily unavailable');
			expect(english.body).toContain('The database cannot be reached right now.');
			const cast = await castBy(50);
			expect(cast.status).toBe(503);
			expect(cast.body).toContain('系统暂时无法使用');
			expect(cast.retryAfter).toMatch(/^\d+$/);
			const projects = await during503(
				'public page',
				new Visitor(baseUrl, { accept: BROWSER_ACCEPT }).get('/projects')
			);
			expect(projects.response.status).toBe(503);
			expect(projects.body).toContain('系统暂时无法使用');
			const api = await during503(
				'JSON API',
				fetch(`${baseUrl}/api/sessions/${session.id}`, { headers: { accept: 'application/json' } })
			);
			expect(api.response.status).toBe(503);
			expect(JSON.parse(api.body)).toEqual({ message: '暂时无法连接数据库，请稍等片刻后重试。' });
			const enhanced = await during503(
				'enhanced form',
				fetch(`${baseUrl}/results/${session.id}/receipts`, {
					method: 'POST',
					headers: {
						accept: 'application/json',
						'x-sveltekit-action': 'true',
						origin: baseUrl,
						'content-type': 'application/x-www-form-urlencoded'
					},
					body: 'code=AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG'
				})
			);
			expect(enhanced.response.status).toBe(503);
			expect(JSON.parse(enhanced.body)).toMatchObject({
				type: 'error',
				error: { message: '暂时无法连接数据库，请稍等片刻后重试。' }
			});
			const health = await during503('health check', fetch(`${baseUrl}/healthz`));
			expect(health.response.status).toBe(503);
			for (const { label, response, body } of outageOutcomes.filter((entry) => entry.label !== 'health check')) {
				expect(response.headers.get('retry-after'), label).toMatch(/^\d+$/);
				expect(body, label).not.toMatch(STACK_FRAME);
				expect(body, label).not.toMatch(/ECONNREFUSED|Internal Error|postgres/i);
			}

			// PostgreSQL comes back on its port: the app reconnects by itself.
			await startPostgres();
			await expect
				.poll(async () => (await fetch(`${baseUrl}/healthz`)).status, { timeout: 30_000, interval: 200 })
				.toBe(200);
			// The LISTEN connection is back too (postgres.js listens again after a reconnect). It carries
			// every channel of the instance (the live stream's, and the caches' of issue 16), and
			// pg_stat_activity shows only its last LISTEN: the stream below shows the turnout's flows.
			await expect
				.poll(async () => (await sql`select 1 from pg_stat_activity where query ilike 'listen%piaojue_%'`).length, {
					timeout: 30_000,
					interval: 200
				})
				.toBeGreaterThan(0);

			// After: everyone else votes; whoever got a 503 votes again or is told their ballot counted.
			const marked = new Set(
				(
					await sql<
						{ delegateId: number }[]
					>`select delegate_id as "delegateId" from ballot_mark where voting_session_id = ${session.id}`
				).map((row) => row.delegateId)
			);
			const answeredBefore = new Set(acknowledged.map((entry) => entry.delegateIndex));
			for (let index = 0; index < DELEGATES; index += 1) {
				if (answeredBefore.has(index)) continue;
				const retry = await castBy(index);
				expect(retry.status, `delegate ${index}`).toBe(marked.has(session.delegates[index]!.id) ? 409 : 200);
			}
			const rows = await expectBallotBoxIntact(sql, session.id, acknowledged);
			expect(rows).toMatchObject({ marks: DELEGATES, ballots: DELEGATES });
			// The projector's stream, open all along, shows the final count: notifications flow again.
			expect((await stream.next((snapshot) => snapshot.cast === DELEGATES)).cast).toBe(DELEGATES);
			await stream.close();

			// The log: one short line per outage burst, no stack trace, no secret; PostgreSQL's log neither.
			const log = app.log();
			expect(log).toMatch(/\[503\] \w+ \S+: database unavailable \((ECONNREFUSED|57P01|CONNECTION_\w+|[0-9A-Z]{5})\)/);
			expect(log).not.toMatch(STACK_FRAME);
			for (const secret of [
				TEST_PASSWORD,
				...signedIn.map((entry) => entry.token),
				...acknowledged.map((entry) => entry.receiptCode)
			]) {
				expect(log).not.toContain(secret);
				expect(postgresLog).not.toContain(secret);
			}
			console.log(`PostgreSQL restart: ${acknowledged.length} casts acknowledged in all; app log:\n${log}`);
		},
		FAULT_TEST_MS
	);
});
