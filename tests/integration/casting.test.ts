// Casting against real PostgreSQL: what is written, what is refused, and concurrency.
import { voteTally } from '../../src/lib/domain/tally';
import { describe, expect, it } from 'vitest';
import { castBallot, receiptHash } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { verifyTally } from '../../src/lib/server/voting/results';
import { countRows, createUser, createVotingSession } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase({ max: 20 });

describe('casting a ballot', () => {
	it('writes one has-voted mark and one ballot with its choices, and returns a receipt', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 2 });
		const [delegate] = session.delegates;
		const chosen = [session.candidateIds[3] as number, session.candidateIds[1] as number];
		const result = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: delegate!.id,
			selection: { method: 'approval', candidateIds: chosen }
		});
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.receiptCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 2 });
		const stored = await sql<{ candidateId: number; choice: string }[]>`
			select candidate_id as "candidateId", choice from ballot_choice where voting_session_id = ${session.id} order by candidate_id`;
		expect(stored).toEqual([...chosen].sort((a, b) => a - b).map((candidateId) => ({ candidateId, choice: 'for' })));
		const [receipt] = await sql`select 1 from ballot_receipt where receipt_hash = ${receiptHash(result.receiptCode)}`;
		expect(receipt).toBeDefined();
		const [mark] =
			await sql`select 1 from ballot_mark where voting_session_id = ${session.id} and delegate_id = ${delegate!.id}`;
		expect(mark).toBeDefined();
	});

	it('keeps nothing in the ballot tables that could link a ballot to its voter or its moment', async () => {
		const columns = await database.sql<{ table: string; column: string; type: string }[]>`
			select table_name as table, column_name as column, data_type as type from information_schema.columns
			where table_schema = 'public' and table_name in ('ballot', 'ballot_choice')`;
		for (const { column, type } of columns) {
			expect(column).not.toMatch(/delegate|user|voter|cast_at|created|time/);
			expect(type).not.toMatch(/timestamp|date|time/);
		}
		const markColumns = await database.sql<{ column: string; type: string }[]>`
			select column_name as column, data_type as type from information_schema.columns where table_name = 'ballot_mark'`;
		expect(markColumns.map((entry) => entry.column).sort()).toEqual([
			'channel',
			'delegate_id',
			'paper_batch_id',
			'voting_session_id'
		]);
		for (const { type } of markColumns) expect(type).not.toMatch(/timestamp|date|time/);
		// The ballot id is random (v4 UUID), not a sequence.
		const [session] = [await createVotingSession(database.sql, { delegates: 1 })];
		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		const [ballot] = await database.sql<
			{ version: string }[]
		>`select substr(id::text, 15, 1) as version from ballot where voting_session_id = ${session.id}`;
		expect(ballot?.version).toBe('4');
	});

	it('refuses a second cast and changes nothing', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 1 });
		const input = {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval' as const, candidateIds: [session.candidateIds[0]!] }
		};
		expect((await castBallot(sql, input)).ok).toBe(true);
		const second = await castBallot(sql, {
			...input,
			selection: { method: 'approval', candidateIds: [session.candidateIds[1]!] }
		});
		expect(second).toEqual({ ok: false, error: { code: 'already_voted' } });
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 1 });
	});

	it.each([
		['a draft session', { open: false }, 'not_yet_open'],
		['a closed session', { close: true }, 'closed']
	] as const)('refuses a cast to %s', async (_, setup, reason) => {
		const { sql } = database;
		const session = await createVotingSession(sql, { open: !('open' in setup) });
		if ('close' in setup) expect((await applyLifecycle(sql, session.id, 'close', null)).ok).toBe(true);
		const result = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		expect(result.ok).toBe(false);
		expect(!result.ok && result.error).toMatchObject({ code: 'not_open', reason });
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('refuses a delegate who is not enrolled, and a delegate of another session', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const other = await createVotingSession(sql);
		const outsider = await createUser(sql, ['delegate']);
		for (const delegateId of [outsider.id, other.delegates[0]!.id]) {
			const result = await castBallot(sql, {
				votingSessionId: session.id,
				delegateId,
				selection: { method: 'approval', candidateIds: [] }
			});
			expect(result).toEqual({ ok: false, error: { code: 'not_enrolled' } });
		}
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('refuses a ballot over the limit or naming a candidate not in the session', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 5, seats: 2 });
		const other = await createVotingSession(sql);
		const delegateId = session.delegates[0]!.id;
		const overLimit = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId,
			selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, 3) }
		});
		expect(overLimit).toEqual({
			ok: false,
			error: { code: 'invalid_ballot', problem: { code: 'over_limit', marked: 3, seats: 2 } }
		});
		const foreign = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId,
			selection: { method: 'approval', candidateIds: [other.candidateIds[0]!] }
		});
		expect(foreign).toMatchObject({
			ok: false,
			error: { code: 'invalid_ballot', problem: { code: 'unknown_candidate' } }
		});
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
		// The delegate can still vote properly afterwards.
		expect(
			(
				await castBallot(sql, {
					votingSessionId: session.id,
					delegateId,
					selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, 2) }
				})
			).ok
		).toBe(true);
	});

	it('records a for/against/abstain ballot with a choice for every candidate', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { method: 'for_against_abstain', candidates: 3, seats: 1 });
		const [a, b, c] = session.candidateIds as [number, number, number];
		const delegateId = session.delegates[0]!.id;
		const missing = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId,
			selection: { method: 'for_against_abstain', choices: { [a]: 'for' } }
		});
		expect(missing).toEqual({
			ok: false,
			error: { code: 'invalid_ballot', problem: { code: 'missing_choice', candidateIds: [b, c] } }
		});
		const tooMany = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId,
			selection: { method: 'for_against_abstain', choices: { [a]: 'for', [b]: 'for', [c]: 'abstain' } }
		});
		expect(tooMany).toMatchObject({ ok: false, error: { problem: { code: 'over_limit', marked: 2, seats: 1 } } });
		const valid = await castBallot(sql, {
			votingSessionId: session.id,
			delegateId,
			selection: { method: 'for_against_abstain', choices: { [a]: 'for', [b]: 'against', [c]: 'abstain' } }
		});
		expect(valid.ok).toBe(true);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 3 });
	});
});

describe('casting under concurrency', () => {
	it('one delegate firing 200 casts at once gets exactly one ballot and one mark', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 1 });
		const delegateId = session.delegates[0]!.id;
		const results = await Promise.all(
			Array.from({ length: 200 }, (_, index) =>
				castBallot(sql, {
					votingSessionId: session.id,
					delegateId,
					selection: { method: 'approval', candidateIds: [session.candidateIds[index % 5]!] }
				})
			)
		);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		expect(
			results.filter((result) => !result.ok).every((result) => !result.ok && result.error.code === 'already_voted')
		).toBe(true);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 1 });
	});

	it('444 delegates casting at once give 444 ballots and marks, and the count agrees', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 34, seats: 10, delegates: 444 });
		// Each delegate ticks a deterministic set of up to 10 candidates.
		const selections = session.delegates.map((_, index) =>
			session.candidateIds.filter((__, position) => (position * 7 + index * 3) % 34 < 10 - (index % 3))
		);
		const expectedFor = new Map(session.candidateIds.map((candidateId) => [candidateId, 0]));
		for (const selection of selections)
			for (const candidateId of selection) expectedFor.set(candidateId, (expectedFor.get(candidateId) ?? 0) + 1);

		const results = await Promise.all(
			session.delegates.map((delegate, index) =>
				castBallot(sql, {
					votingSessionId: session.id,
					delegateId: delegate.id,
					selection: { method: 'approval', candidateIds: selections[index]! }
				})
			)
		);
		expect(results.every((result) => result.ok)).toBe(true);
		const receipts = new Set(results.map((result) => result.ok && result.receiptCode));
		expect(receipts.size).toBe(444);
		const rows = await countRows(sql, session.id);
		expect(rows.marks).toBe(444);
		expect(rows.ballots).toBe(444);

		expect((await applyLifecycle(sql, session.id, 'close', null)).ok).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		expect(verification?.recomputed.ballotsCast).toBe(444);
		for (const row of voteTally(verification!.recomputed).candidates)
			expect(row.for).toBe(expectedFor.get(row.candidateId));
	});

	it('a cast racing the close is either counted or refused, never lost', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 60 });
		const casts = session.delegates.map((delegate) =>
			castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
			})
		);
		const closing = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
			applyLifecycle(sql, session.id, 'close', null)
		);
		const results = await Promise.all(casts);
		expect((await closing).ok).toBe(true);
		const accepted = results.filter((result) => result.ok).length;
		expect(
			results.filter((result) => !result.ok).every((result) => !result.ok && result.error.code === 'not_open')
		).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		expect(verification?.recomputed.ballotsCast).toBe(accepted);
		expect(verification?.stored?.ballotsCast).toBe(accepted);
	});
});
