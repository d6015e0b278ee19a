// Casting a ballot: ONE transaction that locks the session row (shared), checks it is open and
// the delegate enrolled, writes the has-voted mark (unique per session and delegate) and the
// ballot (no delegate column), appends an audit entry naming neither, and notifies.
import { createHash, randomBytes } from 'node:crypto';
import { checkBallot, type BallotProblem, type Selection } from '$lib/domain/ballot';
import { thresholdPreview } from '$lib/domain/attendance';
import type { BallotContent, SessionMethod, SessionStatus, ThresholdBase } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { refusalOf } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import { notifyTurnout } from '../live/notify';
import type { VotingSession } from './sessions';
import { hallNetworkCheck } from '../attendance/hall-network';

export type CastError =
	| { code: 'session_not_found' }
	| { code: 'not_open'; status: SessionStatus; reason: 'not_yet_open' | 'closed' }
	| { code: 'not_enrolled' }
	| { code: 'not_checked_in' }
	| { code: 'outside_hall_network' }
	| { code: 'already_voted' }
	| { code: 'invalid_ballot'; problem: BallotProblem };

export type CastResult =
	{ ok: true; receiptCode: string; castAt: Date; ballot: BallotContent } | { ok: false; error: CastError };

/** A receipt code: 128 random bits, shown once in groups of four; only its SHA-256 is stored. */
export function newReceiptCode(): string {
	const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
	const bits = randomBytes(16);
	let value = BigInt(`0x${bits.toString('hex')}`);
	let code = '';
	for (let index = 0; index < 26; index += 1) {
		code += alphabet[Number(value & 31n)];
		value >>= 5n;
	}
	return code.match(/.{1,4}/g)!.join('-');
}

export function receiptHash(receiptCode: string): Buffer {
	return createHash('sha256')
		.update(receiptCode.replace(/[^A-Z0-9]/gi, '').toUpperCase())
		.digest();
}

class CastRefused extends Error {
	constructor(readonly castError: CastError) {
		super(castError.code);
	}
}

type CastInput = {
	votingSessionId: number;
	delegateId: number;
	selection: Selection;
	/**
	 * The client's address as the app derives it (adapter-node's getClientAddress: the socket, or
	 * ADDRESS_HEADER / XFF_DEPTH behind a proxy), checked against the session's hall networks
	 * (without one, a session that sets hall networks refuses the cast).
	 */
	clientAddress?: string | null;
};

/** Every check a cast must pass, read in the caller's transaction; throws CastRefused. */
async function checkCastable(tx: TransactionSql, input: CastInput, lockSession: boolean): Promise<BallotContent> {
	// The three reads leave in one round trip (postgres.js pipelines them on the transaction's
	// connection) and run in this order: the session row is locked before the enrolment is read.
	const [[session], [member], candidateRows] = await Promise.all([
		tx<
			{
				status: SessionStatus;
				ballotMethod: SessionMethod;
				seats: number;
				thresholdBase: ThresholdBase;
				allowAbstain: boolean;
				inHallNetwork: boolean;
				timing: 'early' | 'late' | 'ok';
			}[]
		>`
			select status, ballot_method as "ballotMethod", coalesce(seats, 0) as seats, threshold_base as "thresholdBase",
			       allow_abstain as "allowAbstain",
			       ${hallNetworkCheck(tx, input.clientAddress ?? null)} as "inHallNetwork",
			       case when opens_at is not null and now() < opens_at then 'early'
			            when closes_at is not null and now() >= closes_at then 'late' else 'ok' end as timing
			from voting_session where id = ${input.votingSessionId} ${lockSession ? tx`for share` : tx``}`,
		tx<{ hasVoted: boolean; present: boolean }[]>`
			select exists (select 1 from ballot_mark m where m.voting_session_id = e.voting_session_id and m.delegate_id = e.delegate_id) as "hasVoted",
			       e.present
			from electorate_member e
			where e.voting_session_id = ${input.votingSessionId} and e.delegate_id = ${input.delegateId}`,
		tx<{ candidateId: number }[]>`
			select candidate_id as "candidateId" from voting_session_candidate
			where voting_session_id = ${input.votingSessionId} order by position`
	]);
	if (!session) throw new CastRefused({ code: 'session_not_found' });
	if (session.status !== 'open' || session.timing !== 'ok') {
		const reason = session.status === 'draft' || session.timing === 'early' ? 'not_yet_open' : 'closed';
		throw new CastRefused({ code: 'not_open', status: session.status, reason });
	}
	if (!member) throw new CastRefused({ code: 'not_enrolled' });
	if (member.hasVoted) throw new CastRefused({ code: 'already_voted' });
	// 签到 first: the database holds this too (ballot_mark_needs_presence), under any concurrency.
	if (!member.present) throw new CastRefused({ code: 'not_checked_in' });
	if (!session.inHallNetwork) throw new CastRefused({ code: 'outside_hall_network' });
	const check = checkBallot(
		{
			ballotMethod: session.ballotMethod,
			seats: session.seats,
			thresholdBase: session.thresholdBase,
			allowAbstain: session.allowAbstain
		},
		candidateRows.map((row) => row.candidateId),
		input.selection
	);
	if (!check.ok) throw new CastRefused({ code: 'invalid_ballot', problem: check.problem });
	return check.ballot;
}

function refusal(error: unknown): CastError {
	if (error instanceof CastRefused) return error.castError;
	switch (refusalOf(error)?.refusal) {
		// A concurrent cast by the same delegate loses on the unique mark.
		case 'unique_violation':
			return { code: 'already_voted' };
		// The check-in was undone between the checks and the mark: the database refused the mark.
		case 'not_checked_in':
			return { code: 'not_checked_in' };
		// The session closed between the checks and the insert: the database trigger refused.
		case 'session_not_open':
			return { code: 'not_open', status: 'closed', reason: 'closed' };
		default:
			throw error;
	}
}

/** The review step: the same checks as a cast, writing nothing. */
export async function reviewBallot(
	sql: Sql,
	input: CastInput
): Promise<{ ok: true; ballot: BallotContent } | { ok: false; error: CastError }> {
	try {
		const ballot = await sql.begin('read only', (tx) => checkCastable(tx, input, false));
		return { ok: true, ballot: ballot as BallotContent };
	} catch (error) {
		return { ok: false, error: refusal(error) };
	}
}

export async function castBallot(sql: Sql, input: CastInput): Promise<CastResult> {
	const receiptCode = newReceiptCode();
	// The audit entry takes the audit chain's lock (a trigger) and holds it until the commit, so
	// every cast waits for the one before it there. The last statements therefore leave together
	// with the COMMIT, in one round trip: the lock is held only while PostgreSQL works, never while
	// this process is busy with other requests. A statement that fails among them makes PostgreSQL
	// roll the whole transaction back at that COMMIT, so their outcome is awaited after it and a
	// failure there is the failure of the cast, as before.
	let closing: Promise<unknown> = Promise.resolve();
	try {
		const outcome = await sql.begin(async (tx) => {
			const ballot = await checkCastable(tx, input, true);
			// One round trip; a mark that already exists refuses the cast, and the rollback takes the rest back.
			// The receipt's hash goes to a table of its own, linked to no ballot; the time shown on the
			// receipt is rounded to the minute.
			const [marked, [inserted]] = await Promise.all([
				tx`insert into ballot_mark (voting_session_id, delegate_id) values (${input.votingSessionId}, ${input.delegateId})
					on conflict do nothing`,
				tx<{ id: string; castAt: Date }[]>`
					insert into ballot (voting_session_id) values (${input.votingSessionId})
					returning id, date_trunc('minute', now()) as "castAt"`,
				tx`insert into ballot_receipt (receipt_hash, voting_session_id) values (${receiptHash(receiptCode)}, ${input.votingSessionId})`
			]);
			if (marked.count !== 1) throw new CastRefused({ code: 'already_voted' });
			const { id: ballotId, castAt } = inserted as { id: string; castAt: Date };
			// Sent in this order (each starts executing as it is created) and not awaited here.
			closing = Promise.all([
				ballot.choices.length > 0
					? tx`insert into ballot_choice ${tx(
							ballot.choices.map((entry) => ({
								ballot_id: ballotId,
								voting_session_id: input.votingSessionId,
								candidate_id: entry.candidateId,
								choice: entry.choice
							}))
						)}`.execute()
					: null,
				notifyTurnout(tx, input.votingSessionId),
				appendAudit(tx, { actorUserId: null, action: 'ballot.cast', votingSessionId: input.votingSessionId })
			]);
			closing.catch(() => {}); // observed below, once the COMMIT has answered
			return { ballot, castAt };
		});
		await closing;
		return { ok: true, receiptCode, castAt: outcome.castAt, ballot: outcome.ballot };
	} catch (error) {
		return { ok: false, error: refusal(error) };
	}
}

/** What the ballot page shows of its session: no counts (they cost a scan of the session's rows). */
export type BallotSession = Pick<VotingSession, 'id' | 'title' | 'status' | 'rules' | 'opensAt' | 'closesAt'>;

/**
 * The session of a ballot page and the delegate's place in it, in one light read (primary keys
 * only): what the page and its form actions need at every request of a vote. Null when the
 * session does not exist.
 */
export async function readBallotSession(
	sql: Sql,
	votingSessionId: number,
	delegateId: number,
	clientAddress: string | null
): Promise<{
	votingSession: BallotSession;
	enrolled: boolean;
	hasVoted: boolean;
	/** Checked in (签到) at the hall: only then can the delegate cast. */
	checkedIn: boolean;
	/** The request comes from one of the session's hall networks (or the session sets none). */
	inHallNetwork: boolean;
} | null> {
	const [row] = await sql<
		{
			id: number;
			title: string;
			status: SessionStatus;
			ballotMethod: SessionMethod;
			seats: number;
			thresholdBase: ThresholdBase;
			allowAbstain: boolean;
			opensAt: Date | null;
			closesAt: Date | null;
			enrolled: boolean;
			hasVoted: boolean;
			checkedIn: boolean;
			inHallNetwork: boolean;
		}[]
	>`
		select s.id, s.title, s.status, s.ballot_method as "ballotMethod", coalesce(s.seats, 0) as seats, s.threshold_base as "thresholdBase",
		       s.allow_abstain as "allowAbstain", s.opens_at as "opensAt", s.closes_at as "closesAt",
		       e.delegate_id is not null as enrolled, coalesce(e.present, false) as "checkedIn",
		       ${hallNetworkCheck(sql, clientAddress)} as "inHallNetwork",
		       exists (select 1 from ballot_mark m where m.voting_session_id = s.id and m.delegate_id = ${delegateId}) as "hasVoted"
		from voting_session s
		left join electorate_member e on e.voting_session_id = s.id and e.delegate_id = ${delegateId}
		where s.id = ${votingSessionId}`;
	if (!row) return null;
	const {
		ballotMethod,
		seats,
		thresholdBase,
		allowAbstain,
		enrolled,
		hasVoted,
		checkedIn,
		inHallNetwork,
		...votingSession
	} = row;
	return {
		votingSession: { ...votingSession, rules: { ballotMethod, seats, thresholdBase, allowAbstain } },
		enrolled,
		hasVoted,
		checkedIn,
		inHallNetwork
	};
}

/**
 * The passing threshold as the ballot page states it ("过半数：223 票"): more than half of 应到 (or
 * of 实到 as it stands); for a base of ballots cast, only the rule (the number is known once counted).
 */
export async function ballotThreshold(sql: Sql, votingSessionId: number) {
	const [row] = await sql<{ thresholdBase: ThresholdBase; enrolled: number; present: number }[]>`
		select s.threshold_base as "thresholdBase",
		       (select count(*) from electorate_member e where e.voting_session_id = s.id)::int as enrolled,
		       (select count(*) from electorate_member e where e.voting_session_id = s.id and e.present)::int as present
		from voting_session s where s.id = ${votingSessionId}`;
	return row ? thresholdPreview(row.thresholdBase, row) : null;
}
