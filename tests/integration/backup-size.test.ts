// Backup and restore at a real congress's size (issue 12, item 11): the 444-delegate demo, a public
// selection with 100,000 supports and a vote of 5,000 ballots. `backup` used to hang once a
// table's COPY passed about 30 KB (postgres.js left the connection's socket paused after the COPY,
// so the next query was never sent). Each command must finish within COMMAND_LIMIT_MS; on this
// shared 2-core machine the backup took 3.4 s (3.9 MB) and the restore 6.8 s. After the restore,
// `tally --verify` and `audit:verify` pass and every table holds what the source held.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRound, closeRoundNow } from '../../src/lib/server/residents/selection';
import { seedDemo } from '../../src/lib/server/seed/demo';
import { applyLifecycle, enrollDelegates, insertVotingSession } from '../../src/lib/server/voting/sessions';
import { runCli } from '../helpers/cli';
import { type TestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';
import { PROCEDURE_OFF } from '../helpers/factory';

/** The bound on each CLI command: far above the time it takes, far below "it hangs". */
const COMMAND_LIMIT_MS = 240_000;
const SUPPORTS = 100_000;
const SUPPORTS_EACH = 20;
const BALLOTS = 5_000;

const source = useTestDatabase();
const target = useTestDatabase();
let folder: string;

beforeAll(async () => {
	folder = await mkdtemp(path.join(tmpdir(), 'piaojue-backup-size-'));
});
afterAll(async () => {
	await rm(folder, { recursive: true, force: true });
});

function cli(database: TestDatabase, args: string[]) {
	const startedAt = Date.now();
	const result = runCli(args, {
		databaseUrl: database.url,
		env: { DATABASE_OWNER_URL: database.ownerUrl },
		timeoutMs: COMMAND_LIMIT_MS
	});
	return { ...result, seconds: (Date.now() - startedAt) / 1000 };
}

async function tableCounts(database: TestDatabase): Promise<Record<string, number>> {
	const tables = await database.ownerSql<{ name: string }[]>`
		select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
	const counts: Record<string, number> = {};
	for (const { name } of tables) {
		const [row] = await database.ownerSql<
			{ rows: number }[]
		>`select count(*)::int as rows from ${database.ownerSql(name)}`;
		counts[name] = row?.rows ?? 0;
	}
	return counts;
}

/** A public selection round over the demo's candidates with SUPPORTS supports, written in bulk. */
async function seedSupports(staffId: number): Promise<number> {
	const { sql } = source;
	const candidateIds = (await sql<{ id: number }[]>`select id from candidate order by id`).map((row) => row.id);
	const created = await createRound(
		sql,
		{
			title: '备份测试：公开评选',
			opensAt: new Date(Date.now() - 60_000),
			closesAt: new Date(Date.now() + 3_600_000),
			maxSupports: SUPPORTS_EACH,
			liveRanking: false,
			// The residents below are written in bulk, unverified: the round takes any registered resident.
			eligibility: 'registered',
			candidateIds
		},
		staffId
	);
	if (!created.ok) throw new Error(`could not create the round: ${created.problem}`);
	const residents = SUPPORTS / SUPPORTS_EACH;
	await sql`
		with created as (
			insert into app_user (username, display_name)
			select 'backup-resident-' || number, '备份测试居民' || number from generate_series(1, ${residents}::int) as number
			returning id
		)
		insert into user_role (user_id, role) select id, 'resident' from created`;
	await sql`
		insert into selection_participant (round_id, resident_id, max_supports)
		select ${created.id}, id, ${SUPPORTS_EACH} from app_user where username like 'backup-resident-%'`;
	for (const shard of Array.from({ length: 16 }, (_, index) => index)) {
		await sql`
			insert into selection_support (round_id, resident_id, candidate_id)
			select ${created.id}, u.id, c.candidate_id
			from app_user u
			cross join generate_series(0, ${SUPPORTS_EACH - 1}::int) as pick
			join selection_round_candidate c on c.round_id = ${created.id} and c.position = 1 + ((u.id + pick) % ${candidateIds.length}::int)
			where u.username like 'backup-resident-%' and u.id % 16 = ${shard}`;
	}
	const closed = await closeRoundNow(sql, created.id, staffId);
	if (!closed.ok) throw new Error(`could not close the round: ${closed.problem}`);
	return created.id;
}

/** A closed vote of BALLOTS delegates, every one of whom voted (written in bulk, as the app's role). */
async function seedVote(staffId: number): Promise<number> {
	const { sql } = source;
	const candidateIds = (await sql<{ id: number }[]>`select id from candidate order by id`).map((row) => row.id);
	await sql`
		with created as (
			insert into app_user (username, display_name)
			select 'backup-delegate-' || number, '备份测试代表' || number from generate_series(1, ${BALLOTS}::int) as number
			returning id
		)
		insert into user_role (user_id, role) select id, 'delegate' from created`;
	const delegateIds = (
		await sql<{ id: number }[]>`select id from app_user where username like 'backup-delegate-%' order by id`
	).map((row) => row.id);
	const sessionId = (await sql.begin(async (tx) => {
		const id = await insertVotingSession(
			tx,
			{
				title: '备份测试：5000 张选票',
				year: 2023,
				rules: { ballotMethod: 'approval', seats: 10, thresholdBase: 'cast' },
				candidateIds,
				procedure: { ...PROCEDURE_OFF }
			},
			staffId
		);
		await enrollDelegates(tx, id, delegateIds, staffId);
		// Every delegate checked in at the hall (the quorum, and only the checked-in cast).
		await tx`update electorate_member set present = true where voting_session_id = ${id}`;
		return id;
	})) as number;
	expect((await applyLifecycle(sql, sessionId, 'open', staffId)).ok).toBe(true);
	await sql.begin(async (tx) => {
		await tx`insert into ballot_mark (voting_session_id, delegate_id) select ${sessionId}, unnest(${delegateIds}::bigint[])`;
		const ballots = await tx<{ id: string }[]>`
			insert into ballot (voting_session_id) select ${sessionId} from generate_series(1, ${BALLOTS}::int) returning id`;
		await tx`
			insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
			select b.id, ${sessionId}, c.id, 'for'
			from unnest(${ballots.map((ballot) => ballot.id)}::uuid[]) with ordinality as b(id, n)
			join lateral (select id from unnest(${candidateIds}::bigint[]) as id order by (id + b.n) % 7, id limit 1 + b.n % 10) c on true`;
	});
	expect((await applyLifecycle(sql, sessionId, 'close', staffId)).ok).toBe(true);
	return sessionId;
}

describe('backup and restore at a real size', () => {
	it('round-trips the demo, 100,000 supports and 5,000 ballots, then verifies', async () => {
		const credentials = await seedDemo(source.sql);
		const [staff] = await source.sql<
			{ id: number }[]
		>`select id from app_user where username = ${credentials.staff.username}`;
		const roundId = await seedSupports(staff!.id);
		const voteId = await seedVote(staff!.id);
		const [supports] = await source.sql<{ count: number }[]>`
			select count(*)::int as count from selection_support where round_id = ${roundId}`;
		expect(supports!.count).toBe(SUPPORTS);
		const sourceCounts = await tableCounts(source);
		expect(sourceCounts.ballot).toBeGreaterThanOrEqual(BALLOTS);
		expect(sourceCounts.app_user).toBeGreaterThan(444 + SUPPORTS / SUPPORTS_EACH + BALLOTS - 1);

		const file = path.join(folder, 'congress.backup');
		const backup = cli(source, ['backup', file]);
		expect(backup.timedOut, `backup did not finish within ${COMMAND_LIMIT_MS / 1000} s`).toBe(false);
		expect(backup.code, backup.stderr).toBe(0);
		expect((await stat(file)).size).toBeGreaterThan(1_000_000);

		const restore = cli(target, ['restore', file]);
		expect(restore.timedOut, `restore did not finish within ${COMMAND_LIMIT_MS / 1000} s`).toBe(false);
		expect(restore.code, restore.stderr).toBe(0);
		expect(await tableCounts(target)).toEqual(sourceCounts);

		const closedSessions = await target.sql<{ id: number }[]>`
			select id from voting_session where status in ('closed', 'published') order by id`;
		expect(closedSessions.map((row) => row.id)).toContain(voteId);
		for (const { id } of closedSessions) {
			const verify = cli(target, ['tally', String(id), '--verify']);
			expect(verify.code, `tally ${id} --verify: ${verify.stderr}`).toBe(0);
		}
		const audit = cli(target, ['audit:verify']);
		expect(audit.code, audit.stderr).toBe(0);
		console.log(
			`backup ${backup.seconds.toFixed(1)} s (${((await stat(file)).size / 1e6).toFixed(1)} MB), restore ${restore.seconds.toFixed(1)} s`
		);
	}, 900_000);
});
