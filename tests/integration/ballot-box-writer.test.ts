// Ballots a database writer can change (issue 12, items 3 and 4), tried as the app's own runtime
// role: what a compromised app, or anyone holding its connection, could send.
import { describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { verifyTally } from '../../src/lib/server/voting/results';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import { countRows, createUser, createVotingSession, type TestSession } from '../helpers/factory';

const database = useTestDatabase();

async function cast(session: TestSession, index: number, candidateIds: number[]) {
	const result = await castBallot(database.sql, {
		votingSessionId: session.id,
		delegateId: session.delegates[index]!.id,
		selection: { method: 'approval', candidateIds }
	});
	if (!result.ok) throw new Error(`the test cast was refused: ${JSON.stringify(result.error)}`);
}

async function ballotIds(sessionId: number): Promise<string[]> {
	const rows = await database.sql<{ id: string }[]>`select id from ballot where voting_session_id = ${sessionId}`;
	return rows.map((row) => row.id);
}

describe('choices of an existing ballot (item 3)', () => {
	it('refuses choice rows added to a ballot cast earlier, so a 10-place ballot cannot grow to 16', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 20, seats: 10, delegates: 3 });
		await cast(session, 0, session.candidateIds.slice(0, 10));
		await cast(session, 1, [session.candidateIds[0]!]);
		const [full, single] = await Promise.all([
			sql<{ id: string }[]>`select ballot_id as id from ballot_choice where voting_session_id = ${session.id}
				group by ballot_id having count(*) = 10`,
			sql<{ id: string }[]>`select ballot_id as id from ballot_choice where voting_session_id = ${session.id}
				group by ballot_id having count(*) = 1`
		]);
		// Six more ticks on the full ballot, in one statement and one by one: both refused.
		await expect(
			sql`insert into ballot_choice ${sql(
				session.candidateIds.slice(10, 16).map((candidateId) => ({
					ballot_id: full[0]!.id,
					voting_session_id: session.id,
					candidate_id: candidateId,
					choice: 'for'
				}))
			)}`
		).rejects.toMatchObject({ code: 'PJ102' });
		await expect(
			sql`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
				values (${single[0]!.id}, ${session.id}, ${session.candidateIds[5]!}, 'for')`
		).rejects.toMatchObject({ code: 'PJ102' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 2, ballots: 2, choices: 11 });

		const staff = await createUser(sql, ['staff']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		expect(verification?.recomputed).toMatchObject({ ballotsCast: 2, validBallots: 2 });
	});

	it('refuses choices written after the ballot’s own check ran, even in the same transaction', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 6, seats: 2, delegates: 2 });
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${session.id}) returning id`;
				await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
					values (${ballot!.id}, ${session.id}, ${session.candidateIds[0]!}, 'for')`;
				await tx`set constraints all immediate`; // the commit-time checks run now, and pass
				for (const candidateId of session.candidateIds.slice(1, 4))
					await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
						values (${ballot!.id}, ${session.id}, ${candidateId}, 'for')`;
			})
		).rejects.toMatchObject({ code: 'PJ102' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('still accepts a whole ballot written by hand in one transaction, and refuses one over the limit at commit', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 6, seats: 2, delegates: 2 });
		const write = (delegateIndex: number, ticks: number) =>
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[delegateIndex]!.id})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${session.id}) returning id`;
				// Choices one statement at a time: the limit is checked over all of them at commit.
				for (const candidateId of session.candidateIds.slice(0, ticks))
					await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
						values (${ballot!.id}, ${session.id}, ${candidateId}, 'for')`;
			});
		await write(0, 2);
		await expect(write(1, 3)).rejects.toMatchObject({ code: 'PJ103' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 2 });
		expect(await ballotIds(session.id)).toHaveLength(1);
	});
});

describe('the commit-time count of marks and ballots (item 4)', () => {
	it('cannot be talked out of a mark without a ballot with transaction-local settings', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 2 });
		// What 00008 trusted: settings any writer may set. Zeroing the mark count let this commit.
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				await tx`select set_config(${`piaojue.ballot_box_marks_${session.id}`}, '0', true)`;
				await tx`select set_config(${`piaojue.ballot_box_ballots_${session.id}`}, '0', true)`;
			})
		).rejects.toMatchObject({ code: 'PJ101' });
		// Nor a ballot without a mark (a ballot stuffed into the box).
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot (voting_session_id) values (${session.id})`;
				await tx`select set_config(${`piaojue.ballot_box_ballots_${session.id}`}, '0', true)`;
				await tx`select set_config(${`piaojue.ballot_box_marks_${session.id}`}, '1', true)`;
			})
		).rejects.toMatchObject({ code: 'PJ101' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('keeps its counts where the runtime role cannot reach them', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 2 });
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				await tx`delete from ballot_box_balance`;
			})
		).rejects.toThrow(/permission denied/);
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				await tx`update ballot_box_balance set balance = 0`;
			})
		).rejects.toThrow(/permission denied/);
		await expect(sql`select ballot_box_check_balance(${session.id})`).rejects.toThrow(/permission denied/);
		await expect(sql`select * from ballot_box_new_ballot`).rejects.toThrow(/permission denied/);
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('leaves nothing behind in its own tables once the casts have committed', async () => {
		const { sql, ownerSql } = database;
		const session = await createVotingSession(sql, { delegates: 20, candidates: 4, seats: 2 });
		await Promise.all(session.delegates.map((_, index) => cast(session, index, [session.candidateIds[index % 4]!])));
		const [left] = await ownerSql<{ balances: number; ballots: number }[]>`
			select (select count(*) from ballot_box_balance)::int as balances, (select count(*) from ballot_box_new_ballot)::int as ballots`;
		expect(left).toEqual({ balances: 0, ballots: 0 });
		expect(await countRows(sql, session.id)).toEqual({ marks: 20, ballots: 20, choices: 20 });
	});
});
