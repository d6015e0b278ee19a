// What a writer with superuser access can still do, made visible (issue 12, item 5): confirming
// and publishing refuse a tally that `tally --verify` finds wrong, and the audit chain's head when
// voting opened and closed is shown to the hall, so a chain rewritten afterwards (hashes and all)
// disagrees with what was shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import type { Sql } from '../../src/lib/server/db/client';
import { castBallot } from '../../src/lib/server/voting/casting';
import { verifyTally } from '../../src/lib/server/voting/results';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn, type TestSession } from '../helpers/factory';

const database = useTestDatabase();

async function castAll(session: TestSession) {
	for (const [index, delegate] of session.delegates.entries()) {
		const cast = await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[index % 2]!] }
		});
		expect(cast.ok).toBe(true);
	}
}

/** A superuser stuffs a ballot into a closed session with every trigger off (what the runtime role cannot do). */
async function stuffBallot(owner: Sql, session: TestSession) {
	await owner.begin(async (tx) => {
		await tx`set local session_replication_role = replica`;
		const [ballot] = await tx<
			{ id: string }[]
		>`insert into ballot (voting_session_id) values (${session.id}) returning id`;
		await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
			values (${ballot!.id}, ${session.id}, ${session.candidateIds[2]!}, 'for')`;
	});
}

async function verifyFailures(sessionId: number): Promise<{ step: string }[]> {
	const rows = await database.sql<{ details: { step: string } }[]>`
		select details from audit_entry where action = 'session.verify_failed' and voting_session_id = ${sessionId} order by seq`;
	return rows.map((row) => row.details);
}

describe('confirming and publishing run tally --verify’s checks', () => {
	it('refuses to confirm a tally the ballots no longer give, and audits why', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
		await castAll(session);
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		await stuffBallot(database.ownerSql, session);
		expect((await verifyTally(sql, session.id))?.differences.length).toBeGreaterThan(0);

		const signedIn = await passwordSignIn(sql, scrutineer.id);
		expect(await confirmTally(sql, session.id, scrutineer.id, signedIn)).toEqual({
			ok: false,
			error: 'tally_mismatch'
		});
		const [row] = await sql<{ confirmedBy: number | null }[]>`
			select confirmed_by as "confirmedBy" from voting_session where id = ${session.id}`;
		expect(row!.confirmedBy).toBeNull();
		expect(await verifyFailures(session.id)).toEqual([expect.objectContaining({ step: 'confirm' })]);
	});

	it('refuses to publish a confirmed tally that the ballots no longer give', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
		await castAll(session);
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		expect(await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		await stuffBallot(database.ownerSql, session);
		expect(await applyLifecycle(sql, session.id, 'publish', staff.id)).toEqual({ ok: false, error: 'tally_mismatch' });
		const [row] = await sql<{ status: string }[]>`select status from voting_session where id = ${session.id}`;
		expect(row!.status).toBe('closed');
		expect(await verifyFailures(session.id)).toEqual([expect.objectContaining({ step: 'publish' })]);
	});
});

describe('the audit chain’s head when voting opened and closed', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp(database.url);
	});
	afterAll(async () => {
		await app.stop();
	});

	async function entryHash(sessionId: number, action: string): Promise<{ seq: number; hash: string }> {
		const [row] = await database.sql<{ seq: number; hash: string }[]>`
			select seq, encode(hash, 'hex') as hash from audit_entry where voting_session_id = ${sessionId} and action = ${action}`;
		return row!;
	}

	it('is on the projector as the hall sees it, then on the results page, and a rewritten chain disagrees', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
		const opened = await entryHash(session.id, 'session.open');
		const whileOpen = await (await fetch(`${app.baseUrl}/screen/${session.id}`)).text();
		expect(whileOpen).toContain(opened.hash);
		expect(whileOpen).toContain(`第 ${opened.seq} 条`);

		await castAll(session);
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		const closed = await entryHash(session.id, 'session.close');
		const afterClosing = await (await fetch(`${app.baseUrl}/screen/${session.id}`)).text();
		expect(afterClosing).toContain(opened.hash);
		expect(afterClosing).toContain(closed.hash);

		expect(await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		expect((await applyLifecycle(sql, session.id, 'publish', staff.id)).ok).toBe(true);
		const results = await (await fetch(`${app.baseUrl}/results/${session.id}`)).text();
		expect(results).toContain(opened.hash);
		expect(results).toContain(closed.hash);
		const api = (await (await fetch(`${app.baseUrl}/api/sessions/${session.id}/results`)).json()) as {
			auditCheckpoints: { opened: { hash: string }; closed: { hash: string } };
		};
		expect(api.auditCheckpoints).toMatchObject({ opened: { hash: opened.hash }, closed: { hash: closed.hash } });

		// A superuser rewrites the chain from its first entry on: audit:verify finds nothing wrong,
		// but the hashes shown now are not the ones the hall saw when voting opened and closed.
		await database.ownerSql.begin(async (tx) => {
			await tx`alter table audit_entry disable trigger audit_entry_chain`;
			await tx`update audit_entry set details = ${tx.json({ rewritten: true })} where seq = 1`;
			await tx`
				do $$
				declare
					entry record;
					previous bytea := null;
				begin
					for entry in select * from audit_entry order by seq loop
						update audit_entry set prev_hash = previous,
						       hash = audit_entry_hash(previous, entry.seq, entry.at, entry.actor_user_id, entry.action, entry.voting_session_id, entry.details)
						 where seq = entry.seq returning hash into previous;
					end loop;
				end $$`;
			await tx`alter table audit_entry enable trigger audit_entry_chain`;
		});
		// Every hash and link holds again. (The earlier tests of this file stuffed ballots into their
		// closed votes: those votes' closing records now disagree with their tables, this one's agrees.)
		const verification = await verifyAuditChain(sql);
		if (!verification.ok) {
			expect(verification.problem).toBe('records_differ');
			expect(verification.votingSessionId).not.toBe(session.id);
		}
		const rewritten = await (await fetch(`${app.baseUrl}/results/${session.id}`)).text();
		expect(rewritten).not.toContain(opened.hash);
		expect(rewritten).not.toContain(closed.hash);
	});
});
