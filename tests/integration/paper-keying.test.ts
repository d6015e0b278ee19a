// Paper ballots keyed twice by two people (issue 15), against real PostgreSQL as the app's runtime
// role: the second keying must agree with the first cell by cell, be by someone else, and consume
// the first keying so one stack goes in once, also when two second keyings race; the database keeps
// who keyed a batch (two different people) and refuses keying once the vote has closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaperGridRow } from '../../src/lib/domain/paper-grid';
import {
	discardKeying,
	finishSecondKeying,
	listPaperKeyings,
	saveFirstKeying
} from '../../src/lib/server/voting/paper-keying';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { enterPaperBatch } from '../../src/lib/server/voting/paper';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { countRows, createUser, createVotingSession, type TestSession } from '../helpers/factory';

let database: TestDatabase;
let staff: { id: number; username: string };
let scrutineerA: { id: number; username: string };
let scrutineerB: { id: number; username: string };

beforeAll(async () => {
	database = await createTestDatabase();
	staff = await createUser(database.sql, ['staff'], 'staff');
	scrutineerA = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	scrutineerB = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});
afterAll(async () => {
	await database.drop();
});

const keyingSession = (session: TestSession, status: 'open' | 'closed' = 'open') => ({
	id: session.id,
	status,
	method: 'approval' as const,
	seats: 2,
	candidateIds: session.candidateIds
});

/** Two paper ballots: candidates 1 and 3; candidate 2 alone. */
const STACK: PaperGridRow[] = [
	{ void: false, marks: { '1': 'for', '3': 'for' } },
	{ void: false, marks: { '2': 'for' } }
];

async function paperBatches(sessionId: number) {
	return database.ownerSql<{ id: number; status: string; ballotCount: number }[]>`
		select id, status, ballot_count as "ballotCount" from paper_batch where voting_session_id = ${sessionId} order by id`;
}

function secondKeying(session: TestSession, keyingId: number, keyedBy: number, rows: PaperGridRow[]) {
	return finishSecondKeying(database.sql, keyingSession(session), {
		keyingId,
		keyedBy,
		rows,
		delegates: `${session.delegates[0]!.username}\n${session.delegates[1]!.username}`,
		issuedCount: 2,
		scrutineerIds: [scrutineerA.id, scrutineerB.id],
		note: ''
	});
}

describe('paper ballots keyed twice', () => {
	it('refuses a second keying that differs or is by the same person, and enters the batch when they agree', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		const first = await saveFirstKeying(database.sql, keyingSession(session), {
			keyedBy: scrutineerA.id,
			rows: STACK,
			note: '第一叠'
		});
		expect(first.ok).toBe(true);
		if (!first.ok) return;
		// The first keying holds the grid only: no delegate is stored beside the ballots.
		const [stored] = await database.ownerSql<
			Record<string, unknown>[]
		>`select * from paper_keying where id = ${first.keyingId}`;
		expect(Object.keys(stored!).sort()).toEqual([
			'grid',
			'id',
			'keyed_at',
			'keyed_by',
			'note',
			'row_count',
			'voting_session_id'
		]);

		expect(await secondKeying(session, first.keyingId, scrutineerA.id, STACK)).toEqual({
			ok: false,
			error: 'same_person'
		});
		const differing = await secondKeying(session, first.keyingId, scrutineerB.id, [
			{ void: false, marks: { '1': 'for', '4': 'for' } },
			STACK[1]!
		]);
		expect(differing).toEqual({
			ok: false,
			error: 'mismatch',
			mismatches: [
				{ row: 1, position: 3, first: 'for', second: null },
				{ row: 1, position: 4, first: null, second: 'for' }
			]
		});
		// Nothing was written: no batch, no mark, and the first keying still waits.
		expect(await paperBatches(session.id)).toEqual([]);
		expect((await countRows(database.sql, session.id)).marks).toBe(0);
		expect((await listPaperKeyings(database.sql, session.id)).map((keying) => keying.id)).toEqual([first.keyingId]);

		const agreed = await secondKeying(session, first.keyingId, scrutineerB.id, structuredClone(STACK));
		expect(agreed).toMatchObject({ ok: true, ballots: 2, void: 0 });
		const batches = await paperBatches(session.id);
		expect(batches).toMatchObject([{ status: 'pending', ballotCount: 2 }]);
		expect(await listPaperKeyings(database.sql, session.id)).toEqual([]);
		const [record] = await database.ownerSql<{ first: number; second: number }[]>`
			select first_keyed_by as first, second_keyed_by as second from paper_batch_double_keying where paper_batch_id = ${batches[0]!.id}`;
		expect(record).toEqual({ first: scrutineerA.id, second: scrutineerB.id });
		// The stack went in once: the consumed keying cannot be finished again.
		expect(await secondKeying(session, first.keyingId, staff.id, STACK)).toEqual({ ok: false, error: 'not_found' });
		// The app cannot rewrite who keyed it.
		await expect(
			database.sql`update paper_batch_double_keying set second_keyed_by = ${staff.id} where paper_batch_id = ${batches[0]!.id}`
		).rejects.toThrow(/permission denied/);
	});

	it('enters a stack once when two people finish the same first keying at the same moment', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		const first = await saveFirstKeying(database.sql, keyingSession(session), {
			keyedBy: staff.id,
			rows: STACK,
			note: ''
		});
		if (!first.ok) throw new Error('first keying refused');
		const results = await Promise.all([
			secondKeying(session, first.keyingId, scrutineerA.id, structuredClone(STACK)),
			secondKeying(session, first.keyingId, scrutineerB.id, structuredClone(STACK))
		]);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		const refused = results.find((result) => !result.ok);
		// The loser finds the keying gone (or, had it read first, the delegates' marks taken).
		expect(refused).toMatchObject({ ok: false });
		expect(await paperBatches(session.id)).toHaveLength(1);
		expect((await countRows(database.sql, session.id)).marks).toBe(2);
	});

	it('keeps two keyings by one person out in the database too, and keys only while the vote is open', async () => {
		const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3 });
		const first = await saveFirstKeying(database.sql, keyingSession(session), {
			keyedBy: staff.id,
			rows: STACK,
			note: ''
		});
		if (!first.ok) throw new Error('first keying refused');
		// enterPaperBatch itself does not compare keyers: the database's check refuses one person twice.
		const reading = readPaperBallots('approval', 2, session.candidateIds, '1 3\n2');
		if (!reading.ok) throw new Error('unreadable');
		expect(
			await enterPaperBatch(database.sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: [session.delegates[0]!.username, session.delegates[1]!.username],
				ballots: reading.ballots,
				scrutineerIds: [scrutineerA.id],
				note: '',
				firstKeying: { id: first.keyingId, keyedBy: staff.id }
			})
		).toEqual({ ok: false, error: { code: 'same_keyer' } });
		// All or nothing: the keying is still there, no batch, no mark.
		expect(await listPaperKeyings(database.sql, session.id)).toHaveLength(1);
		expect(await paperBatches(session.id)).toEqual([]);
		expect((await countRows(database.sql, session.id)).marks).toBe(0);

		expect(await applyLifecycle(database.sql, session.id, 'close', staff.id)).toMatchObject({ ok: true });
		expect(
			await saveFirstKeying(database.sql, keyingSession(session, 'open'), { keyedBy: staff.id, rows: STACK, note: '' })
		).toEqual({ ok: false, error: 'not_open' });
		// A keying waiting when the vote closed is thrown away by its keyer, never entered.
		expect(
			await discardKeying(database.sql, {
				votingSessionId: session.id,
				keyingId: first.keyingId,
				actorUserId: scrutineerA.id,
				isStaff: false
			})
		).toBe(false);
		expect(
			await discardKeying(database.sql, {
				votingSessionId: session.id,
				keyingId: first.keyingId,
				actorUserId: staff.id,
				isStaff: true
			})
		).toBe(true);
	});

	it('says which row of the grid is unreadable rather than saving it', async () => {
		const session = await createVotingSession(database.sql, {
			candidates: 3,
			seats: 1,
			delegates: 2,
			method: 'for_against_abstain'
		});
		const result = await saveFirstKeying(
			database.sql,
			{ ...keyingSession(session), method: 'for_against_abstain', seats: 1 },
			{
				keyedBy: staff.id,
				rows: [
					{ void: false, marks: { '1': 'for', '2': 'against', '3': 'abstain' } },
					{ void: false, marks: { '1': 'for' } }
				],
				note: ''
			}
		);
		expect(result).toEqual({ ok: false, error: 'unreadable', problems: [{ line: 2, code: 'unreadable', value: '?' }] });
		expect(await listPaperKeyings(database.sql, session.id)).toEqual([]);
	});
});
