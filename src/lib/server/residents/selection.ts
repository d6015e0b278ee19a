// The online public selection (网上评选): staff open a round over a set of candidates; residents
// support up to K of them and change their choice until the round closes; the ranking is shown
// live or after closing, as the round says; staff carry the top into a voting-session draft.
//
// The database holds the limits (migrations/00007_residents.sql): one support per resident and
// candidate (primary key), at most K per resident (a CHECK on the resident's participant row,
// which every support updates), supports only while the round is open, and the per-candidate
// counts kept in selection_tally by a trigger, so reading the results never counts supports.
import {
	checkSupportChoice,
	rankBySupports,
	resultsVisible,
	roundPhase,
	topOfRanking,
	type RankedCandidate,
	type RoundPhase,
	type SupportProblem
} from '$lib/domain/selection';
import type { CarryOverForm, RoundForm } from '$lib/domain/residents-schemas';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { enrollDelegates, insertVotingSession, rosterDelegateIds } from '../voting/sessions';

/** Rows of selection_tally per candidate (the counts are spread to spare one hot row); see the migration. */
export const TALLY_SHARDS = 16;

export interface SelectionRound {
	id: number;
	title: string;
	opensAt: Date;
	closesAt: Date;
	maxSupports: number;
	liveRanking: boolean;
	candidateCount: number;
	/** The database's clock when the round was read: phases are judged by it, as the triggers do. */
	databaseNow: Date;
	phase: RoundPhase;
	resultsVisible: boolean;
}

type RoundRow = Omit<SelectionRound, 'phase' | 'resultsVisible'>;

const roundColumns = (sql: Sql | TransactionSql) => sql`
	r.id, r.title, r.opens_at as "opensAt", r.closes_at as "closesAt", r.max_supports as "maxSupports",
	r.live_ranking as "liveRanking",
	(select count(*) from selection_round_candidate rc where rc.round_id = r.id)::int as "candidateCount",
	now() as "databaseNow"`;

function withPhase(row: RoundRow): SelectionRound {
	return { ...row, phase: roundPhase(row, row.databaseNow), resultsVisible: resultsVisible(row, row.databaseNow) };
}

export async function listRounds(sql: Sql): Promise<SelectionRound[]> {
	const rows = await sql<
		RoundRow[]
	>`select ${roundColumns(sql)} from selection_round r order by r.opens_at desc, r.id desc`;
	return rows.map(withPhase);
}

export async function getRound(sql: Sql | TransactionSql, id: number): Promise<SelectionRound | null> {
	const [row] = await sql<RoundRow[]>`select ${roundColumns(sql)} from selection_round r where r.id = ${id}`;
	return row ? withPhase(row) : null;
}

export interface RoundCandidate {
	id: number;
	title: string;
	summary: string;
	categoryId: number;
	categoryName: string;
	position: number;
}

/** The candidates of a round grouped by category (categories in catalog order), each in round order. */
export async function listRoundCandidates(sql: Sql | TransactionSql, roundId: number): Promise<RoundCandidate[]> {
	return sql<RoundCandidate[]>`
		select c.id, c.title, c.summary, g.id as "categoryId", g.name as "categoryName", rc.position
		from selection_round_candidate rc join candidate c on c.id = rc.candidate_id join category g on g.id = c.category_id
		where rc.round_id = ${roundId}
		order by g.position, g.id, rc.position`;
}

// ---------------------------------------------------------------- staff: rounds

export type RoundProblem = 'not_found' | 'candidate_not_found' | 'not_open' | 'not_closed' | 'too_few_candidates';

export async function createRound(
	sql: Sql,
	form: RoundForm,
	staffId: number
): Promise<{ ok: true; id: number } | { ok: false; problem: RoundProblem }> {
	try {
		return (await sql.begin(async (tx) => {
			const [row] = await tx<{ id: number }[]>`
				insert into selection_round (title, opens_at, closes_at, max_supports, live_ranking, created_by)
				values (${form.title}, ${form.opensAt}, ${form.closesAt}, ${form.maxSupports}, ${form.liveRanking}, ${staffId})
				returning id`;
			const id = (row as { id: number }).id;
			await tx`insert into selection_round_candidate ${tx(form.candidateIds.map((candidateId, index) => ({ round_id: id, candidate_id: candidateId, position: index + 1 })))}`;
			await appendAudit(tx, {
				actorUserId: staffId,
				action: 'selection.round_created',
				details: {
					roundId: id,
					title: form.title,
					opensAt: form.opensAt.toISOString(),
					closesAt: form.closesAt.toISOString(),
					maxSupports: form.maxSupports,
					liveRanking: form.liveRanking,
					candidateIds: form.candidateIds
				}
			});
			return { ok: true as const, id };
		})) as { ok: true; id: number };
	} catch (error) {
		if ((error as { code?: string }).code === '23503') return { ok: false, problem: 'candidate_not_found' };
		throw error;
	}
}

/** Staff end an open round now (a round can be closed earlier, never reopened or extended). */
export async function closeRoundNow(
	sql: Sql,
	roundId: number,
	staffId: number
): Promise<{ ok: true } | { ok: false; problem: RoundProblem }> {
	return (await sql.begin(async (tx) => {
		const [round] = await tx<{ open: boolean }[]>`
			select now() >= opens_at and now() < closes_at as open from selection_round where id = ${roundId} for update`;
		if (!round) return { ok: false as const, problem: 'not_found' as const };
		if (!round.open) return { ok: false as const, problem: 'not_open' as const };
		await tx`update selection_round set closes_at = now() where id = ${roundId}`;
		await appendAudit(tx, { actorUserId: staffId, action: 'selection.round_closed', details: { roundId } });
		return { ok: true as const };
	})) as { ok: true } | { ok: false; problem: RoundProblem };
}

// ---------------------------------------------------------------- residents: supports

/** The candidates a resident supports in a round, in id order. */
export async function getSupports(sql: Sql | TransactionSql, roundId: number, residentId: number): Promise<number[]> {
	const rows = await sql<{ candidateId: number }[]>`
		select candidate_id as "candidateId" from selection_support where round_id = ${roundId} and resident_id = ${residentId} order by candidate_id`;
	return rows.map((row) => row.candidateId);
}

export type SupportResult =
	| { ok: true; added: number; removed: number }
	| { ok: false; problem: SupportProblem | { code: 'not_found' } | { code: 'not_open' } | { code: 'not_resident' } };

/** The refusals of the database a support can meet, as problems (the checks before make them rare). */
function supportRefusal(error: unknown, maxSupports: number, chosen: number): SupportResult | null {
	const {
		code,
		message,
		constraint_name: constraint
	} = error as { code?: string; message?: string; constraint_name?: string };
	if (code === 'P0001' && /is not open/.test(message ?? '')) return { ok: false, problem: { code: 'not_open' } };
	if (code === 'P0001' && /is not a resident/.test(message ?? ''))
		return { ok: false, problem: { code: 'not_resident' } };
	if (code === '23514' && constraint === 'selection_participant_check')
		return { ok: false, problem: { code: 'over_limit', chosen, limit: maxSupports } };
	if (code === '23503') return { ok: false, problem: { code: 'unknown_candidate' } };
	if (code === '23505') return { ok: false, problem: { code: 'duplicate_candidate' } };
	return null;
}

/**
 * Replaces a resident's choice in a round with `candidateIds` (empty withdraws every support), in
 * one transaction. The resident's participant row is locked first, so their requests take turns;
 * the tally rows are locked in candidate order, so two residents never deadlock.
 */
export async function replaceSupports(
	sql: Sql,
	roundId: number,
	residentId: number,
	candidateIds: readonly number[]
): Promise<SupportResult> {
	// The reads and writes below go out in as few round trips as their order allows (postgres.js
	// pipelines queries issued together; on one connection they run in the order sent).
	const [round, roundCandidateRows] = await Promise.all([
		getRound(sql, roundId),
		sql<
			{ candidateId: number }[]
		>`select candidate_id as "candidateId" from selection_round_candidate where round_id = ${roundId}`
	]);
	if (!round) return { ok: false, problem: { code: 'not_found' } };
	if (round.phase !== 'open') return { ok: false, problem: { code: 'not_open' } };
	const problem = checkSupportChoice(
		candidateIds,
		roundCandidateRows.map((row) => row.candidateId),
		round.maxSupports
	);
	if (problem) return { ok: false, problem };
	const wanted = [...candidateIds].sort((a, b) => a - b);
	try {
		return (await sql.begin(async (tx): Promise<SupportResult> => {
			// Sent in this order: the resident's row is locked before their supports are read. (Only
			// queries written here keep their order: Promise.all sends them as it meets them, while an
			// async helper's query would leave first, when the helper is called.)
			const [, , currentRows] = await Promise.all([
				tx`insert into selection_participant (round_id, resident_id, max_supports) values (${roundId}, ${residentId}, 0) on conflict do nothing`,
				tx`select 1 from selection_participant where round_id = ${roundId} and resident_id = ${residentId} for update`,
				tx<
					{ candidateId: number }[]
				>`select candidate_id as "candidateId" from selection_support where round_id = ${roundId} and resident_id = ${residentId}`
			]);
			const current = currentRows.map((row) => row.candidateId);
			const toRemove = current.filter((id) => !wanted.includes(id));
			const toAdd = wanted.filter((id) => !current.includes(id));
			const touched = [...toRemove, ...toAdd].sort((a, b) => a - b);
			if (touched.length === 0) return { ok: true, added: 0, removed: 0 };
			// The tally rows are locked first (in candidate order), then the supports change.
			await Promise.all([
				tx`
					select 1 from selection_tally
					where round_id = ${roundId} and shard = ${residentId % TALLY_SHARDS} and candidate_id = any(${touched}::bigint[])
					order by candidate_id for update`,
				toRemove.length > 0
					? tx`delete from selection_support where round_id = ${roundId} and resident_id = ${residentId} and candidate_id = any(${toRemove}::bigint[])`
					: null,
				toAdd.length > 0
					? tx`insert into selection_support ${tx(toAdd.map((candidateId) => ({ round_id: roundId, resident_id: residentId, candidate_id: candidateId })))}`
					: null
			]);
			return { ok: true, added: toAdd.length, removed: toRemove.length };
		})) as SupportResult;
	} catch (error) {
		const refusal = supportRefusal(error, round.maxSupports, wanted.length);
		if (refusal) return refusal;
		throw error;
	}
}

/** The rounds a resident has supported candidates in, with those candidates' titles. */
export async function listResidentSupports(
	sql: Sql,
	residentId: number
): Promise<{ roundId: number; title: string; closesAt: Date; candidates: { id: number; title: string }[] }[]> {
	return sql<{ roundId: number; title: string; closesAt: Date; candidates: { id: number; title: string }[] }[]>`
		select r.id as "roundId", r.title, r.closes_at as "closesAt",
		       json_agg(json_build_object('id', c.id, 'title', c.title) order by c.title) as candidates
		from selection_support s join selection_round r on r.id = s.round_id join candidate c on c.id = s.candidate_id
		where s.resident_id = ${residentId}
		group by r.id order by r.closes_at desc, r.id desc`;
}

// ---------------------------------------------------------------- results

export interface RankedRoundCandidate extends RankedCandidate {
	title: string;
	categoryName: string;
}

export interface RoundResults {
	round: SelectionRound;
	ranking: RankedRoundCandidate[];
	totalSupports: number;
}

/** The ranking from the maintained counts (16 rows a candidate, whatever the number of supports). */
async function readRanking(sql: Sql | TransactionSql, roundId: number): Promise<RankedRoundCandidate[]> {
	const rows = await sql<
		{ candidateId: number; position: number; supports: number; title: string; categoryName: string }[]
	>`
		select rc.candidate_id as "candidateId", rc.position, c.title, g.name as "categoryName",
		       coalesce((select sum(t.supports) from selection_tally t where t.round_id = rc.round_id and t.candidate_id = rc.candidate_id), 0)::int8 as supports
		from selection_round_candidate rc join candidate c on c.id = rc.candidate_id join category g on g.id = c.category_id
		where rc.round_id = ${roundId}`;
	const details = new Map(rows.map((row) => [row.candidateId, row]));
	return rankBySupports(rows).map((ranked) => {
		const detail = details.get(ranked.candidateId) as (typeof rows)[number];
		return { ...ranked, title: detail.title, categoryName: detail.categoryName };
	});
}

/** The results when the round lets them be seen (live, or after closing); null otherwise. */
export async function visibleRoundResults(sql: Sql, roundId: number): Promise<RoundResults | null> {
	const round = await getRound(sql, roundId);
	if (!round || !round.resultsVisible) return null;
	const ranking = await readRanking(sql, roundId);
	return { round, ranking, totalSupports: ranking.reduce((sum, row) => sum + row.supports, 0) };
}

// ---------------------------------------------------------------- carrying the result over

export type CarryOverResult =
	| { ok: true; votingSessionId: number; candidateIds: number[]; tiedAtCutoff: boolean }
	| { ok: false; problem: RoundProblem };

/**
 * Staff carry the top `count` of a closed round (and any candidate tied with the last of them)
 * into a new voting-session draft, in one transaction with its audit entries. The draft's other
 * rules (method, threshold) start at their defaults and are set on the session's edit page.
 */
export async function carryOverToVotingSession(
	sql: Sql,
	roundId: number,
	staffId: number,
	form: CarryOverForm
): Promise<CarryOverResult> {
	return (await sql.begin(async (tx): Promise<CarryOverResult> => {
		const [locked] = await tx`select 1 from selection_round where id = ${roundId} for share`;
		if (!locked) return { ok: false, problem: 'not_found' };
		const round = (await getRound(tx, roundId)) as SelectionRound;
		if (round.phase !== 'closed') return { ok: false, problem: 'not_closed' };
		const { candidateIds, tiedAtCutoff } = topOfRanking(await readRanking(tx, roundId), form.count);
		if (candidateIds.length <= form.seats) return { ok: false, problem: 'too_few_candidates' };
		const votingSessionId = await insertVotingSession(
			tx,
			{
				title: form.title,
				year: form.year,
				rules: { ballotMethod: 'approval', seats: form.seats, thresholdBase: 'enrolled' },
				candidateIds
			},
			staffId
		);
		// A new session's electorate is the whole roster, as when staff create one by hand.
		await enrollDelegates(tx, votingSessionId, await rosterDelegateIds(tx, null), staffId);
		await tx`insert into selection_carry_over (round_id, voting_session_id, carried_by) values (${roundId}, ${votingSessionId}, ${staffId})`;
		await appendAudit(tx, {
			actorUserId: staffId,
			action: 'selection.carried_over',
			votingSessionId,
			details: { roundId, candidateIds, requested: form.count, tiedAtCutoff }
		});
		return { ok: true, votingSessionId, candidateIds, tiedAtCutoff };
	})) as CarryOverResult;
}

/** The voting sessions built from a round. */
export async function listCarryOvers(
	sql: Sql,
	roundId: number
): Promise<{ votingSessionId: number; title: string; carriedAt: Date }[]> {
	return sql<{ votingSessionId: number; title: string; carriedAt: Date }[]>`
		select s.id as "votingSessionId", s.title, o.carried_at as "carriedAt"
		from selection_carry_over o join voting_session s on s.id = o.voting_session_id
		where o.round_id = ${roundId} order by o.carried_at`;
}
