// The ballot box's commit-time check (migrations/00008): whatever writes marks and ballots, a
// transaction commits only when it adds as many has-voted marks as ballots to each session.
import { describe, expect, it } from 'vitest';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { castBallot } from '../../src/lib/server/voting/casting';
import { confirmPaperBatch, enterPaperBatch } from '../../src/lib/server/voting/paper';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { verifyTally } from '../../src/lib/server/voting/results';
import { countRows, createUser, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';
import { createTestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();

const MISMATCH = /has-voted marks but/;

function delegateOf(session: TestSession, index: number): number {
	return (session.delegates[index] as { id: number }).id;
}

describe('marks and ballots at commit', () => {
	it('refuses, at the commit, a transaction that writes a mark without a ballot or a ballot without a mark', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const reached: string[] = [];
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${delegateOf(session, 0)})`;
				// Not refused yet: the check waits for the commit.
				await tx`select 1`;
				reached.push('after the mark');
			})
		).rejects.toThrow(MISMATCH);
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot (voting_session_id) values (${session.id})`;
				reached.push('after the ballot');
			})
		).rejects.toThrow(MISMATCH);
		expect(reached).toEqual(['after the mark', 'after the ballot']);
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('counts per session: a mark in one session and a ballot in another are refused', async () => {
		const { sql } = database;
		const first = await createVotingSession(sql);
		const second = await createVotingSession(sql);
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${first.id}, ${delegateOf(first, 0)})`;
				await tx`insert into ballot (voting_session_id) values (${second.id})`;
			})
		).rejects.toThrow(MISMATCH);
		expect(await countRows(sql, first.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
		expect(await countRows(sql, second.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('follows savepoints: what a rolled-back savepoint wrote is not counted', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		// The pair is whole, a ballot written in a savepoint that is rolled back is gone: accepted.
		await sql.begin(async (tx) => {
			await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${delegateOf(session, 0)})`;
			await tx`insert into ballot (voting_session_id) values (${session.id})`;
			await tx
				.savepoint(async (inner) => {
					await inner`insert into ballot (voting_session_id) values (${session.id})`;
					throw new Error('taken back');
				})
				.catch(() => {});
		});
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 0 });
		// The mark survives, its ballot was taken back with the savepoint: refused.
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${delegateOf(session, 1)})`;
				await tx
					.savepoint(async (inner) => {
						await inner`insert into ballot (voting_session_id) values (${session.id})`;
						throw new Error('taken back');
					})
					.catch(() => {});
			})
		).rejects.toThrow(MISMATCH);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 0 });
	});

	it('starts every transaction afresh on the same connection: counts never carry over', async () => {
		const database = await createTestDatabase({ max: 1 });
		try {
			const { sql } = database;
			const session = await createVotingSession(sql, { delegates: 4 });
			const cast = (index: number) =>
				castBallot(sql, {
					votingSessionId: session.id,
					delegateId: delegateOf(session, index),
					selection: { method: 'approval', candidateIds: [session.candidateIds[0] as number] }
				});
			expect((await cast(0)).ok).toBe(true);
			// A lone mark after a whole cast is still a lone mark.
			await expect(
				sql.begin(
					(tx) =>
						tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${delegateOf(session, 1)})`
				)
			).rejects.toThrow(MISMATCH);
			// And the refused transaction leaves nothing behind for the next cast.
			expect((await cast(1)).ok).toBe(true);
			expect((await cast(2)).ok).toBe(true);
			expect(await countRows(sql, session.id)).toEqual({ marks: 3, ballots: 3, choices: 3 });
		} finally {
			await database.drop();
		}
	});

	it('accepts casts at the same moment, each whole', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 30, candidates: 6, seats: 3 });
		const results = await Promise.all(
			session.delegates.map((delegate, index) =>
				castBallot(sql, {
					votingSessionId: session.id,
					delegateId: delegate.id,
					selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, index % 4) }
				})
			)
		);
		expect(results.filter((result) => !result.ok)).toEqual([]);
		const choices = session.delegates.reduce((sum, _, index) => sum + (index % 4), 0);
		expect(await countRows(sql, session.id)).toEqual({ marks: 30, ballots: 30, choices });
	});

	it('lets a paper batch through beside electronic casts, and refuses a batch written with a ballot short', async () => {
		const { sql } = database;
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 6 });
		expect(
			(
				await castBallot(sql, {
					votingSessionId: session.id,
					delegateId: delegateOf(session, 0),
					selection: { method: 'approval', candidateIds: [session.candidateIds[1] as number] }
				})
			).ok
		).toBe(true);
		const reading = readPaperBallots('approval', 2, session.candidateIds, '1 2\n3\n空白');
		if (!reading.ok) throw new Error('unreadable test ballots');
		const entered = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: session.delegates.slice(1, 4).map((delegate) => delegate.username),
			ballots: reading.ballots,
			scrutineerIds: [scrutineer.id],
			note: ''
		});
		expect(entered).toMatchObject({ ok: true, ballots: 3 });
		// Its ballots wait for the named scrutineer, balancing the marks until then.
		expect(await countRows(sql, session.id)).toEqual({ marks: 4, ballots: 1, choices: 1 });
		expect(
			await confirmPaperBatch(sql, {
				batchId: entered.ok ? entered.batchId : 0,
				scrutineerId: scrutineer.id,
				authSessionId: await passwordSignIn(sql, scrutineer.id)
			})
		).toEqual({ ok: true, status: 'counted' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 4, ballots: 4, choices: 4 });

		// The same kind of batch written by hand, one of its ballots counted at once instead of waiting:
		// the box balances, but the batch does not hold the ballots it says.
		await expect(
			sql.begin(async (tx) => {
				const [batch] = await tx<{ id: number }[]>`
					insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, 2) returning id`;
				await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${batch!.id}, ${scrutineer.id})`;
				for (const index of [4, 5]) {
					await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id) values (${session.id}, ${delegateOf(session, index)}, 'paper', ${batch!.id})`;
				}
				await tx`insert into paper_batch_ballot (paper_batch_id, voting_session_id, is_void) values (${batch!.id}, ${session.id}, true)`;
				await tx`insert into ballot (voting_session_id, channel) values (${session.id}, 'paper')`;
			})
		).rejects.toThrow(/paper batch \d+ holds 1 ballots but says 2/);
		expect(await countRows(sql, session.id)).toEqual({ marks: 4, ballots: 4, choices: 4 });

		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		expect(verification?.recomputed).toMatchObject({ ballotsCast: 4, electronicBallots: 1, paperBallots: 3 });
	});
});
