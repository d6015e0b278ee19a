// Backup and restore round trip, verified the way an auditor would: tally --verify and audit:verify.
import { runCli } from '../helpers/cli';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn } from '../helpers/factory';

const source = useTestDatabase();
const target = useTestDatabase();
let folder: string;

beforeAll(async () => {
	folder = await mkdtemp(path.join(tmpdir(), 'piaojue-backup-'));
});

/** The CLI as an operator runs it: the app's role in DATABASE_URL, the owner's (backup, restore) in DATABASE_OWNER_URL. */
const cli = (database: TestDatabase, args: string[]) =>
	runCli(args, { databaseUrl: database.url, env: { DATABASE_OWNER_URL: database.ownerUrl } });

async function tableCounts(database: TestDatabase): Promise<Record<string, number>> {
	const tables = await database.sql<{ name: string }[]>`
		select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
	const counts: Record<string, number> = {};
	for (const { name } of tables) {
		const [row] = await database.sql<{ rows: number }[]>`select count(*)::int as rows from ${database.sql(name)}`;
		counts[name] = row?.rows ?? 0;
	}
	return counts;
}

describe('backup and restore', () => {
	it('restores a consistent snapshot that verifies, and refuses what it cannot restore safely', async () => {
		const session = await createVotingSession(source.sql, { candidates: 4, seats: 2, delegates: 5, open: false });
		await source.sql`update candidate set title = ${'城乡“断头路”打通, 含逗号\t和制表符'} where id = ${session.candidateIds[0]!}`;
		expect((await applyLifecycle(source.sql, session.id, 'open', null)).ok).toBe(true);
		for (const [index, delegate] of session.delegates.entries()) {
			await castBallot(source.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: session.candidateIds.slice(index % 2, (index % 2) + 2) }
			});
		}
		const staff = await createUser(source.sql, ['staff']);
		const scrutineer = await createUser(source.sql, ['scrutineer']);
		await applyLifecycle(source.sql, session.id, 'close', staff.id);
		await confirmTally(source.sql, session.id, scrutineer.id, await passwordSignIn(source.sql, scrutineer.id));
		await applyLifecycle(source.sql, session.id, 'publish', staff.id);

		const file = path.join(folder, 'piaojue.backup');
		const backup = cli(source, ['backup', file]);
		expect(backup.stderr).toBe('');
		expect(backup.code).toBe(0);
		expect(backup.stdout).toContain('backup written');
		expect(cli(source, ['backup', file]).stderr).toContain('exists already');

		const restored = cli(target, ['restore', file]);
		expect(restored.stderr).toBe('');
		expect(restored.code).toBe(0);
		expect(await tableCounts(target)).toEqual(await tableCounts(source));
		const [title] = await target.sql<
			{ title: string }[]
		>`select title from candidate where id = ${session.candidateIds[0]!}`;
		expect(title?.title).toBe('城乡“断头路”打通, 含逗号\t和制表符');

		const verify = cli(target, ['tally', String(session.id), '--verify']);
		expect(verify.stdout).toContain('verify: OK');
		expect(verify.code).toBe(0);
		const audit = cli(target, ['audit:verify']);
		expect(audit.code).toBe(0);
		// New rows continue after the restored ids.
		const [category] = await target.sql<
			{ id: number }[]
		>`insert into category (name, position) values ('新方面', 99) returning id`;
		const [maxBefore] = await source.sql<{ id: number }[]>`select max(id)::int as id from category`;
		expect(category!.id).toBeGreaterThan(maxBefore!.id);

		// A second restore into the now filled database is refused and changes nothing.
		const again = cli(target, ['restore', file]);
		expect(again.code).toBe(1);
		expect(again.stderr).toContain('the database is not empty');

		// A backup from another schema version is refused.
		const lines = (await readFile(file, 'utf8')).split('\n');
		const header = JSON.parse(lines[0]!) as { migrations: { checksum: string }[] };
		header.migrations[0]!.checksum = 'f'.repeat(64);
		const foreign = path.join(folder, 'foreign.backup');
		await writeFile(foreign, [JSON.stringify(header), ...lines.slice(1)].join('\n'));
		const fresh = await createTestDatabase();
		try {
			const mismatch = cli(fresh, ['restore', foreign]);
			expect(mismatch.code).toBe(1);
			expect(mismatch.stderr).toContain("the backup's schema");
			// A damaged file writes nothing.
			const cut = path.join(folder, 'cut.backup');
			await writeFile(cut, lines.slice(0, Math.floor(lines.length / 2)).join('\n'));
			const damaged = cli(fresh, ['restore', cut]);
			expect(damaged.code).toBe(1);
			expect(damaged.stderr).toContain('damaged');
			expect(Object.values(await tableCounts(fresh)).reduce((sum, rows) => sum + rows, 0)).toBe(
				(await tableCounts(fresh)).schema_migration
			);
		} finally {
			await fresh.drop();
		}
	}, 120_000);
});

describe('backup row order', () => {
	it('writes ballots and has-voted marks in key order, not in the order they were cast', async () => {
		const database = await createTestDatabase();
		try {
			const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 30 });
			// Cast in reverse order of delegate id, so insertion order differs from key order.
			for (const delegate of [...session.delegates].reverse()) {
				await castBallot(database.sql, {
					votingSessionId: session.id,
					delegateId: delegate.id,
					selection: { method: 'approval', candidateIds: [session.candidateIds[delegate.id % 4]!] }
				});
			}
			const file = path.join(folder, 'order.backup');
			expect(cli(database, ['backup', file]).code).toBe(0);
			const text = await readFile(file, 'utf8');
			const section = (table: string) => {
				const start = text.indexOf(`@@table ${table} `);
				return text.slice(text.indexOf('\n', start) + 1, text.indexOf('\n\\.\n', start)).split('\n');
			};
			const markDelegates = section('ballot_mark').map((line) => Number(line.split('\t')[1]));
			expect(markDelegates).toEqual([...markDelegates].sort((a, b) => a - b));
			const ballotIds = section('ballot').map((line) => line.split('\t')[0]!);
			expect(ballotIds).toEqual([...ballotIds].sort());
		} finally {
			await database.drop();
		}
	}, 60_000);
});
