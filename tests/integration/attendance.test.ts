// Attendance (签到), quorum (法定人数), the hall network and a valid vote (发出 / 收回), against a
// real PostgreSQL: what the app refuses with a message, and what the database refuses whatever
// writes to it, also under concurrency.
import { beforeAll, describe, expect, it } from 'vitest';
import { readPaperBallots } from '../../src/lib/domain/paper';
import { voteTally } from '../../src/lib/domain/tally';
import { updateAttendanceRules } from '../../src/lib/server/attendance/rules';
import { checkInByCode } from '../../src/lib/server/attendance/check-in';
import { issueAccessCodes } from '../../src/lib/server/electorate/access-codes';
import { removeFromElectorate } from '../../src/lib/server/electorate/electorate';
import { markPresentOnSignIn, setPresence, setPresenceOfMany } from '../../src/lib/server/electorate/presence';
import { castBallot } from '../../src/lib/server/voting/casting';
import { lifecycleRefusal } from '../../src/lib/server/voting/lifecycle-messages';
import { enterPaperBatch } from '../../src/lib/server/voting/paper';
import { getStoredTally, verifyTally } from '../../src/lib/server/voting/results';
import {
	applyLifecycle,
	confirmTally,
	createVotingSession as createStaffSession,
	getVotingSession
} from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import {
	createCandidates,
	createUser,
	createUsers,
	createVotingSession,
	enterConfirmedPaperBatch,
	passwordSignIn
} from '../helpers/factory';

const database = useTestDatabase({ max: 20 });
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };
beforeAll(async () => {
	staff = await createUser(database.sql, ['staff']);
	scrutineer = await createUser(database.sql, ['scrutineer']);
});

const approval = (candidateIds: number[]) => ({ method: 'approval' as const, candidateIds });

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as { code?: string; message?: string };
	}
	throw new Error('expected the database to refuse');
}

describe('quorum (法定人数)', () => {
	it('refuses to open below more than two thirds of 应到, with the numbers; opens at the quorum', async () => {
		const { sql } = database;
		// 9 enrolled: more than two thirds is 7.
		const session = await createVotingSession(sql, { delegates: 9, checkedIn: 6, open: false });
		const refused = await applyLifecycle(sql, session.id, 'open', staff.id);
		expect(refused).toMatchObject({ ok: false, error: 'below_quorum', quorum: { enrolled: 9, present: 6, needed: 7 } });
		if (refused.ok) throw new Error('unreachable');
		expect(lifecycleRefusal(refused)).toBe('应到 9 人，实到 6 人，不足法定人数 7 人，不能开始投票。');
		expect((await getVotingSession(sql, session.id))?.status).toBe('draft');

		// The database refuses it whoever writes.
		const direct = await errorOf(sql`update voting_session set status = 'open' where id = ${session.id}`);
		expect(direct.code).toBe('PJ201');

		await setPresence(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[6]!.id,
			present: true,
			actorUserId: staff.id
		});
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toEqual({ ok: true, status: 'open' });
	});

	it("states Taizhou's numbers as the issue asks: 应到 444, 实到 280, quorum 297", async () => {
		const [row] = await database.sql<{ needed: number }[]>`select quorum_needed('two_thirds', 444)::int as needed`;
		expect(row?.needed).toBe(297);
		expect(
			lifecycleRefusal({
				ok: false,
				error: 'below_quorum',
				quorum: { rule: 'two_thirds', enrolled: 444, present: 280, needed: 297, met: false, missing: 17 }
			})
		).toBe('应到 444 人，实到 280 人，不足法定人数 297 人，不能开始投票。');
	});

	it('follows the session setting (half, none) and freezes it from opening on', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 2, open: false });
		const rules = { signInMarksPresent: false, castNetworks: null };
		expect(await updateAttendanceRules(sql, session.id, { ...rules, quorumRule: 'half' }, staff.id)).toEqual({
			ok: true
		});
		// More than half of 4 is 3.
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toMatchObject({
			ok: false,
			error: 'below_quorum'
		});
		expect(await updateAttendanceRules(sql, session.id, { ...rules, quorumRule: 'none' }, staff.id)).toEqual({
			ok: true
		});
		expect(await applyLifecycle(sql, session.id, 'open', staff.id)).toMatchObject({ ok: true });
		expect(await updateAttendanceRules(sql, session.id, { ...rules, quorumRule: 'two_thirds' }, staff.id)).toEqual({
			ok: false,
			error: 'not_draft',
			status: 'open'
		});
		const frozen = await errorOf(sql`update voting_session set quorum_rule = 'two_thirds' where id = ${session.id}`);
		expect(frozen.code).toBe('PJ200');
		const [audit] = await sql<{ details: { quorumRule: string } }[]>`
			select details from audit_entry where voting_session_id = ${session.id} and action = 'session.attendance_rules'
			order by seq desc limit 1`;
		expect(audit?.details.quorumRule).toBe('none');
	});

	it('records the quorum at closing in the stored tally', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 6 });
		// Two delegates leave before closing: 4 of 6 is not more than two thirds.
		await setPresenceOfMany(sql, {
			votingSessionId: session.id,
			delegateIds: session.delegates.slice(0, 2).map((delegate) => delegate.id),
			present: false,
			actorUserId: staff.id
		});
		await applyLifecycle(sql, session.id, 'close', staff.id);
		const tally = await getStoredTally(sql, session.id);
		expect(tally?.figures).toMatchObject({
			enrolled: 6,
			present: 4,
			quorumRule: 'two_thirds',
			quorumNeeded: 5,
			quorumMet: false
		});
	});
});

describe('presence comes from the check-in at the hall', () => {
	it("a delegate's own sign-in does not mark them present, unless the session says so", async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 3 });
		const late = session.delegates[3]!;
		expect(await markPresentOnSignIn(sql, late.id)).toEqual([]);
		expect((await getVotingSession(sql, session.id))?.present).toBe(3);
		// Not checked in: no ballot.
		expect(
			await castBallot(sql, { votingSessionId: session.id, delegateId: late.id, selection: approval([]) })
		).toEqual({ ok: false, error: { code: 'not_checked_in' } });
		expect((await getVotingSession(sql, session.id))?.present).toBe(3);

		const lenient = await createVotingSession(sql, { delegates: 4, open: false });
		await updateAttendanceRules(
			sql,
			lenient.id,
			{ quorumRule: 'two_thirds', signInMarksPresent: true, castNetworks: null },
			staff.id
		);
		await setPresence(sql, {
			votingSessionId: lenient.id,
			delegateId: lenient.delegates[3]!.id,
			present: false,
			actorUserId: staff.id
		});
		expect(await applyLifecycle(sql, lenient.id, 'open', staff.id)).toMatchObject({ ok: true });
		expect(await markPresentOnSignIn(sql, lenient.delegates[3]!.id)).toEqual([lenient.id]);
	});

	it('a new session of staff enrols the whole roster; taking a delegate off needs a reason, kept in the audit log', async () => {
		const { sql } = database;
		const [candidate] = await createCandidates(sql, 3);
		const [disabled] = await createUsers(sql, 1, ['delegate'], 'gone');
		await sql`update app_user set disabled_at = now() where id = ${disabled!.id}`;
		const id = await createStaffSession(
			sql,
			{
				title: 'roster',
				year: 2022,
				rules: { ballotMethod: 'approval', seats: 1, thresholdBase: 'enrolled' },
				candidateIds: [candidate!]
			},
			staff.id
		);
		const [roster] = await sql<{ count: number }[]>`
			select count(*)::int from app_user u join user_role r on r.user_id = u.id and r.role = 'delegate' where u.disabled_at is null`;
		const enrolled = await sql<{ delegateId: number }[]>`
			select delegate_id as "delegateId" from electorate_member where voting_session_id = ${id}`;
		expect(enrolled).toHaveLength(roster!.count);
		expect(enrolled.map((row) => row.delegateId)).not.toContain(disabled!.id);
		const leaving = enrolled[0]!.delegateId;
		expect(
			await removeFromElectorate(sql, {
				votingSessionId: id,
				delegateId: leaving,
				reason: '代表资格终止',
				actorUserId: staff.id
			})
		).toEqual({ ok: true, count: 1 });
		const [audit] = await sql<{ details: { reason: string } }[]>`
			select details from audit_entry where voting_session_id = ${id} and action = 'electorate.removed'`;
		expect(audit?.details.reason).toBe('代表资格终止');
	});

	it('checks a delegate in by the code of their credential sheet, whether scanned as a link or typed', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 3 });
		const issued = await issueAccessCodes(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[3]!.id,
			actorUserId: staff.id
		});
		if (!issued.ok) throw new Error(issued.error);
		const code = issued.credentials[0]!.code;
		expect(
			await checkInByCode(sql, { votingSessionId: session.id, scanned: 'NOT-A-CODE', actorUserId: staff.id })
		).toEqual({ ok: false, error: 'unknown_code' });
		const scanned = await checkInByCode(sql, {
			votingSessionId: session.id,
			scanned: `https://piaojue.example/login/code?code=${code.replace(/-/g, '')}`,
			actorUserId: staff.id
		});
		expect(scanned).toMatchObject({ ok: true, changed: true, username: session.delegates[3]!.username });
		expect(
			await checkInByCode(sql, { votingSessionId: session.id, scanned: code.toLowerCase(), actorUserId: staff.id })
		).toMatchObject({ ok: true, changed: false });
		const [audit] = await sql<{ details: { by: string } }[]>`
			select details from audit_entry where voting_session_id = ${session.id} and action = 'presence.marked'
			order by seq desc limit 1`;
		expect(audit?.details.by).toBe('code');
	});
});

describe('casting needs a check-in', () => {
	it('refuses a delegate not checked in, in the app and in the database', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 3 });
		const absent = session.delegates[3]!;
		expect(
			await castBallot(sql, { votingSessionId: session.id, delegateId: absent.id, selection: approval([]) })
		).toEqual({ ok: false, error: { code: 'not_checked_in' } });
		const direct = await errorOf(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${session.id}, ${absent.id})`;
				await tx`insert into ballot (voting_session_id) values (${session.id})`;
			})
		);
		expect(direct.code).toBe('PJ202');
	});

	it('keeps the check-in of a delegate who voted, in the app and in the database', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3 });
		const voter = session.delegates[0]!;
		expect(
			(await castBallot(sql, { votingSessionId: session.id, delegateId: voter.id, selection: approval([]) })).ok
		).toBe(true);
		expect(
			await setPresence(sql, {
				votingSessionId: session.id,
				delegateId: voter.id,
				present: false,
				actorUserId: staff.id
			})
		).toMatchObject({ ok: false, error: 'has_voted', delegate: voter.username });
		const direct = await errorOf(
			sql`update electorate_member set present = false where voting_session_id = ${session.id} and delegate_id = ${voter.id}`
		);
		expect(direct.code).toBe('PJ203');
	});

	it('under concurrency with check-in undo, a ballot is cast only by a delegate who stays checked in', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 60, candidates: 3, seats: 1 });
		const outcomes = await Promise.all(
			session.delegates.map(async (delegate) => {
				const [cast, undo] = await Promise.all([
					castBallot(sql, {
						votingSessionId: session.id,
						delegateId: delegate.id,
						selection: approval([session.candidateIds[0]!])
					}),
					setPresence(sql, {
						votingSessionId: session.id,
						delegateId: delegate.id,
						present: false,
						actorUserId: staff.id
					})
				]);
				return { cast, undo };
			})
		);
		for (const { cast, undo } of outcomes) {
			// Exactly one of the two wins: the ballot (and the check-in stays) or the undo (and no ballot).
			if (cast.ok) expect(undo).toMatchObject({ ok: false, error: 'has_voted' });
			else {
				expect(cast.error).toEqual({ code: 'not_checked_in' });
				expect(undo).toMatchObject({ ok: true, changed: true });
			}
		}
		const [orphans] = await sql<{ count: number }[]>`
			select count(*)::int from ballot_mark m join electorate_member e
			  on e.voting_session_id = m.voting_session_id and e.delegate_id = m.delegate_id
			where m.voting_session_id = ${session.id} and not e.present`;
		expect(orphans?.count).toBe(0);
		const casts = outcomes.filter((outcome) => outcome.cast.ok).length;
		const votingSession = await getVotingSession(sql, session.id);
		expect(votingSession?.cast).toBe(casts);
		expect(votingSession?.present).toBe(casts);
	});
});

describe('the hall network', () => {
	it('accepts ballots only from the session’s address ranges, and says why', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 5, open: false });
		expect(
			await updateAttendanceRules(
				sql,
				session.id,
				{ quorumRule: 'two_thirds', signInMarksPresent: false, castNetworks: ['10.20.0.7/16', '2001:db8::/48'] },
				staff.id
			)
		).toEqual({ ok: true });
		const [stored] = await sql<{ networks: string[] }[]>`
			select cast_networks::text[] as networks from voting_session where id = ${session.id}`;
		expect(stored?.networks).toEqual(['10.20.0.0/16', '2001:db8::/48']);
		await applyLifecycle(sql, session.id, 'open', staff.id);
		const [d1, d2, d3, d4] = session.delegates as { id: number }[];
		const cast = (delegateId: number, clientAddress?: string | null) =>
			castBallot(sql, { votingSessionId: session.id, delegateId, selection: approval([]), clientAddress });
		expect(await cast(d1!.id, '192.168.1.20')).toEqual({ ok: false, error: { code: 'outside_hall_network' } });
		expect(await cast(d1!.id, null)).toEqual({ ok: false, error: { code: 'outside_hall_network' } });
		expect(await cast(d1!.id, 'not an address')).toEqual({ ok: false, error: { code: 'outside_hall_network' } });
		expect((await cast(d1!.id, '10.20.3.4')).ok).toBe(true);
		// A dual-stack socket reports an IPv4 client as an IPv4-mapped IPv6 address.
		expect((await cast(d2!.id, '::ffff:10.20.9.9')).ok).toBe(true);
		expect((await cast(d3!.id, '2001:db8:0:1::5')).ok).toBe(true);
		expect(await cast(d4!.id, '10.21.0.1')).toEqual({ ok: false, error: { code: 'outside_hall_network' } });
		// Without hall networks, anywhere (as before).
		const open = await createVotingSession(sql, { delegates: 1 });
		expect(
			(
				await castBallot(sql, {
					votingSessionId: open.id,
					delegateId: open.delegates[0]!.id,
					selection: approval([]),
					clientAddress: '203.0.113.9'
				})
			).ok
		).toBe(true);
	});
});

describe('a valid vote: 发出 and 收回', () => {
	function paper(session: { candidateIds: number[] }, text: string) {
		const reading = readPaperBallots('approval', 2, session.candidateIds, text);
		if (!reading.ok) throw new Error('unreadable test ballots');
		return reading.ballots;
	}

	it('counts issued and returned ballots on both channels, and a valid vote publishes', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 6, candidates: 4, seats: 2 });
		for (const delegate of session.delegates.slice(0, 3)) {
			await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: approval([session.candidateIds[0]!])
			});
		}
		expect(
			await enterConfirmedPaperBatch(sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: session.delegates.slice(3, 5).map((delegate) => delegate.username),
				ballots: paper(session, '1 2\n作废'),
				scrutineerIds: [scrutineer.id],
				note: '',
				issuedCount: 3
			})
		).toMatchObject({ ok: true, ballots: 2, void: 1 });
		await applyLifecycle(sql, session.id, 'close', staff.id);
		const tally = voteTally((await getStoredTally(sql, session.id))!);
		// 6 checked in, 2 of them voted on paper: 4 electronic ballots issued + 3 paper = 7 issued.
		expect(tally.figures).toEqual({
			enrolled: 6,
			present: 6,
			quorumRule: 'two_thirds',
			quorumNeeded: 5,
			quorumMet: true,
			issued: 7,
			issuedElectronic: 4,
			issuedPaper: 3,
			returned: 5,
			returnedElectronic: 3,
			returnedPaper: 2,
			validBallots: 4,
			voidBallots: 1,
			valid: true
		});
		expect((await verifyTally(sql, session.id))?.differences).toEqual([]);
		expect(await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		const publisher = await createUser(sql, ['staff']);
		expect(await applyLifecycle(sql, session.id, 'publish', publisher.id)).toEqual({ ok: true, status: 'published' });
	});

	it('收回 > 发出 voids the vote: the tally says so and publication is refused, by the app and the database', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, candidates: 4, seats: 2 });
		await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[0]!.id,
			selection: approval([session.candidateIds[1]!])
		});
		// Three paper ballots came back from a batch for which only one was issued.
		expect(
			await enterConfirmedPaperBatch(sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: session.delegates.slice(1).map((delegate) => delegate.username),
				ballots: paper(session, '1\n2\n1 2'),
				scrutineerIds: [scrutineer.id],
				note: '',
				issuedCount: 1
			})
		).toMatchObject({ ok: true });
		await applyLifecycle(sql, session.id, 'close', staff.id);
		const figures = (await getStoredTally(sql, session.id))!.figures;
		// Issued: 4 checked in − 3 on paper + 1 paper = 2; returned: 1 + 3 = 4.
		expect(figures).toMatchObject({ issued: 2, returned: 4, valid: false });
		await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id));
		const publisher = await createUser(sql, ['staff']);
		const refused = await applyLifecycle(sql, session.id, 'publish', publisher.id);
		expect(refused).toEqual({ ok: false, error: 'vote_void' });
		if (refused.ok) throw new Error('unreachable');
		expect(lifecycleRefusal(refused)).toContain('须重新票决');
		const direct = await errorOf(
			sql`update voting_session set status = 'published', published_by = ${publisher.id} where id = ${session.id}`
		);
		expect(direct.code).toBe('PJ204');
		expect((await getVotingSession(sql, session.id))?.status).toBe('closed');
	});

	it('the stored tally cannot state figures other than what the tables hold', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 3 });
		await sql`update voting_session set status = 'closed' where id = ${session.id}`;
		const forged = await errorOf(
			sql`insert into voting_result (voting_session_id, tally, ballots_digest)
				values (${session.id}, ${sql.json({ figures: { enrolled: 3, present: 3, issued: 3, issuedPaper: 0, returned: 0, returnedPaper: 0, valid: false } })}, 'x')`
		);
		expect(forged.code).toBe('PJ205');
	});

	it('refuses a paper batch for a delegate not checked in', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { delegates: 4, checkedIn: 3 });
		expect(
			await enterPaperBatch(sql, {
				votingSessionId: session.id,
				enteredBy: staff.id,
				delegateReferences: [session.delegates[3]!.username],
				ballots: paper(session, '1'),
				scrutineerIds: [scrutineer.id],
				note: '',
				issuedCount: 1
			})
		).toEqual({ ok: false, error: { code: 'not_checked_in', references: [session.delegates[3]!.username] } });
	});
});
