// Paper ballots beside electronic ones: exclusion both ways, one transaction, counted and reported apart.
import { voteTally } from '../../src/lib/domain/tally';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { castBallot } from '../../src/lib/server/voting/casting';
import { confirmPaperBatch, enterPaperBatch } from '../../src/lib/server/voting/paper';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { verifyTally } from '../../src/lib/server/voting/results';
import { countRows, createUser, createVotingSession, passwordSignIn } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };
beforeAll(async () => {
	staff = await createUser(database.sql, ['staff']);
	scrutineer = await createUser(database.sql, ['scrutineer']);
});

function ballots(session: { candidateIds: number[] }, text: string, seats = 2) {
	const reading = readPaperBallots('approval', seats, session.candidateIds, text);
	if (!reading.ok) throw new Error('unreadable test ballots');
	return reading.ballots;
}

describe('paper ballot batches', () => {
	it('marks the delegates as voted, stores the ballots, and counts them apart and together', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 5 });
		const [d1, d2, d3, d4] = session.delegates as [
			{ id: number; username: string },
			{ id: number; username: string },
			{ id: number; username: string },
			{ id: number; username: string }
		];
		expect(
			(
				await castBallot(sql, {
					votingSessionId: session.id,
					delegateId: d1.id,
					selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
				})
			).ok
		).toBe(true);

		const result = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: [d2.username, d3.username, d4.username],
			ballots: ballots(session, '1 2\n1 2 3\n空白'),
			scrutineerIds: [scrutineer.id],
			note: '3号票箱'
		});
		expect(result).toMatchObject({ ok: true, ballots: 3, void: 1 });
		// Counted once the named scrutineer has confirmed it (paper-scrutiny.test.ts).
		expect(await countRows(sql, session.id)).toEqual({ marks: 4, ballots: 1, choices: 1 });
		const confirmed = await confirmPaperBatch(sql, {
			batchId: result.ok ? result.batchId : 0,
			scrutineerId: scrutineer.id,
			authSessionId: await passwordSignIn(sql, scrutineer.id)
		});
		expect(confirmed).toEqual({ ok: true, status: 'counted' });
		expect(await countRows(sql, session.id)).toEqual({ marks: 4, ballots: 4, choices: 3 });
		const channels = await sql<{ channel: string; count: number }[]>`
			select channel, count(*)::int as count from ballot_mark where voting_session_id = ${session.id} group by channel order by channel`;
		expect(channels).toEqual([
			{ channel: 'electronic', count: 1 },
			{ channel: 'paper', count: 3 }
		]);
		const [present] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from electorate_member where voting_session_id = ${session.id} and present`;
		// Presence comes from the check-in (all five were checked in); a paper batch changes none.
		expect(present?.count).toBe(5);

		// A paper voter cannot also vote electronically.
		expect(
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: d2.id,
				selection: { method: 'approval', candidateIds: [] }
			})
		).toEqual({ ok: false, error: { code: 'already_voted' } });

		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		const verification = await verifyTally(sql, session.id);
		expect(verification?.differences).toEqual([]);
		expect(verification?.recomputed).toMatchObject({
			ballotsCast: 4,
			electronicBallots: 1,
			paperBallots: 3,
			validBallots: 3,
			voidBallots: 1,
			blankBallots: 1
		});
		const firstCandidate = voteTally(verification!.recomputed).candidates.find(
			(row) => row.candidateId === session.candidateIds[0]
		);
		expect(firstCandidate?.for).toBe(2);

		const [audit] = await sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'paper_batch.entered' and voting_session_id = ${session.id}`;
		expect(audit?.actor).toBe(staff.id);
		expect(audit?.details).toMatchObject({ ballots: 3, void: 1, scrutineers: [scrutineer.id], status: 'pending' });
		expect(JSON.stringify(audit?.details)).not.toMatch(/choice|candidate/);
	});

	it('refuses a delegate who already voted electronically, and writes nothing of the batch', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3 });
		const [d1, d2] = session.delegates as [{ id: number; username: string }, { id: number; username: string }];
		await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: d1.id,
			selection: { method: 'approval', candidateIds: [] }
		});
		const result = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: [d1.username, d2.username],
			ballots: ballots(session, '1\n2'),
			scrutineerIds: [scrutineer.id],
			note: ''
		});
		expect(result).toEqual({ ok: false, error: { code: 'already_voted', references: [d1.username] } });
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 0 });
		const [batches] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from paper_batch where voting_session_id = ${session.id}`;
		expect(batches?.count).toBe(0);
	});

	it.each([
		['more ballots than delegates', { delegates: 1, text: '1\n2' }, 'count_mismatch'],
		['no scrutineer', { delegates: 2, text: '1\n2', scrutineers: [] }, 'no_scrutineer'],
		['a non-scrutineer named as scrutineer', { delegates: 2, text: '1\n2', scrutineers: 'staff' }, 'not_scrutineers'],
		['a delegate outside the electorate', { delegates: 2, text: '1\n2', outsider: true }, 'unknown_delegates']
	] as const)('refuses a batch with %s', async (_, setup, code) => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3 });
		const outsider = await createUser(sql, ['delegate']);
		const references = session.delegates.slice(0, setup.delegates).map((delegate) => delegate.username);
		if ('outsider' in setup) references[1] = outsider.username;
		const result = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: references,
			ballots: ballots(session, setup.text),
			scrutineerIds: 'scrutineers' in setup ? (setup.scrutineers === 'staff' ? [staff.id] : []) : [scrutineer.id],
			note: ''
		});
		expect(result.ok).toBe(false);
		expect(!result.ok && result.error.code).toBe(code);
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('refuses a batch once voting has closed, and the database refuses it too', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 2 });
		await applyLifecycle(sql, session.id, 'close', staff.id);
		const result = await enterPaperBatch(sql, {
			votingSessionId: session.id,
			enteredBy: staff.id,
			delegateReferences: [session.delegates[0]!.username],
			ballots: ballots(session, '1'),
			scrutineerIds: [scrutineer.id],
			note: ''
		});
		expect(result).toEqual({ ok: false, error: { code: 'not_open', status: 'closed' } });
		await expect(
			sql`insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, 1)`
		).rejects.toThrow(/is not open/);
	});

	it('holds a batch together in the database: its marks equal its ballot count and it names a scrutineer', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 2 });
		await expect(
			sql.begin(async (tx) => {
				const [batch] = await tx<
					{ id: number }[]
				>`insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, 2) returning id`;
				await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${batch!.id}, ${scrutineer.id})`;
				await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id) values (${session.id}, ${session.delegates[0]!.id}, 'paper', ${batch!.id})`;
				await tx`insert into ballot (voting_session_id, channel) values (${session.id}, 'paper')`;
			})
		).rejects.toThrow(/covers 1 delegates but holds 2 ballots/);
		await expect(
			sql`insert into ballot_mark (voting_session_id, delegate_id, channel) values (${session.id}, ${session.delegates[0]!.id}, 'paper')`
		).rejects.toThrow(/ballot_mark_paper_batch/);
	});
});
