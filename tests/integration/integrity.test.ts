// Integrity held by PostgreSQL itself: writes that bypass the app are refused.
import { describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { appendAudit } from '../../src/lib/server/audit/audit';
import { countRows, createUser, createVotingSession, passwordSignIn } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();

async function refused(write: Promise<unknown>, message: RegExp) {
	await expect(write).rejects.toThrow(message);
}

describe('ballot box', () => {
	it('refuses a ballot without a has-voted mark, and a mark without a ballot', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		await refused(sql`insert into ballot (voting_session_id) values (${session.id})`, /has-voted marks but/);
		await refused(
			sql`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`,
			/has-voted marks but/
		);
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('refuses a mark for a delegate who is not enrolled', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const outsider = await createUser(sql, ['delegate']);
		await refused(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${outsider.id})`;
				await tx`insert into ballot (voting_session_id) values (${session.id})`;
			}),
			/foreign key/
		);
	});

	it('refuses a valid ballot with more ticks than seats, even written directly', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 4, seats: 2 });
		await refused(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${session.id}) returning id`;
				for (const candidateId of session.candidateIds.slice(0, 3)) {
					await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice) values (${ballot!.id}, ${session.id}, ${candidateId}, 'for')`;
				}
			}),
			/more than the 2 seats/
		);
		expect(await countRows(sql, session.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('refuses a choice for a candidate outside the session', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const other = await createVotingSession(sql);
		await refused(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${session.delegates[0]!.id})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${session.id}) returning id`;
				await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice) values (${ballot!.id}, ${session.id}, ${other.candidateIds[0]!}, 'for')`;
			}),
			/foreign key/
		);
	});

	it('never lets a ballot, a choice or a mark be changed or deleted', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const delegateId = session.delegates[0]!.id;
		expect(
			(
				await castBallot(sql, {
					votingSessionId: session.id,
					delegateId,
					selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
				})
			).ok
		).toBe(true);
		// The owner (a superuser) has every privilege: the triggers refuse (the app's role is refused
		// before that, by its grants: runtime-role.test.ts).
		const owner = database.ownerSql;
		await refused(owner`update ballot set is_void = true where voting_session_id = ${session.id}`, /never changed/);
		await refused(owner`delete from ballot_choice where voting_session_id = ${session.id}`, /never changed/);
		await refused(
			owner`update ballot_choice set choice = 'against' where voting_session_id = ${session.id}`,
			/never changed/
		);
		await refused(owner`delete from ballot_mark where voting_session_id = ${session.id}`, /never changed/);
		await refused(owner`truncate ballot_choice, ballot, ballot_mark`, /cannot be truncated/);
		expect(await countRows(sql, session.id)).toEqual({ marks: 1, ballots: 1, choices: 1 });
	});
});

describe('voting session lifecycle in the database', () => {
	it('moves one step at a time, one way only', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { open: false });
		await refused(
			sql`update voting_session set status = 'closed' where id = ${session.id}`,
			/cannot move from draft to closed/
		);
		await sql`update voting_session set status = 'open' where id = ${session.id}`;
		await refused(
			sql`update voting_session set status = 'draft' where id = ${session.id}`,
			/cannot move from open to draft/
		);
		await refused(sql`delete from voting_session where id = ${session.id}`, /cannot be deleted/);
	});

	it('freezes the rules, the candidate list and the electorate from opening on', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 5, seats: 2 });
		await refused(sql`update voting_session set seats = 4 where id = ${session.id}`, /frozen/);
		await refused(
			sql`update voting_session set ballot_method = 'for_against_abstain' where id = ${session.id}`,
			/frozen/
		);
		await refused(sql`update voting_session set threshold_base = 'cast' where id = ${session.id}`, /frozen/);
		await refused(
			sql`update voting_session set closes_at = now() + interval '1 day' where id = ${session.id}`,
			/frozen/
		);
		await refused(sql`delete from voting_session_candidate where voting_session_id = ${session.id}`, /cannot change/);
		const newcomer = await createUser(sql, ['delegate']);
		await refused(
			sql`insert into electorate_member (voting_session_id, delegate_id) values (${session.id}, ${newcomer.id})`,
			/cannot change/
		);
		await refused(sql`delete from electorate_member where voting_session_id = ${session.id}`, /cannot change/);
		// Presence (实到) may still be recorded while open.
		await sql`update electorate_member set present = true where voting_session_id = ${session.id}`;
	});

	it('lets a draft change its rules', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { open: false, candidates: 5, seats: 2 });
		await sql`update voting_session set seats = 3 where id = ${session.id}`;
		const [row] = await sql<{ seats: number }[]>`select seats from voting_session where id = ${session.id}`;
		expect(row?.seats).toBe(3);
	});

	it('opens only a competitive list (more candidates than seats) with an electorate', async () => {
		const { sql } = database;
		const tight = await createVotingSession(sql, { open: false, candidates: 2, seats: 2 });
		await refused(
			sql`update voting_session set status = 'open' where id = ${tight.id}`,
			/more candidates than its 2 seats/
		);
		const empty = await createVotingSession(sql, { open: false, delegates: 0 });
		await refused(sql`update voting_session set status = 'open' where id = ${empty.id}`, /no enrolled delegates/);
	});

	it('refuses to publish a session closed without a stored tally', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		await sql`update voting_session set status = 'closed' where id = ${session.id}`;
		await refused(sql`update voting_session set status = 'published' where id = ${session.id}`, /no tally to publish/);
	});

	it('publishes only a session whose tally was stored at closing, and never changes that tally', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		await refused(
			sql`insert into voting_result (voting_session_id, tally, ballots_digest) values (${session.id}, '{}', 'x')`,
			/only for a closed/
		);
		expect((await applyLifecycle(sql, session.id, 'close', null)).ok).toBe(true);
		// The app's role may not try (runtime-role.test.ts); the owner is refused by the trigger.
		const owner = database.ownerSql;
		await refused(
			owner`update voting_result set tally = '{}' where voting_session_id = ${session.id}`,
			/never changed/
		);
		await refused(owner`delete from voting_result where voting_session_id = ${session.id}`, /never changed/);
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		expect(await applyLifecycle(sql, session.id, 'publish', staff.id)).toEqual({ ok: false, error: 'not_confirmed' });
		expect(await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		expect((await applyLifecycle(sql, session.id, 'publish', staff.id)).ok).toBe(true);
	});

	it('publishes only after a scrutineer confirmed, by a different staff member', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		const both = await createUser(sql, ['staff', 'scrutineer']);
		await refused(
			sql`update voting_session set confirmed_by = ${scrutineer.id} where id = ${session.id}`,
			/only a closed voting session can be confirmed/
		);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		await refused(
			sql`update voting_session set confirmed_by = ${staff.id} where id = ${session.id}`,
			/confirmed by a scrutineer/
		);
		await refused(
			sql`update voting_session set status = 'published', published_by = ${staff.id} where id = ${session.id}`,
			/must be confirmed by a scrutineer/
		);
		expect(await confirmTally(sql, session.id, staff.id, await passwordSignIn(sql, staff.id))).toEqual({
			ok: false,
			error: 'not_scrutineer'
		});
		expect(await confirmTally(sql, session.id, both.id, await passwordSignIn(sql, both.id))).toEqual({ ok: true });
		expect(await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: false,
			error: 'already_confirmed'
		});
		await refused(
			sql`update voting_session set confirmed_by = ${scrutineer.id} where id = ${session.id}`,
			/already confirmed/
		);
		// The confirmer cannot publish, not even through SQL; nor can a non-staff user.
		expect(await applyLifecycle(sql, session.id, 'publish', both.id)).toEqual({
			ok: false,
			error: 'publisher_confirmed'
		});
		await refused(
			sql`update voting_session set status = 'published', published_by = ${both.id} where id = ${session.id}`,
			// The procedure's trigger (00013) says it before the check constraint voting_session_two_people would.
			/did not confirm its tally|two_people/
		);
		await refused(
			sql`update voting_session set status = 'published', published_by = ${scrutineer.id} where id = ${session.id}`,
			/published by a staff member/
		);
		expect((await applyLifecycle(sql, session.id, 'publish', staff.id)).ok).toBe(true);
		const [row] = await sql<{ confirmedAt: Date | null; publishedBy: number }[]>`
			select confirmed_at as "confirmedAt", published_by as "publishedBy" from voting_session where id = ${session.id}`;
		expect(row?.confirmedAt).toBeInstanceOf(Date);
		expect(row?.publishedBy).toBe(staff.id);
	});
});

describe('audit chain', () => {
	it('links each entry to the previous one by hash and refuses edits', async () => {
		const { sql } = database;
		await appendAudit(sql, { actorUserId: null, action: 'test.first', details: { n: 1 } });
		await appendAudit(sql, { actorUserId: null, action: 'test.second', details: { n: 2 } });
		const entries = await sql<{ seq: number; prevHash: Buffer | null; hash: Buffer }[]>`
			select seq, prev_hash as "prevHash", hash from audit_entry order by seq`;
		expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
		for (const [index, entry] of entries.entries()) {
			if (index === 0) expect(entry.prevHash).toBeNull();
			else expect(entry.prevHash?.equals(entries[index - 1]!.hash)).toBe(true);
		}
		const owner = database.ownerSql; // every privilege: the trigger refuses
		await refused(owner`update audit_entry set action = 'forged'`, /append-only/);
		await refused(owner`delete from audit_entry`, /append-only/);
		await refused(owner`truncate audit_entry`, /cannot be truncated/);
	});

	it('records casts as counts at opening and closing, never as an entry per cast naming anyone', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql);
		const delegate = session.delegates[0]!;
		await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[1]!] }
		});
		// Nothing after the opening entry: the cast added none.
		const castEntries = await sql<{ action: string }[]>`
			select action from audit_entry where seq > (
				select seq from audit_entry where action = 'session.open' and voting_session_id = ${session.id})`;
		expect(castEntries).toEqual([]);
		const [opening] = await sql<{ actor: number | null; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'session.open' and voting_session_id = ${session.id}`;
		expect(opening?.details).toMatchObject({ electronicMarks: 0, paperMarks: 0, receipts: 0 });
		expect(JSON.stringify(opening?.details)).not.toContain(String(delegate.id));
	});
});
