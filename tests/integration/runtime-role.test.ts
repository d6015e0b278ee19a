// The app's runtime role (issue 12, item 5): a compromised app holds only what the app does. It
// cannot switch triggers off, take the replica role, change the schema, or update, delete or
// truncate what is append-only; the owner (a superuser here) still can, which the published
// audit head and the checks before confirming and publishing make visible.
import { describe, expect, it } from 'vitest';
import { describeConnectionRole } from '../../src/lib/server/db/runtime-role';
import { castBallot } from '../../src/lib/server/voting/casting';
import { useTestDatabase } from '../helpers/suite';
import { countRows, createVotingSession } from '../helpers/factory';

const database = useTestDatabase();

const PERMISSION = /permission denied|must be owner|must be superuser/;

describe('the runtime role', () => {
	it('is no superuser and cannot change the schema', async () => {
		const role = await describeConnectionRole(database.sql);
		expect(role).toMatchObject({ superuser: false, canChangeSchema: false });
		const owner = await describeConnectionRole(database.ownerSql);
		expect(owner.superuser).toBe(true);
	});

	it('cannot switch the audit chain’s trigger off, nor every trigger with the replica role', async () => {
		const { sql } = database;
		await expect(sql`alter table audit_entry disable trigger audit_entry_chain`).rejects.toThrow(PERMISSION);
		await expect(sql`alter table ballot disable trigger user`).rejects.toThrow(PERMISSION);
		await expect(sql.begin((tx) => tx`set local session_replication_role = replica`)).rejects.toThrow(PERMISSION);
		await expect(sql`create table forged (id int)`).rejects.toThrow(PERMISSION);
		await expect(sql`drop table audit_entry`).rejects.toThrow(PERMISSION);
		await expect(
			sql`create or replace function refuse_truncate() returns trigger language plpgsql as $$ begin return null; end $$`
		).rejects.toThrow(PERMISSION);
	});

	it('may not update, delete or truncate the append-only tables, which the app only inserts into', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const cast = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
		expect(cast.ok).toBe(true);
		for (const table of ['ballot', 'ballot_mark', 'ballot_choice', 'audit_entry', 'voting_result', 'paper_batch']) {
			await expect(sql`delete from ${sql(table)}`).rejects.toThrow(PERMISSION);
			await expect(sql`truncate ${sql(table)}`).rejects.toThrow(PERMISSION);
		}
		await expect(sql`update audit_entry set action = 'forged'`).rejects.toThrow(PERMISSION);
		await expect(sql`update ballot set is_void = true`).rejects.toThrow(PERMISSION);
		await expect(sql`update ballot_choice set choice = 'against'`).rejects.toThrow(PERMISSION);
		await expect(sql`insert into schema_migration (version, name, checksum) values (999, 'x', 'x')`).rejects.toThrow(
			PERMISSION
		);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 1 });
	});

	it('still does what the app does: reads every table it needs, writes sessions, rate limits and the audit', async () => {
		const { sql } = database;
		const [row] = await sql<{ entries: number }[]>`select count(*)::int as entries from audit_entry`;
		expect(row!.entries).toBeGreaterThan(0);
		await sql`insert into rate_limit_bucket (key, tokens, refilled_at) values ('runtime-role-test', 1, now())`;
		await sql`update rate_limit_bucket set tokens = 2 where key = 'runtime-role-test'`;
		await sql`delete from rate_limit_bucket where key = 'runtime-role-test'`;
	});
});
