// The audit chain as an auditor checks it: `audit:verify` and the admin page's "verify" find an
// intact chain intact and name the first broken entry of a forged or shortened one; the browser
// filters and pages, for staff and scrutineers only.
import { createHash } from 'node:crypto';
import { runCli } from '../helpers/cli';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, auditHead } from '../../src/lib/server/audit/audit';
import { writeCastCheckpoints } from '../../src/lib/server/audit/cast-record';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import type { Sql, TransactionSql } from '../../src/lib/server/db/client';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';

const cli = (database: TestDatabase, args: string[]) => runCli(args, { databaseUrl: database.url });

/**
 * A chain with some history: a session created, delegates enrolled, opened, a ballot, a turnout
 * checkpoint, another ballot, closed (casts write no entry of their own).
 */
async function someHistory(sql: Sql): Promise<TestSession> {
	const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 3 });
	for (const [index, delegate] of session.delegates.slice(0, 2).entries()) {
		await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
		if (index === 0) expect(await writeCastCheckpoints(sql, 0)).toEqual([session.id]);
	}
	await applyLifecycle(sql, session.id, 'close', null);
	return session;
}

/** What an attacker with superuser rights might do: switch the chain's trigger off, tamper, switch it on. */
async function tamper(sql: Sql, change: (sql: Sql) => Promise<unknown>): Promise<void> {
	await sql`alter table audit_entry disable trigger audit_entry_chain`;
	try {
		await change(sql);
	} finally {
		await sql`alter table audit_entry enable trigger audit_entry_chain`;
	}
}

async function chainLength(sql: Sql): Promise<number> {
	const [row] = await sql<{ count: number }[]>`select count(*)::int as count from audit_entry`;
	return row!.count;
}

describe('verifying the chain', () => {
	const database = useTestDatabase();
	beforeAll(async () => {
		await someHistory(database.sql);
	});

	it('finds an intact chain intact, walking it in batches', async () => {
		const length = await chainLength(database.sql);
		expect(length).toBe(5); // created, delegates enrolled, opened, a checkpoint, closed
		const progress: number[] = [];
		const verification = await verifyAuditChain(database.sql, {
			batchSize: 3,
			onProgress: (checked) => progress.push(checked)
		});
		expect(verification).toEqual({ ok: true, entries: length, head: await auditHead(database.sql) });
		expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(length / 3));
		expect(progress.at(-1)).toBe(length);

		const command = cli(database, ['audit:verify', '--batch-size', '2']);
		expect(command.code).toBe(0);
		const head = (await auditHead(database.sql))!;
		expect(command.stdout).toContain(`audit chain OK: ${length} entries, head seq ${head.seq} hash ${head.hash}`);
	});

	it('refuses bad arguments with exit code 2', () => {
		const command = cli(database, ['audit:verify', '--batch-size', 'lots']);
		expect(command.code).toBe(2);
		expect(command.stderr).toContain('--batch-size');
	});

	it('reports an empty chain as intact', async () => {
		const empty = await createTestDatabase();
		try {
			expect(await verifyAuditChain(empty.sql)).toEqual({ ok: true, entries: 0, head: null });
			expect(cli(empty, ['audit:verify']).stdout).toContain('audit chain OK: 0 entries');
		} finally {
			await empty.drop();
		}
	});
});

describe('a tampered chain', () => {
	let database: TestDatabase;
	beforeEach(async () => {
		database = await createTestDatabase();
		await someHistory(database.sql);
	});
	afterEach(async () => {
		await database?.drop();
	});

	it('names the first entry whose details were changed', async () => {
		await tamper(database.ownerSql, (sql) => sql`update audit_entry set details = '{"added": 99}' where seq = 3`);
		const verification = await verifyAuditChain(database.sql, { batchSize: 2 });
		expect(verification).toMatchObject({ ok: false, seq: 3, problem: 'hash_mismatch', entriesChecked: 2 });

		const command = cli(database, ['audit:verify']);
		expect(command.code).toBe(1);
		expect(command.stderr).toContain('audit chain BROKEN at seq 3');
		expect(command.stderr).toContain('changed after it was written');
		expect(command.stdout).toBe('');
	});

	it('names the entry after one that was changed and given a fresh hash (the link no longer holds)', async () => {
		await tamper(
			database.ownerSql,
			(sql) => sql`
				update audit_entry set details = '{"added": 99}',
				       hash = audit_entry_hash(prev_hash, seq, at, actor_user_id, action, voting_session_id, '{"added": 99}'::jsonb)
				where seq = 3`
		);
		expect(await verifyAuditChain(database.sql)).toMatchObject({ ok: false, seq: 4, problem: 'link_mismatch' });
		const command = cli(database, ['audit:verify']);
		expect(command.code).toBe(1);
		expect(command.stderr).toContain('audit chain BROKEN at seq 4');
	});

	it('names a deleted entry by its missing number', async () => {
		await tamper(database.ownerSql, (sql) => sql`delete from audit_entry where seq = 4`);
		expect(await verifyAuditChain(database.sql, { batchSize: 2 })).toMatchObject({
			ok: false,
			seq: 4,
			problem: 'missing_entry',
			entriesChecked: 3
		});
		const command = cli(database, ['audit:verify']);
		expect(command.code).toBe(1);
		expect(command.stderr).toContain('audit chain BROKEN at seq 4');
		expect(command.stderr).toContain('deleted');
	});

	it('shows the break on the admin page', async () => {
		await tamper(database.ownerSql, (sql) => sql`update audit_entry set details = '{"added": 99}' where seq = 2`);
		const app = await startApp(database.url);
		try {
			const staff = await createUser(database.sql, ['staff'], 'staff');
			const visitor = new Visitor(app.baseUrl);
			expect((await visitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
			const response = await visitor.post('/admin/audit?/verify', {});
			expect(response.status).toBe(200);
			const html = await response.text();
			expect(html).toContain('审计链在第 2 条处断裂');
			expect(html).toContain('记录在写入后被改动过');
		} finally {
			await app.stop();
		}
	});
});

/** What an operator with superuser access might do to the ballot box: write with every trigger off. */
async function tamperBallotBox(sql: Sql, change: (tx: TransactionSql) => Promise<unknown>): Promise<void> {
	await sql.begin(async (tx) => {
		await tx`set local session_replication_role = replica`;
		await change(tx);
	});
}

/** The marks' digest as an auditor recomputes it from the published rule: `id:channel` lines, by id. */
function auditorsMarksDigest(marks: { delegateId: number; channel: string }[]): string {
	const lines = [...marks]
		.sort((a, b) => a.delegateId - b.delegateId)
		.map((mark) => `${mark.delegateId}:${mark.channel}`);
	return createHash('sha256').update(lines.join('\n')).digest('hex');
}

describe('the record of casting (no entry per cast)', () => {
	let database: TestDatabase;
	let session: TestSession;
	beforeEach(async () => {
		database = await createTestDatabase();
		session = await someHistory(database.sql);
	});
	afterEach(async () => {
		await database?.drop();
	});

	const entriesOf = (votingSessionId: number) =>
		database.sql<{ seq: number; action: string; details: Record<string, unknown> }[]>`
			select seq, action, details from audit_entry where voting_session_id = ${votingSessionId} order by seq`;

	it('keeps counts at opening and at intervals, and counts with digests at closing', async () => {
		const entries = await entriesOf(session.id);
		expect(entries.map((entry) => entry.action)).toEqual([
			'session.created',
			'electorate.added',
			'session.open',
			'ballots.checkpoint',
			'session.close'
		]);
		const [opening, checkpoint, closing] = entries.slice(2);
		expect(opening!.details).toMatchObject({ electronicMarks: 0, paperMarks: 0, receipts: 0 });
		// While voting: counts only, no digest (it would let the marks' holder find who voted in a quiet interval).
		expect(checkpoint!.details).toEqual({ electronicMarks: 1, paperMarks: 0, receipts: 1 });
		const voters = session.delegates
			.slice(0, 2)
			.map((delegate) => ({ delegateId: delegate.id, channel: 'electronic' }));
		expect(closing!.details).toMatchObject({
			electronicMarks: 2,
			paperMarks: 0,
			receipts: 2,
			ballotsCast: 2,
			marksDigest: auditorsMarksDigest(voters)
		});
		expect(await verifyAuditChain(database.sql)).toMatchObject({ ok: true });
		expect(cli(database, ['tally', String(session.id), '--verify']).code).toBe(0);
	});

	it('takes one checkpoint however many instances ask, and none when the turnout has not changed', async () => {
		const open = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 3 });
		expect(await writeCastCheckpoints(database.sql, 0)).toEqual([]); // nothing cast since opening
		await castBallot(database.sql, {
			votingSessionId: open.id,
			delegateId: open.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [open.candidateIds[1]!] }
		});
		const written = await Promise.all([0, 1, 2, 3].map(() => writeCastCheckpoints(database.sql, 0)));
		expect(written.flat()).toEqual([open.id]);
		expect(await writeCastCheckpoints(database.sql, 0)).toEqual([]);
		// Within the interval, no second checkpoint even when more is cast.
		await castBallot(database.sql, {
			votingSessionId: open.id,
			delegateId: open.delegates[1]!.id,
			selection: { method: 'approval', candidateIds: [open.candidateIds[1]!] }
		});
		expect(await writeCastCheckpoints(database.sql, 3600)).toEqual([]);
		expect(await writeCastCheckpoints(database.sql, 0)).toEqual([open.id]);
		const checkpoints = (await entriesOf(open.id)).filter((entry) => entry.action === 'ballots.checkpoint');
		expect(checkpoints.map((entry) => entry.details.electronicMarks)).toEqual([1, 2]);
	});

	it('catches a has-voted mark swapped for another delegate’s after closing', async () => {
		const [voter, , absent] = session.delegates;
		await tamperBallotBox(database.ownerSql, async (tx) => {
			await tx`delete from ballot_mark where voting_session_id = ${session.id} and delegate_id = ${voter!.id}`;
			await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${absent!.id})`;
		});
		const verification = await verifyAuditChain(database.sql);
		expect(verification).toMatchObject({ ok: false, seq: 5, problem: 'records_differ', votingSessionId: session.id });
		expect(verification.ok === false && verification.differences?.join(' ')).toContain('marksDigest');
		const audit = cli(database, ['audit:verify']);
		expect(audit.code).toBe(1);
		expect(audit.stderr).toContain('audit chain BROKEN at seq 5');
		expect(audit.stderr).toContain('marksDigest');
		// The recount alone would agree (as many marks as ballots): the closing entry's record does not.
		const tally = cli(database, ['tally', String(session.id), '--verify']);
		expect(tally.code).toBe(1);
		expect(tally.stderr).toContain('audit closing entry: marksDigest');
	});

	it('catches a ballot changed after closing', async () => {
		await tamperBallotBox(database.ownerSql, async (tx) => {
			await tx`
				update ballot_choice set candidate_id = ${session.candidateIds[2]!}
				where ballot_id = (select id from ballot where voting_session_id = ${session.id} order by id limit 1)`;
		});
		const verification = await verifyAuditChain(database.sql);
		expect(verification).toMatchObject({ ok: false, seq: 5, problem: 'records_differ' });
		expect(verification.ok === false && verification.differences?.join(' ')).toContain('ballotsDigest');
		const tally = cli(database, ['tally', String(session.id), '--verify']);
		expect(tally.code).toBe(1);
		expect(tally.stderr).toContain('verify: FAILED');
	});

	it('catches a receipt removed after closing', async () => {
		await tamperBallotBox(database.ownerSql, async (tx) => {
			await tx`delete from ballot_receipt where receipt_hash = (
				select receipt_hash from ballot_receipt where voting_session_id = ${session.id} limit 1)`;
		});
		const verification = await verifyAuditChain(database.sql);
		expect(verification).toMatchObject({ ok: false, seq: 5, problem: 'records_differ' });
		expect(verification.ok === false && verification.differences?.join(' ')).toContain('receipts');
	});

	it('catches a checkpoint changed, and one rewritten with every later hash recomputed', async () => {
		await tamper(
			database.ownerSql,
			(sql) => sql`update audit_entry set details = details || '{"electronicMarks": 3}' where seq = 4`
		);
		expect(await verifyAuditChain(database.sql)).toMatchObject({ ok: false, seq: 4, problem: 'hash_mismatch' });
		// A superuser who recomputes every hash from there on passes the chain's own check (and is
		// seen by the head the hall photographed at closing), but the checkpoint now claims more casts
		// than the closing entry after it counts.
		await tamper(database.ownerSql, async (sql) => {
			for (const seq of [4, 5])
				await sql`
					update audit_entry set
					  prev_hash = (select hash from audit_entry where seq = ${seq - 1}),
					  hash = audit_entry_hash((select hash from audit_entry where seq = ${seq - 1}), seq, at, actor_user_id, action, voting_session_id, details)
					where seq = ${seq}`;
		});
		const verification = await verifyAuditChain(database.sql);
		expect(verification).toMatchObject({ ok: false, seq: 4, problem: 'records_differ', votingSessionId: session.id });
		expect(verification.ok === false && verification.differences?.join(' ')).toContain('electronicMarks');
	});

	it('catches a mark removed from an open vote after a checkpoint counted it', async () => {
		const open = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 3 });
		for (const delegate of open.delegates.slice(0, 2))
			await castBallot(database.sql, {
				votingSessionId: open.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [open.candidateIds[0]!] }
			});
		expect(await writeCastCheckpoints(database.sql, 0)).toEqual([open.id]);
		expect(await verifyAuditChain(database.sql)).toMatchObject({ ok: true });
		await tamperBallotBox(database.ownerSql, async (tx) => {
			await tx`delete from ballot_mark where voting_session_id = ${open.id} and delegate_id = ${open.delegates[0]!.id}`;
		});
		const verification = await verifyAuditChain(database.sql);
		expect(verification).toMatchObject({ ok: false, problem: 'records_differ', votingSessionId: open.id });
		expect(verification.ok === false && verification.differences?.join(' ')).toContain('the tables now 1, fewer');
	});

	it('shows a broken record on the admin page', async () => {
		await tamperBallotBox(database.ownerSql, async (tx) => {
			await tx`delete from ballot_mark where voting_session_id = ${session.id} and delegate_id = ${session.delegates[0]!.id}`;
		});
		const app = await startApp(database.url);
		try {
			const staff = await createUser(database.sql, ['staff'], 'staff');
			const visitor = new Visitor(app.baseUrl);
			expect((await visitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
			const html = await (await visitor.post('/admin/audit?/verify', {})).text();
			expect(html).toContain('审计链在第 5 条处断裂');
			expect(html).toContain('与现有的已投票标记、回执或选票不符');
			expect(html).toContain(`票决 ${session.id}，不符之处：`);
		} finally {
			await app.stop();
		}
	});
});

describe('the audit page', () => {
	const database = useTestDatabase();
	let app: RunningApp;
	let session: TestSession;
	let otherSession: TestSession;
	let staff: { id: number; username: string };
	let scrutineer: { id: number; username: string };

	beforeAll(async () => {
		session = await someHistory(database.sql);
		otherSession = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 1 });
		staff = await createUser(database.sql, ['staff'], 'staff');
		scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		// A staff action, and enough entries for more than one page.
		await appendAudit(database.sql, {
			actorUserId: staff.id,
			action: 'test.note',
			votingSessionId: otherSession.id,
			details: { note: '备注' }
		});
		for (let index = 0; index < 55; index += 1)
			await appendAudit(database.sql, { actorUserId: null, action: 'test.filler', details: { index } });
		app = await startApp(database.url);
	});
	afterAll(async () => {
		await app?.stop();
	});

	async function signedIn(username: string): Promise<Visitor> {
		const visitor = new Visitor(app.baseUrl);
		expect((await visitor.signIn(username, TEST_PASSWORD)).status).toBe(303);
		return visitor;
	}

	/** The sequence numbers listed, top to bottom. */
	function listedSeqs(html: string): number[] {
		return [...html.matchAll(/<tr[^>]*>\s*<td class="num[^"]*">(\d+)<\/td>/g)].map((match) => Number(match[1]));
	}

	it('is for staff and scrutineers only', async () => {
		const anonymous = await new Visitor(app.baseUrl).get('/admin/audit');
		expect(anonymous.status).toBe(303);
		expect(anonymous.headers.get('location')).toBe('/login?redirectTo=%2Fadmin%2Faudit');
		const delegate = await signedIn(session.delegates[0]!.username);
		const resident = await signedIn((await createUser(database.sql, ['resident'], 'resident')).username);
		for (const visitor of [delegate, resident]) {
			expect((await visitor.get('/admin/audit')).status).toBe(403);
			expect((await visitor.post('/admin/audit?/verify', {})).status).toBe(403);
		}
		for (const username of [staff.username, scrutineer.username]) {
			const response = await (await signedIn(username)).get('/admin/audit');
			expect(response.status).toBe(200);
			expect(await response.text()).toContain('审计日志');
		}
		// The refused verifications did not run.
		expect(await database.sql`select 1 from audit_entry where action = 'audit.verified'`).toHaveLength(0);
	});

	it('lists the newest entries first, 50 a page, with links to older and newer ones', async () => {
		const visitor = await signedIn(staff.username);
		const head = (await auditHead(database.sql))!;
		const first = await (await visitor.get('/admin/audit')).text();
		const firstSeqs = listedSeqs(first);
		expect(firstSeqs).toEqual(Array.from({ length: 50 }, (_, index) => head.seq - index));
		expect(first).toContain(head.hash.slice(0, 12));
		const older = /href="([^"]*before=\d+)"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
		expect(older).toBe(`/admin/audit?before=${head.seq - 49}`);

		const second = await (await visitor.get(older!)).text();
		expect(listedSeqs(second)).toEqual(Array.from({ length: head.seq - 50 }, (_, index) => head.seq - 50 - index));
		expect(second).not.toMatch(/href="[^"]*before=/);
		const newer = /href="([^"]*after=\d+)"/.exec(second)?.[1]?.replace(/&amp;/g, '&');
		expect(newer).toBe(`/admin/audit?after=${head.seq - 50}`);
		expect(listedSeqs(await (await visitor.get(newer!)).text())).toEqual(firstSeqs);
	});

	it('filters by session, action, actor and dates, and says so when a date is wrong', async () => {
		const visitor = await signedIn(scrutineer.username);
		const sessionSeqs = (
			await database.sql<
				{ seq: number }[]
			>`select seq from audit_entry where voting_session_id = ${session.id} order by seq desc`
		).map((row) => row.seq);
		expect(sessionSeqs.length).toBeGreaterThanOrEqual(5);
		const bySession = await (await visitor.get(`/admin/audit?session=${session.id}`)).text();
		expect(listedSeqs(bySession)).toEqual(sessionSeqs);
		expect(bySession).toContain('开始投票');

		const checkpoints = await (
			await visitor.get(`/admin/audit?session=${session.id}&action=ballots.checkpoint`)
		).text();
		expect(listedSeqs(checkpoints)).toHaveLength(1);
		expect(checkpoints).toContain('投票进度检查点');

		const byStaff = await (await visitor.get(`/admin/audit?actor=${staff.id}`)).text();
		expect(listedSeqs(byStaff)).toHaveLength(1);
		expect(byStaff).toContain('备注');
		const bySystem = listedSeqs(await (await visitor.get(`/admin/audit?actor=system&action=test.filler`)).text());
		expect(bySystem).toHaveLength(50);

		const shanghaiDay = (offsetDays: number) =>
			new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
				new Date(Date.now() + offsetDays * 86_400_000)
			);
		expect(
			listedSeqs(
				await (
					await visitor.get(`/admin/audit?session=${session.id}&from=${shanghaiDay(-1)}&to=${shanghaiDay(1)}`)
				).text()
			)
		).toEqual(sessionSeqs);
		const future = await (await visitor.get(`/admin/audit?session=${session.id}&from=${shanghaiDay(2)}`)).text();
		expect(listedSeqs(future)).toEqual([]);
		expect(future).toContain('没有符合条件的记录');

		const wrong = await (await visitor.get(`/admin/audit?from=2024-02-30&to=2024-01-01`)).text();
		expect(wrong).toContain('请输入有效日期（年-月-日）');
		expect(wrong).toContain('value="2024-02-30"');
		const reversed = await (await visitor.get(`/admin/audit?from=2024-03-01&to=2024-01-01`)).text();
		expect(reversed).toContain('截止日期不能早于起始日期');
		expect(listedSeqs(reversed)).toEqual([]);
	});

	it('verifies the chain on request and records who did', async () => {
		const visitor = await signedIn(scrutineer.username);
		const before = (await auditHead(database.sql))!;
		const response = await visitor.post('/admin/audit?/verify', {});
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain(`审计链完整：共 ${before.seq} 条记录，链头为第 ${before.seq} 条`);
		expect(html).toContain(before.hash);
		const [recorded] = await database.sql<
			{ seq: number; action: string; actorUserId: number; details: Record<string, unknown> }[]
		>`
			select seq, action, actor_user_id as "actorUserId", details from audit_entry order by seq desc limit 1`;
		expect(recorded).toEqual({
			seq: before.seq + 1,
			action: 'audit.verified',
			actorUserId: scrutineer.id,
			details: { intact: true, entries: before.seq, headSeq: before.seq, headHash: before.hash }
		});
		expect(await verifyAuditChain(database.sql)).toMatchObject({ ok: true, entries: before.seq + 1 });
	});
});
