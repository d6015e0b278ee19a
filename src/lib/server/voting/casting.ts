// Casting a ballot: ONE statement, its own transaction, that locks the session row (shared),
// checks it is open and the delegate enrolled and checked in, writes the has-voted mark (unique
// per session and delegate), the ballot (no delegate column) and the receipt's hash apart, and
// notifies (cast_ballot, migrations/00018_speed.sql).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { checkBallot, type BallotProblem, type Selection } from '$lib/domain/ballot';
import { thresholdPreview } from '$lib/domain/attendance';
import type { BallotContent, SessionMethod, SessionStatus, ThresholdBase } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { refusalOf } from '../db/refusal';
import { isDatabaseUnavailable } from '../db/unavailable';
import { listBallotCandidates, type BallotCandidate } from '../catalog/catalog';
import type { VotingSession } from './sessions';
import { hallNetworkCheck, normalizeClientAddress } from '../attendance/hall-network';

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

/** The reasons cast_ballot_check (migrations/00018_speed.sql) gives, as the app's refusals. */
function castError(outcome: string, status: SessionStatus | null): CastError {
	switch (outcome) {
		case 'not_yet_open':
			return { code: 'not_open', status: status ?? 'draft', reason: 'not_yet_open' };
		case 'closed':
			return { code: 'not_open', status: status ?? 'closed', reason: 'closed' };
		case 'session_not_found':
		case 'not_enrolled':
		case 'already_voted':
		case 'not_checked_in':
		case 'outside_hall_network':
			return { code: outcome };
		default:
			throw new Error(`cast_ballot: unexpected outcome ${outcome}`);
	}
}

/** The database's refusals a cast can meet after its checks passed, as the app's. */
function refusal(error: unknown): CastError {
	const found = refusalOf(error);
	switch (found?.refusal) {
		// A concurrent cast by the same delegate loses on the unique mark.
		case 'unique_violation':
			if (found?.constraint === 'ballot_mark_pkey') return { code: 'already_voted' };
			throw error;
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

/**
 * The refusal of the session or the delegate (not open, not enrolled, voted, not checked in,
 * outside the hall network), or null when they may cast: cast_ballot_check without a lock.
 */
async function castability(sql: Sql, input: CastInput): Promise<CastError | null> {
	const [checked] = await sql<{ outcome: string; sessionStatus: SessionStatus | null }[]>`
		select outcome, session_status as "sessionStatus"
		from cast_ballot_check(${input.votingSessionId}, ${input.delegateId}, ${normalizeClientAddress(input.clientAddress)}::inet, false)`;
	if (!checked || checked.outcome === 'ok') return null;
	return castError(checked.outcome, checked.sessionStatus);
}

/** The review step: the same checks as a cast, writing nothing. */
export async function reviewBallot(
	sql: Sql,
	input: CastInput
): Promise<{ ok: true; ballot: BallotContent } | { ok: false; error: CastError }> {
	const ballot = await frozenBallot(sql, input.votingSessionId);
	if (!ballot) return { ok: false, error: { code: 'session_not_found' } };
	const refused = await castability(sql, input);
	if (refused) return { ok: false, error: refused };
	const check = checkBallot(ballot.votingSession.rules, ballot.candidateIds, input.selection);
	return check.ok
		? { ok: true, ballot: check.ballot }
		: { ok: false, error: { code: 'invalid_ballot', problem: check.problem } };
}

/**
 * Casts a ballot: its content is checked here against the session's frozen rules, then ONE
 * statement (cast_ballot, migrations/00018_speed.sql) checks the session and the delegate and
 * writes the mark, the ballot (under a random v4 id made here), the receipt's hash and the
 * choices, and notifies the screens; its own transaction, whose COMMIT runs the ballot box's
 * checks. One round trip to the database, and no lock shared with other casts but the session
 * row's FOR SHARE (closing waits for it). No audit entry per cast: see
 * docs/decisions/0005-audit-chain.md.
 */
export async function castBallot(sql: Sql, input: CastInput): Promise<CastResult> {
	const ballot = await frozenBallot(sql, input.votingSessionId);
	if (!ballot) return { ok: false, error: { code: 'session_not_found' } };
	const check = checkBallot(ballot.votingSession.rules, ballot.candidateIds, input.selection);
	if (!check.ok) {
		// A refusal of the session or the delegate comes before the ballot's own problem, as in the review.
		return { ok: false, error: (await castability(sql, input)) ?? { code: 'invalid_ballot', problem: check.problem } };
	}
	const receiptCode = newReceiptCode();
	// On a connection of its own for the statement: a cast can wait on a lock (a check-in being
	// undone, the session closing), and postgres.js pipelines further queries onto a busy pool
	// connection, where they would wait behind it; a reserved connection takes none.
	const connection = await sql.reserve();
	let release = true;
	try {
		const [cast] = await connection<{ outcome: string; sessionStatus: SessionStatus | null; castAt: Date | null }[]>`
			select outcome, session_status as "sessionStatus", cast_at as "castAt"
			from cast_ballot(${input.votingSessionId}, ${input.delegateId}, ${normalizeClientAddress(input.clientAddress)}::inet,
			                 ${randomUUID()}::uuid, ${receiptHash(receiptCode)},
			                 ${check.ballot.choices.map((entry) => entry.candidateId)}::bigint[],
			                 ${check.ballot.choices.map((entry) => entry.choice)}::text[])`;
		if (!cast) throw new Error('cast_ballot returned nothing');
		if (cast.outcome !== 'cast') return { ok: false, error: castError(cast.outcome, cast.sessionStatus) };
		return { ok: true, receiptCode, castAt: cast.castAt as Date, ballot: check.ballot };
	} catch (error) {
		// A connection the database dropped is already back among the pool's closed ones (to be
		// opened again): releasing it would hand the dead connection out.
		if (isDatabaseUnavailable(error)) release = false;
		return { ok: false, error: refusal(error) };
	} finally {
		if (release) connection.release();
	}
}

/** What the ballot page shows of its session: no counts (they cost a scan of the session's rows). */
export type BallotSession = Pick<VotingSession, 'id' | 'title' | 'status' | 'rules' | 'opensAt' | 'closesAt'>;

/**
 * A session's ballot as it stands from opening on: its title, rules and times, and its candidates
 * in ballot order. The database freezes all of it once the session opens (voting_session_guard,
 * candidate_frozen_guard, category_guard), so each instance reads it once and keeps it.
 * `votingSession.status` is the status when it was read: callers that show a status read it afresh.
 */
export interface FrozenBallot {
	votingSession: BallotSession;
	candidates: BallotCandidate[];
	candidateIds: number[];
}

/** Per pool (the tests run several databases in one process), per session id. */
const frozenBallots = new WeakMap<Sql, Map<number, FrozenBallot>>();

/** A session's row as the ballot page and the cast read it. */
type BallotSessionRow = {
	id: number;
	title: string;
	status: SessionStatus;
	ballotMethod: SessionMethod;
	seats: number;
	thresholdBase: ThresholdBase;
	allowAbstain: boolean;
	opensAt: Date | null;
	closesAt: Date | null;
};

/** The session's ballot: from memory once it has left the draft, else read; null when the session does not exist. */
export async function frozenBallot(sql: Sql, votingSessionId: number): Promise<FrozenBallot | null> {
	let known = frozenBallots.get(sql);
	const kept = known?.get(votingSessionId);
	if (kept) return kept;
	const [row] = await sql<BallotSessionRow[]>`
			select id, title, status, ballot_method as "ballotMethod", coalesce(seats, 0) as seats, threshold_base as "thresholdBase",
			       allow_abstain as "allowAbstain", opens_at as "opensAt", closes_at as "closesAt"
			from voting_session where id = ${votingSessionId}`;
	if (!row) return null;
	// Read after the session: when it had left the draft then, this is the list it keeps.
	const candidates = await listBallotCandidates(sql, votingSessionId);
	const { ballotMethod, seats, thresholdBase, allowAbstain, ...votingSession } = row;
	const ballot: FrozenBallot = {
		votingSession: { ...votingSession, rules: { ballotMethod, seats, thresholdBase, allowAbstain } },
		candidates,
		candidateIds: candidates.map((candidate) => candidate.id)
	};
	if (row.status !== 'draft') {
		if (!known) {
			known = new Map();
			frozenBallots.set(sql, known);
		}
		known.set(votingSessionId, ballot);
	}
	return ballot;
}

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
		(BallotSessionRow & { enrolled: boolean; hasVoted: boolean; checkedIn: boolean; inHallNetwork: boolean })[]
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
