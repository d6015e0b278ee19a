// Results: the raw ballots read from PostgreSQL and counted by the domain rules.
import type { AttendanceRecord, QuorumRule } from '$lib/domain/attendance';
import { canonicalBallot, compareTallies } from '$lib/domain/counting';
import { countSession, type SessionTally } from '$lib/domain/tally';
import type {
	BallotChoice,
	BallotContent,
	Channel,
	SessionMethod,
	SessionStatus,
	ThresholdBase,
	VotingRules
} from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';

interface CountingInput {
	status: SessionStatus;
	rules: VotingRules;
	candidateIds: number[];
	attendance: AttendanceRecord;
	ballots: BallotContent[];
}

/** Everything the count needs, read in one snapshot. Ballots in random-id order, which says nothing of casting order. */
async function readCountingInput(sql: Sql | TransactionSql, votingSessionId: number): Promise<CountingInput | null> {
	const [session] = await sql<
		{
			status: SessionStatus;
			ballotMethod: SessionMethod;
			seats: number;
			thresholdBase: ThresholdBase;
			allowAbstain: boolean;
			quorumRule: QuorumRule;
			enrolled: number;
			present: number;
			paperVoters: number;
			paperIssued: number;
			candidateIds: number[];
		}[]
	>`
		select s.status, s.ballot_method as "ballotMethod", coalesce(s.seats, 0) as seats, s.threshold_base as "thresholdBase",
		       s.allow_abstain as "allowAbstain", s.quorum_rule as "quorumRule",
		       -- The same figures the database checks the stored tally against (00012_attendance.sql).
		       a.enrolled::int, a.present::int, a.paper_voters::int as "paperVoters", a.paper_issued::int as "paperIssued",
		       coalesce((select array_agg(c.candidate_id order by c.position, c.candidate_id)
		                 from voting_session_candidate c where c.voting_session_id = s.id), '{}') as "candidateIds"
		from voting_session s cross join lateral session_ballot_account(s.id) a where s.id = ${votingSessionId}`;
	if (!session) return null;
	const rows = await sql<{ isVoid: boolean; channel: Channel; choices: [number, BallotChoice][] }[]>`
		select b.is_void as "isVoid", b.channel,
		       coalesce(json_agg(json_build_array(c.candidate_id, c.choice)) filter (where c.candidate_id is not null), '[]') as choices
		from ballot b left join ballot_choice c on c.ballot_id = b.id
		where b.voting_session_id = ${votingSessionId}
		group by b.id order by b.id`;
	return {
		status: session.status,
		rules: {
			ballotMethod: session.ballotMethod,
			seats: session.seats,
			thresholdBase: session.thresholdBase,
			allowAbstain: session.allowAbstain
		},
		candidateIds: session.candidateIds,
		attendance: {
			enrolled: session.enrolled,
			present: session.present,
			quorumRule: session.quorumRule,
			paperVoters: session.paperVoters,
			paperIssued: session.paperIssued
		},
		ballots: rows.map((row) => ({
			isVoid: row.isVoid,
			channel: row.channel,
			choices: row.choices.map(([candidateId, choice]) => ({ candidateId, choice }))
		}))
	};
}

/** The ballots of a session, anonymous, in canonical order (sorted by their canonical form). */
export async function readBallots(sql: Sql | TransactionSql, votingSessionId: number): Promise<BallotContent[]> {
	const input = await readCountingInput(sql, votingSessionId);
	if (!input) return [];
	return input.ballots
		.map((ballot) => ({ ballot, key: canonicalBallot(ballot) }))
		.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
		.map((entry) => entry.ballot);
}

function count(input: CountingInput): SessionTally {
	return countSession(input.rules, input.candidateIds, input.ballots, input.attendance);
}

/** Counts the raw ballots of a session that is being closed and stores the tally (in the closing transaction). */
export async function storeTally(tx: TransactionSql, votingSessionId: number): Promise<SessionTally> {
	const input = await readCountingInput(tx, votingSessionId);
	if (!input) throw new Error(`voting session ${votingSessionId} does not exist`);
	const tally = count(input);
	await tx`
		insert into voting_result (voting_session_id, tally, ballots_digest)
		values (${votingSessionId}, ${tx.json(JSON.parse(JSON.stringify(tally)))}, ${tally.ballotsDigest})`;
	return tally;
}

/** The stored tally, for any status (callers decide who may see it). */
export async function getStoredTally(sql: Sql, votingSessionId: number): Promise<SessionTally | null> {
	const [row] = await sql<
		{ tally: SessionTally }[]
	>`select tally from voting_result where voting_session_id = ${votingSessionId}`;
	return row?.tally ?? null;
}

/** The tally only once published: before that, nothing (no count leaks). */
export async function getPublishedTally(sql: Sql, votingSessionId: number): Promise<SessionTally | null> {
	const [row] = await sql<{ tally: SessionTally }[]>`
		select r.tally from voting_result r join voting_session s on s.id = r.voting_session_id
		where r.voting_session_id = ${votingSessionId} and s.status = 'published'`;
	return row?.tally ?? null;
}

export interface TallyVerification {
	recomputed: SessionTally;
	stored: SessionTally | null;
	differences: string[];
	marks: number;
	ballots: number;
}

/** The recount and its comparison, inside the caller's transaction (one snapshot of the ballots, the tally and the marks). */
async function verifyTallyIn(tx: TransactionSql, votingSessionId: number): Promise<TallyVerification | null> {
	const input = await readCountingInput(tx, votingSessionId);
	if (!input) return null;
	const recomputed = count(input);
	const [stored] = await tx<{ tally: SessionTally; ballotsDigest: string }[]>`
		select tally, ballots_digest as "ballotsDigest" from voting_result where voting_session_id = ${votingSessionId}`;
	const [marks] = await tx<
		{ count: number }[]
	>`select count(*)::int as count from ballot_mark where voting_session_id = ${votingSessionId}`;
	// A tally stored before the ballot account existed (issue 13) has no figures: the rest is compared.
	const comparable = stored && !('figures' in stored.tally) ? { ...recomputed, figures: undefined } : recomputed;
	const differences = stored ? compareTallies(stored.tally, comparable as SessionTally) : [];
	if (stored && stored.ballotsDigest !== recomputed.ballotsDigest)
		differences.push('ballots_digest column differs from the recomputed digest');
	const markCount = marks?.count ?? 0;
	if (markCount !== input.ballots.length)
		differences.push(`has-voted marks ${markCount} but ballots ${input.ballots.length}`);
	return { recomputed, stored: stored?.tally ?? null, differences, marks: markCount, ballots: input.ballots.length };
}

/**
 * Recomputes the tally from the raw ballots with the same domain code and compares it with the
 * stored one; also compares the number of has-voted marks with the number of ballots.
 */
export async function verifyTally(sql: Sql, votingSessionId: number): Promise<TallyVerification | null> {
	return sql.begin('isolation level repeatable read read only', (tx) =>
		verifyTallyIn(tx, votingSessionId)
	) as Promise<TallyVerification | null>;
}

/**
 * What `tally --verify` would report, inside a confirming or publishing transaction: nothing when
 * the stored tally equals the recount of the raw ballots and the marks equal the ballots.
 */
export async function tallyDifferences(tx: TransactionSql, votingSessionId: number): Promise<string[]> {
	const verification = await verifyTallyIn(tx, votingSessionId);
	if (!verification) return ['the voting session does not exist'];
	if (!verification.stored) return ['there is no stored tally'];
	return verification.differences;
}
