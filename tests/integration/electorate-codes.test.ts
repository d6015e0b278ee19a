// Access codes and presence against a real database: issuing (only hashes kept, codes never in
// the audit log), re-issuing voids the old code, one-time use, sign-in marking presence in the
// open sessions a delegate is enrolled in, staff marking presence while draft or open only,
// the rate limit per address, and presence as the threshold base of the tally.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../src/lib/server/auth/login';
import { validateSessionToken } from '../../src/lib/server/auth/session';
import {
	checkAccessCode,
	issueAccessCodes,
	signInWithAccessCode,
	ACCESS_CODE_ADDRESS_POLICY
} from '../../src/lib/server/electorate/access-codes';
import { markPresentOnSignIn, setPresence } from '../../src/lib/server/electorate/presence';
import { setDelegateDisabled } from '../../src/lib/server/electorate/roster';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, type TestSession } from '../helpers/factory';

const database = useTestDatabase();
let staff: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
});

const CODE_FORMAT = /^[A-KMNP-Z2-9]{4}(-[A-KMNP-Z2-9]{4}){3}$/;
let addressCounter = 0;
/** A fresh client address per test, so that the rate limit of one test never touches another. */
const freshAddress = () => `203.0.113.${(addressCounter += 1)}`;

async function issueAll(session: TestSession): Promise<Map<number, string>> {
	const result = await issueAccessCodes(database.sql, { votingSessionId: session.id, actorUserId: staff.id });
	if (!result.ok) throw new Error(`issuing failed: ${result.error}`);
	return new Map(result.credentials.map((credential) => [credential.delegateId, credential.code]));
}

async function presentIds(votingSessionId: number): Promise<number[]> {
	const rows = await database.sql<{ id: number }[]>`
		select delegate_id as id from electorate_member where voting_session_id = ${votingSessionId} and present order by delegate_id`;
	return rows.map((row) => row.id);
}

describe('issuing access codes', () => {
	it('gives each enrolled delegate an 80-bit code, keeps only its SHA-256 and audits the count alone', async () => {
		const session = await createVotingSession(database.sql, { delegates: 3, open: false });
		const codes = await issueAll(session);
		expect([...codes.keys()].sort()).toEqual(session.delegates.map((delegate) => delegate.id).sort());
		expect(new Set(codes.values()).size).toBe(3);
		for (const code of codes.values()) expect(code).toMatch(CODE_FORMAT);

		const stored = await database.sql<{ userId: number; hash: Buffer; usedAt: Date | null; issuedBy: number }[]>`
			select user_id as "userId", code_hash as hash, used_at as "usedAt", issued_by as "issuedBy" from access_code
			where user_id = any(${[...codes.keys()]}::bigint[])`;
		expect(stored).toHaveLength(3);
		for (const row of stored) {
			const code = codes.get(row.userId)!.replace(/-/g, '');
			expect(row.hash.equals(createHash('sha256').update(code).digest())).toBe(true);
			expect(row).toMatchObject({ usedAt: null, issuedBy: staff.id });
		}
		const [entry] = await database.sql<{ details: Record<string, unknown>; text: string }[]>`
			select details, details::text as text from audit_entry where action = 'credentials.issued' and voting_session_id = ${session.id}`;
		expect(entry?.details).toEqual({
			count: 3,
			scope: 'all',
			skipped: 0,
			replaced: 0,
			endedSessions: 0,
			reason: null
		});
		for (const code of codes.values()) expect(entry?.text).not.toContain(code.slice(0, 4));
	});

	it('re-issuing one delegate voids their old code, and leaves the others working', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2, open: false });
		const codes = await issueAll(session);
		const [first, second] = session.delegates as [TestSession['delegates'][number], TestSession['delegates'][number]];
		const again = await issueAccessCodes(database.sql, {
			votingSessionId: session.id,
			delegateId: first.id,
			actorUserId: staff.id
		});
		expect(again.ok && again.credentials.map((credential) => credential.delegateId)).toEqual([first.id]);
		const newCode = again.ok ? again.credentials[0]!.code : '';
		expect(newCode).not.toBe(codes.get(first.id));

		const address = freshAddress();
		expect(await checkAccessCode(database.sql, { code: codes.get(first.id)!, address })).toEqual({
			ok: false,
			error: 'wrong'
		});
		expect(await checkAccessCode(database.sql, { code: newCode, address })).toMatchObject({ ok: true });
		expect(await checkAccessCode(database.sql, { code: codes.get(second.id)!, address })).toMatchObject({ ok: true });
		const [entry] = await database.sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'credentials.issued' and voting_session_id = ${session.id} order by seq desc limit 1`;
		expect(entry?.details).toEqual({
			count: 1,
			scope: 'one',
			delegate: first.username,
			skipped: 0,
			replaced: 1,
			endedSessions: 0,
			reason: null
		});
	});

	it('refuses a delegate who is not enrolled, skips disabled delegates, and stops after voting ends', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2, open: false });
		const outsider = await createUser(database.sql, ['delegate']);
		expect(
			await issueAccessCodes(database.sql, {
				votingSessionId: session.id,
				delegateId: outsider.id,
				actorUserId: staff.id
			})
		).toEqual({ ok: false, error: 'not_enrolled' });
		await setDelegateDisabled(database.sql, {
			delegateId: session.delegates[0]!.id,
			disabled: true,
			actorUserId: staff.id
		});
		const codes = await issueAll(session);
		expect([...codes.keys()]).toEqual([session.delegates[1]!.id]);

		const closed = await createVotingSession(database.sql, { delegates: 1 });
		await applyLifecycle(database.sql, closed.id, 'close', staff.id);
		expect(await issueAccessCodes(database.sql, { votingSessionId: closed.id, actorUserId: staff.id })).toEqual({
			ok: false,
			error: 'wrong_status'
		});
	});
});

describe('signing in with an access code', () => {
	it('works once: consumes the code with the sign-in, and refuses it afterwards', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const delegate = session.delegates[0]!;
		const code = (await issueAll(session)).get(delegate.id)!;
		const address = freshAddress();
		// Typed in lower case with spaces instead of hyphens: still the same code.
		const typed = code.toLowerCase().replace(/-/g, ' ');
		expect(await checkAccessCode(database.sql, { code: typed, address })).toMatchObject({
			ok: true,
			delegate: { displayName: delegate.username }
		});

		const result = await signInWithAccessCode(database.sql, { code: typed, address });
		expect(result).toMatchObject({ ok: true, userId: delegate.id });
		const session1 = await validateSessionToken(database.sql, result.ok ? result.token : '');
		expect(session1?.user.id).toBe(delegate.id);
		const [stored] = await database.sql<
			{ used: boolean }[]
		>`select used_at is not null as used from access_code where user_id = ${delegate.id}`;
		expect(stored?.used).toBe(true);

		expect(await signInWithAccessCode(database.sql, { code, address })).toEqual({ ok: false, error: 'used' });
		expect(await checkAccessCode(database.sql, { code, address })).toEqual({ ok: false, error: 'used' });
	});

	it('two sign-ins racing with one code: exactly one succeeds', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const code = (await issueAll(session)).get(session.delegates[0]!.id)!;
		const address = freshAddress();
		const results = await Promise.all(
			Array.from({ length: 5 }, () => signInWithAccessCode(database.sql, { code, address }))
		);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.error)).toEqual([
			'used',
			'used',
			'used',
			'used'
		]);
		const [sessions] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from auth_session where user_id = ${session.delegates[0]!.id}`;
		expect(sessions?.count).toBe(1);
	});

	it('can set a password (at once usable for a normal sign-in)', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const delegate = session.delegates[0]!;
		const code = (await issueAll(session)).get(delegate.id)!;
		const address = freshAddress();
		expect(
			(await signInWithAccessCode(database.sql, { code, address, newPassword: 'a brand new passphrase' })).ok
		).toBe(true);
		expect(
			(await signIn(database.sql, { username: delegate.username, password: 'a brand new passphrase', address })).ok
		).toBe(true);
	});

	it('refuses the code of a disabled delegate, and a code that is not one', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const delegate = session.delegates[0]!;
		const code = (await issueAll(session)).get(delegate.id)!;
		await setDelegateDisabled(database.sql, { delegateId: delegate.id, disabled: true, actorUserId: staff.id });
		const address = freshAddress();
		expect(await signInWithAccessCode(database.sql, { code, address })).toEqual({ ok: false, error: 'disabled' });
		expect(await checkAccessCode(database.sql, { code: 'too short', address })).toEqual({
			ok: false,
			error: 'malformed'
		});
		expect(await checkAccessCode(database.sql, { code: 'AAAA-AAAA-AAAA-AAAA', address })).toEqual({
			ok: false,
			error: 'wrong'
		});
		const [stored] = await database.sql<
			{ used: boolean }[]
		>`select used_at is not null as used from access_code where user_id = ${delegate.id}`;
		expect(stored?.used).toBe(false);
	});

	it('limits failed attempts per address, then refuses even a right code from it; other addresses go on', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const code = (await issueAll(session)).get(session.delegates[0]!.id)!;
		const address = freshAddress();
		const outcomes: string[] = [];
		for (let attempt = 0; attempt <= ACCESS_CODE_ADDRESS_POLICY.capacity; attempt += 1) {
			const result = await checkAccessCode(database.sql, {
				code: `ZZZZ-ZZZZ-ZZZZ-${String(attempt).padStart(4, '2').replace(/[01]/g, '9')}`,
				address
			});
			outcomes.push(result.ok ? 'ok' : result.error);
		}
		expect(outcomes.slice(0, ACCESS_CODE_ADDRESS_POLICY.capacity).every((outcome) => outcome === 'wrong')).toBe(true);
		expect(outcomes.at(-1)).toBe('rate_limited');
		const blocked = await signInWithAccessCode(database.sql, { code, address });
		expect(blocked).toMatchObject({ ok: false, error: 'rate_limited' });
		expect(!blocked.ok && blocked.error === 'rate_limited' && blocked.retryAfterSeconds).toBeGreaterThan(0);
		expect((await signInWithAccessCode(database.sql, { code, address: freshAddress() })).ok).toBe(true);
	});
});

describe('presence (签到)', () => {
	/** An open session nobody is checked in to (no quorum), whose sign-in setting is as given. */
	async function openUnattended(delegates: number, signInMarksPresent: boolean): Promise<TestSession> {
		const session = await createVotingSession(database.sql, { delegates, open: false, checkedIn: 0 });
		await database.sql`
			update voting_session set quorum_rule = 'none', sign_in_marks_present = ${signInMarksPresent} where id = ${session.id}`;
		expect(await applyLifecycle(database.sql, session.id, 'open', staff.id)).toMatchObject({ ok: true });
		return session;
	}

	it('a sign-in by code marks the delegate present only in the open sessions whose setting says so', async () => {
		const open = await openUnattended(2, true);
		const strict = await openUnattended(1, false);
		const draft = await createVotingSession(database.sql, { delegates: 1, open: false, checkedIn: 0 });
		await database.sql`update voting_session set sign_in_marks_present = true where id = ${draft.id}`;
		const delegate = open.delegates[0]!;
		// The same delegate is also enrolled in the draft session and in a session that counts only the hall's check-in.
		await database.sql`insert into electorate_member (voting_session_id, delegate_id) values (${draft.id}, ${delegate.id})`;
		const code = (await issueAll(open)).get(delegate.id)!;
		expect((await signInWithAccessCode(database.sql, { code, address: freshAddress() })).ok).toBe(true);
		expect(await presentIds(open.id)).toEqual([delegate.id]);
		expect(await presentIds(draft.id)).toEqual([]);
		expect(await presentIds(strict.id)).toEqual([]);
		const [entry] = await database.sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'presence.marked' and voting_session_id = ${open.id}`;
		expect(entry).toEqual({
			actor: delegate.id,
			details: { delegate: delegate.username, present: true, by: 'sign_in' }
		});
	});

	it('a password sign-in marks presence through the same function, once, and not by default', async () => {
		const open = await openUnattended(2, true);
		const delegate = open.delegates[1]!;
		expect(await markPresentOnSignIn(database.sql, delegate.id)).toEqual([open.id]);
		expect(await markPresentOnSignIn(database.sql, delegate.id)).toEqual([]);
		expect(await presentIds(open.id)).toEqual([delegate.id]);
		const strict = await openUnattended(1, false);
		expect(await markPresentOnSignIn(database.sql, strict.delegates[0]!.id)).toEqual([]);
		expect(await presentIds(strict.id)).toEqual([]);
	});

	it('staff mark present and not present while draft or open, each step audited; refused once closed', async () => {
		const session = await createVotingSession(database.sql, { delegates: 3, open: false, checkedIn: 0 });
		await database.sql`update voting_session set quorum_rule = 'none' where id = ${session.id}`;
		const [a, b] = session.delegates as [TestSession['delegates'][number], TestSession['delegates'][number]];
		expect(
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: a.id,
				present: true,
				actorUserId: staff.id
			})
		).toMatchObject({ ok: true, changed: true });
		await applyLifecycle(database.sql, session.id, 'open', staff.id);
		expect(
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: b.id,
				present: true,
				actorUserId: staff.id
			})
		).toMatchObject({ ok: true, changed: true });
		expect(
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: a.id,
				present: false,
				actorUserId: staff.id
			})
		).toMatchObject({ ok: true, changed: true });
		expect(await presentIds(session.id)).toEqual([b.id]);
		const outsider = await createUser(database.sql, ['delegate']);
		expect(
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: outsider.id,
				present: true,
				actorUserId: staff.id
			})
		).toEqual({ ok: false, error: 'not_enrolled', delegateId: outsider.id });

		await applyLifecycle(database.sql, session.id, 'close', staff.id);
		expect(
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: a.id,
				present: true,
				actorUserId: staff.id
			})
		).toEqual({ ok: false, error: 'wrong_status', status: 'closed' });
		expect(await presentIds(session.id)).toEqual([b.id]);
		// And the database itself refuses, whatever the application does.
		await expect(
			database.sql`update electorate_member set present = true where voting_session_id = ${session.id} and delegate_id = ${a.id}`
		).rejects.toThrow(/cannot change: it is closed/);

		const entries = await database.sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'presence.marked' and voting_session_id = ${session.id} order by seq`;
		expect(entries).toEqual([
			{ actor: staff.id, details: { delegate: a.username, delegateNumber: null, present: true, by: 'staff' } },
			{ actor: staff.id, details: { delegate: b.username, delegateNumber: null, present: true, by: 'staff' } },
			{ actor: staff.id, details: { delegate: a.username, delegateNumber: null, present: false, by: 'staff' } }
		]);
	});

	it('the number present is the base of the threshold when the session says so', async () => {
		const session = await createVotingSession(database.sql, {
			delegates: 5,
			candidates: 3,
			seats: 1,
			thresholdBase: 'present',
			open: false,
			checkedIn: 0
		});
		// More than half present is the quorum this session sets.
		await database.sql`update voting_session set quorum_rule = 'half' where id = ${session.id}`;
		const [a, b, c] = session.delegates as [
			TestSession['delegates'][number],
			TestSession['delegates'][number],
			TestSession['delegates'][number]
		];
		for (const delegate of [a, b, c])
			await setPresence(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				present: true,
				actorUserId: staff.id
			});
		expect(await applyLifecycle(database.sql, session.id, 'open', staff.id)).toMatchObject({ ok: true });
		// Two of the three present vote for the first candidate: more than half of 3 present, not of 5 enrolled.
		for (const delegate of [a, b]) {
			const cast = await castBallot(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
			});
			expect(cast.ok).toBe(true);
		}
		await applyLifecycle(database.sql, session.id, 'close', staff.id);
		const [stored] = await database.sql<
			{
				tally: {
					present: number;
					thresholdBaseCount: number;
					votesNeeded: number;
					candidates: { candidateId: number; passed: boolean }[];
				};
			}[]
		>`
			select tally from voting_result where voting_session_id = ${session.id}`;
		expect(stored?.tally).toMatchObject({ present: 3, thresholdBaseCount: 3, votesNeeded: 2 });
		expect(stored?.tally.candidates.find((row) => row.candidateId === session.candidateIds[0])?.passed).toBe(true);
	});
});
