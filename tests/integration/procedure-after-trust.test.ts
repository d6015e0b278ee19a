// Issue 13's procedure (migrations/00013_procedure.sql) runs before issue 12's second migration
// (00016_trust_scrutiny.sql), and both hold rules on the same rows: paper batches and the
// confirmation of a tally. In the migrated database both sets must hold at once; this file fails
// if a later migration (or a merge) replaces a function or drops a trigger so that one of them is
// lost. Each rule is tried through direct SQL as the app's runtime role, where the database alone
// decides, and through the app where the rule is the app's (a scrutineer's own sign-in).
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/lib/server/auth/session';
import { castBallot } from '../../src/lib/server/voting/casting';
import { confirmPaperBatch, enterPaperBatch } from '../../src/lib/server/voting/paper';
import { applyLifecycle, confirmTally, getVotingSession } from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';
import { runProcedure } from '../helpers/procedure';

const database = useTestDatabase();
let staff: { id: number; username: string };
let publisher: { id: number; username: string };
let globalScrutineer: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	publisher = await createUser(database.sql, ['staff'], 'publisher');
	globalScrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});

async function refused(write: Promise<unknown>, code: string) {
	await expect(write).rejects.toMatchObject({ code });
}

/** An open vote whose meeting named delegate 0 总监票人 and delegates 1…3 监票人; every delegate checked in. */
async function openVoteWithPanel(): Promise<TestSession> {
	const session = await createVotingSession(database.sql, {
		candidates: 4,
		seats: 1,
		delegates: 6,
		open: false,
		procedure: 'default'
	});
	const [chief, m1, m2, m3] = session.delegates.map((delegate) => delegate.username);
	await runProcedure(database.sql, session.id, staff.id, { chief: chief!, members: [m1!, m2!, m3!] });
	expect((await applyLifecycle(database.sql, session.id, 'open', staff.id)).ok).toBe(true);
	return session;
}

/**
 * A paper batch of one void ballot for `delegateId`, written row by row as the runtime role could
 * write it without the app: the batch, the scrutineers it names, the has-voted mark, the waiting ballot.
 */
function batchBySql(votingSessionId: number, scrutineerIds: number[], delegateId: number): Promise<number> {
	return database.sql.begin(async (tx) => {
		const [batch] = await tx<{ id: number }[]>`
			insert into paper_batch (voting_session_id, entered_by, ballot_count, issued_count, note)
			values (${votingSessionId}, ${staff.id}, 1, 1, '') returning id`;
		const batchId = (batch as { id: number }).id;
		for (const scrutineerId of scrutineerIds)
			await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${batchId}, ${scrutineerId})`;
		await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id)
			values (${votingSessionId}, ${delegateId}, 'paper', ${batchId})`;
		await tx`insert into paper_batch_ballot (paper_batch_id, voting_session_id, is_void, choices)
			values (${batchId}, ${votingSessionId}, true, '[]')`;
		return batchId;
	}) as Promise<number>;
}

async function paperBallots(votingSessionId: number): Promise<number> {
	const [row] = await database.sql<{ count: number }[]>`
		select count(*)::int as count from ballot where voting_session_id = ${votingSessionId} and channel = 'paper'`;
	return row?.count ?? -1;
}

describe('issue 13 (00013) and issue 12 (00016) on the same rows', () => {
	it('keeps every trigger of both migrations on the tables they share', async () => {
		const rows = await database.ownerSql<{ table: string; trigger: string; fn: string }[]>`
			select c.relname as table, t.tgname as trigger, p.proname as fn
			from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
			where not t.tgisinternal and t.tgenabled <> 'D'
			  and c.relname in ('paper_batch', 'paper_batch_scrutineer', 'paper_batch_confirmation', 'voting_session',
			                    'session_confirmation', 'session_scrutineer')`;
		const present = new Set(rows.map((row) => `${row.table}.${row.trigger}:${row.fn}`));
		for (const expected of [
			// 00002, replaced by 00013 (named scrutineers accepted)
			'paper_batch_scrutineer.paper_batch_scrutineer_guard:paper_batch_scrutineer_guard',
			'voting_session.voting_session_guard:voting_session_guard',
			// 00013
			'paper_batch.paper_batch_named_scrutineers:procedure_paper_batch_scrutineers',
			'voting_session.voting_session_procedure_guard:procedure_session_guard',
			'session_confirmation.session_confirmation_guard:session_confirmation_guard',
			'session_scrutineer.session_scrutineer_guard:session_scrutineer_guard',
			// 00016
			'paper_batch.paper_batch_lifecycle:paper_batch_lifecycle',
			'paper_batch.paper_batch_staged_complete:paper_batch_staged_complete',
			'paper_batch.paper_batch_present_when_counted:paper_batch_present_when_counted',
			'paper_batch_confirmation.paper_batch_confirmation_guard:paper_batch_decision_guard',
			'paper_batch_confirmation.paper_batch_count_when_confirmed:paper_batch_count_when_confirmed',
			'voting_session.voting_session_no_pending_paper:voting_session_no_pending_paper',
			// 00012 (issue 13, part 1)
			'voting_session.voting_session_quorum_guard:attendance_session_guard'
		])
			expect(present, expected).toContain(expected);
	});

	it('enters a paper batch with two of the named scrutineers (00013), and counts it once each has confirmed it (00016)', async () => {
		const { sql } = database;
		const session = await openVoteWithPanel();
		const [chief, m1, m2, , voter1, voter2] = session.delegates;

		// 00013: with a named panel, only its members count paper ballots, and two of them at least.
		await refused(batchBySql(session.id, [globalScrutineer.id, chief!.id], voter1!.id), 'PJ316');
		await refused(batchBySql(session.id, [chief!.id], voter1!.id), 'PJ316');
		await refused(batchBySql(session.id, [voter2!.id, chief!.id], voter1!.id), 'PJ316');

		// 00016: a batch the named scrutineers witnessed waits for each of them.
		const batchId = await batchBySql(session.id, [chief!.id, m1!.id], voter1!.id);
		expect(await paperBallots(session.id)).toBe(0);
		// The runtime role may not update a batch at all; the owner is refused by the trigger itself.
		await refused(sql`update paper_batch set status = 'counted' where id = ${batchId}`, '42501');
		await refused(database.ownerSql`update paper_batch set status = 'counted' where id = ${batchId}`, 'PJ121');
		// A named 监票人 the batch does not name cannot confirm it.
		await refused(
			sql`insert into paper_batch_confirmation (paper_batch_id, scrutineer_id) values (${batchId}, ${m2!.id})`,
			'23503'
		);
		// Voting cannot close over it.
		await refused(sql`update voting_session set status = 'closed' where id = ${session.id}`, 'PJ124');
		// Each confirms with their own password sign-in; an access-code sign-in is not theirs to use.
		const codeSignIn = await createSession(sql, chief!.id, {
			openedBy: 'access_code',
			votingSessionScope: [session.id]
		});
		expect(
			await confirmPaperBatch(sql, { batchId, scrutineerId: chief!.id, authSessionId: codeSignIn.sessionId })
		).toEqual({ ok: false, error: 'sign_in_again' });
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: chief!.id,
				authSessionId: await passwordSignIn(sql, chief!.id)
			})
		).toEqual({ ok: true, status: 'pending' });
		expect(await paperBallots(session.id)).toBe(0);
		expect(
			await confirmPaperBatch(sql, { batchId, scrutineerId: m1!.id, authSessionId: await passwordSignIn(sql, m1!.id) })
		).toEqual({ ok: true, status: 'counted' });
		expect(await paperBallots(session.id)).toBe(1);

		// Through the app, the same: the global role holder is no scrutineer of this session.
		expect(
			await enterPaperBatch(sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: [voter2!.username],
				ballots: [{ isVoid: true, choices: [], channel: 'paper' }],
				scrutineerIds: [globalScrutineer.id, chief!.id],
				note: ''
			})
		).toEqual({ ok: false, error: { code: 'not_scrutineers' } });
	});

	it('keeps the global role counting paper where the session names no scrutineers, and nobody else', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 3 });
		const [delegate, voter] = session.delegates;
		// 00002's rule, kept by 00013's replacement: a scrutineer, never a mere delegate.
		await refused(batchBySql(session.id, [delegate!.id], voter!.id), 'PJ832');
		// One holder of the role is enough here; the batch still waits for them (00016).
		const batchId = await batchBySql(session.id, [globalScrutineer.id], voter!.id);
		expect(await paperBallots(session.id)).toBe(0);
		expect(
			await confirmPaperBatch(sql, {
				batchId,
				scrutineerId: globalScrutineer.id,
				authSessionId: await passwordSignIn(sql, globalScrutineer.id)
			})
		).toEqual({ ok: true, status: 'counted' });
		expect(await paperBallots(session.id)).toBe(1);
	});

	it('confirms a tally by the named scrutineers’ rule (00013), each by their own sign-in, append-only, published by another staff member (issue 12)', async () => {
		const { sql } = database;
		const session = await openVoteWithPanel();
		const [chief, m1, , m3] = session.delegates;
		for (const delegate of session.delegates)
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
			});
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		// 监票人 m3 is also staff: they may confirm, and then may not publish.
		await database.ownerSql`insert into user_role (user_id, role) values (${m3!.id}, 'staff')`;

		// 00013: not the global role's holder where a panel is named; not marked confirmed before the rule is met.
		await refused(
			sql`insert into session_confirmation (voting_session_id, user_id) values (${session.id}, ${globalScrutineer.id})`,
			'PJ310'
		);
		await refused(sql`update voting_session set confirmed_by = ${chief!.id} where id = ${session.id}`, 'PJ311');
		// Issue 12: the scrutineer's own password sign-in, not an access code's.
		const codeSignIn = await createSession(sql, m1!.id, { openedBy: 'access_code', votingSessionScope: [session.id] });
		expect(await confirmTally(sql, session.id, m1!.id, codeSignIn.sessionId)).toEqual({
			ok: false,
			error: 'sign_in_again'
		});
		expect(await confirmTally(sql, session.id, m1!.id, await passwordSignIn(sql, m1!.id))).toEqual({ ok: true });
		expect(await confirmTally(sql, session.id, m3!.id, await passwordSignIn(sql, m3!.id))).toEqual({ ok: true });
		// Confirmations are never changed or removed by the runtime role (00013's revoke beside 00011's).
		await refused(
			sql`update session_confirmation set confirmed_at = now() where voting_session_id = ${session.id}`,
			'42501'
		);
		await refused(sql`delete from session_confirmation where voting_session_id = ${session.id}`, '42501');
		// Two of three 监票人 but no 总监票人: not confirmed, so not published.
		expect((await getVotingSession(sql, session.id))?.confirmedAt).toBeNull();
		expect(await applyLifecycle(sql, session.id, 'publish', publisher.id)).toMatchObject({ ok: false });
		expect(await confirmTally(sql, session.id, chief!.id, await passwordSignIn(sql, chief!.id))).toEqual({ ok: true });
		expect((await getVotingSession(sql, session.id))?.confirmedAt).toBeInstanceOf(Date);

		// Publication: by staff (00002), never by one who confirmed (00013), whoever completed the rule.
		await refused(
			sql`update voting_session set status = 'published', published_by = ${m3!.id} where id = ${session.id}`,
			'PJ312'
		);
		await refused(
			sql`update voting_session set status = 'published', published_by = ${chief!.id} where id = ${session.id}`,
			'PJ827'
		);
		expect((await applyLifecycle(sql, session.id, 'publish', publisher.id)).ok).toBe(true);
	});
});
