// The online public selection (网上评选): staff open a round over a set of candidates; residents
// support up to K of them and change their choice until the round closes; the ranking is shown
// live or after closing, as the round says; staff carry the top into a voting-session draft.
//
// The database holds the limits (migrations/00007_residents.sql): one support per resident and
// candidate (primary key), at most K per resident (a CHECK on the resident's participant row,
// which every support updates), supports only while the round is open, and the per-candidate
// counts kept in selection_tally by a trigger, so reading the results never counts supports.
// Issue 14 (migrations/00014_verified_residents.sql): a round says who may support (any registered
// resident, phone-verified, or verified by the identity provider), held by a trigger on the
// participant row; each support records when it was given, and the participant row the address
// prefix and user agent of the resident's last change, for the irregular-activity review; staff
// exclude the supports of accounts judged fraudulent until the results are final, and the ranking,
// the published counts and the carry-over use the kept counts (stored minus excluded).
import {
	checkSupportChoice,
	rankBySupports,
	resultsVisible,
	roundPhase,
	topOfRanking,
	type RankedCandidate,
	type RoundPhase,
	type RoundProblem,
	type SupportFailure
} from '$lib/domain/selection';
import type { CarryOverForm, RoundForm } from '$lib/domain/residents-schemas';
import { DEFAULT_ELIGIBILITY, meetsEligibility, type Eligibility } from '$lib/domain/verification';
import { residentVerification } from './accounts';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { isRefusal, refusalOf } from '../db/refusal';
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
	/** Who may support. */
	eligibility: Eligibility;
	/** When staff declared the results final (exclusions can no longer change), or null. */
	resultsFinalAt: Date | null;
	candidateCount: number;
	/** The database's clock when the round was read: phases are judged by it, as the triggers do. */
	databaseNow: Date;
	phase: RoundPhase;
	resultsVisible: boolean;
}

type RoundRow = Omit<SelectionRound, 'phase' | 'resultsVisible'>;

const roundColumns = (sql: Sql | TransactionSql) => sql`
	r.id, r.title, r.opens_at as "opensAt", r.closes_at as "closesAt", r.max_supports as "maxSupports",
	r.live_ranking as "liveRanking", r.eligibility, r.results_final_at as "resultsFinalAt",
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

/** A round as staff create it; without `eligibility` it takes phone-verified residents only. */
export type NewRound = Omit<RoundForm, 'eligibility'> & { eligibility?: Eligibility };

export async function createRound(
	sql: Sql,
	form: NewRound,
	staffId: number
): Promise<{ ok: true; id: number } | { ok: false; problem: RoundProblem }> {
	const eligibility = form.eligibility ?? DEFAULT_ELIGIBILITY;
	try {
		return (await sql.begin(async (tx) => {
			const [row] = await tx<{ id: number }[]>`
				insert into selection_round (title, opens_at, closes_at, max_supports, live_ranking, eligibility, created_by)
				values (${form.title}, ${form.opensAt}, ${form.closesAt}, ${form.maxSupports}, ${form.liveRanking}, ${eligibility}, ${staffId})
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
					eligibility,
					candidateIds: form.candidateIds
				}
			});
			return { ok: true as const, id };
		})) as { ok: true; id: number };
	} catch (error) {
		if (isRefusal(error, 'foreign_key_violation')) return { ok: false, problem: 'candidate_not_found' };
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

export type SupportResult = { ok: true; added: number; removed: number } | { ok: false; problem: SupportFailure };

/** What the irregular-activity review keeps of a change of choice: the address's /24 or /64, and the user agent. */
export interface SupportContext {
	addressPrefix: string | null;
	userAgent: string | null;
}

/** The refusals of the database a support can meet, as problems (the checks before make them rare). */
function supportRefusal(error: unknown, maxSupports: number, chosen: number): SupportResult | null {
	const refused = refusalOf(error);
	switch (refused?.refusal) {
		case 'not_phone_verified':
			return { ok: false, problem: { code: 'not_eligible', eligibility: 'phone' } };
		case 'not_identity_verified':
			return { ok: false, problem: { code: 'not_eligible', eligibility: 'identity' } };
		case 'round_not_open':
			return { ok: false, problem: { code: 'not_open' } };
		case 'not_resident':
			return { ok: false, problem: { code: 'not_resident' } };
		case 'check_violation':
			return refused.constraint === 'selection_participant_check'
				? { ok: false, problem: { code: 'over_limit', chosen, limit: maxSupports } }
				: null;
		case 'foreign_key_violation':
			return { ok: false, problem: { code: 'unknown_candidate' } };
		case 'unique_violation':
			return { ok: false, problem: { code: 'duplicate_candidate' } };
		default:
			return null;
	}
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
	candidateIds: readonly number[],
	context: SupportContext = { addressPrefix: null, userAgent: null }
): Promise<SupportResult> {
	// The reads and writes below go out in as few round trips as their order allows (postgres.js
	// pipelines queries issued together; on one connection they run in the order sent).
	const [round, roundCandidateRows, verification] = await Promise.all([
		getRound(sql, roundId),
		sql<
			{ candidateId: number }[]
		>`select candidate_id as "candidateId" from selection_round_candidate where round_id = ${roundId}`,
		residentVerification(sql, residentId)
	]);
	if (!round) return { ok: false, problem: { code: 'not_found' } };
	if (round.phase !== 'open') return { ok: false, problem: { code: 'not_open' } };
	if (!meetsEligibility(round.eligibility, verification)) {
		return { ok: false, problem: { code: 'not_eligible', eligibility: round.eligibility } };
	}
	const userAgent = context.userAgent ? context.userAgent.slice(0, 300) : null;
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
			// The upsert locks the resident's row and records the context of this change.
			const [, currentRows] = await Promise.all([
				tx`
					insert into selection_participant (round_id, resident_id, max_supports, address_prefix, user_agent, changed_at)
					values (${roundId}, ${residentId}, 0, ${context.addressPrefix}::cidr, ${userAgent}, now())
					on conflict (round_id, resident_id) do update set
						address_prefix = excluded.address_prefix, user_agent = excluded.user_agent, changed_at = excluded.changed_at`,
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
	/** Supports of accounts staff excluded as fraudulent (stored, not counted); `supports` is what is kept. */
	excluded: number;
}

export interface RoundResults {
	round: SelectionRound;
	ranking: RankedRoundCandidate[];
	/** Kept supports, over all candidates. */
	totalSupports: number;
	totalExcluded: number;
}

/**
 * The ranking by kept supports: the maintained counts (16 rows a candidate, whatever the number of
 * supports) less the supports of excluded accounts (counted from their rows: exclusions are few),
 * in one statement, so kept + excluded always equals the stored rows of one moment.
 */
export async function readRanking(sql: Sql | TransactionSql, roundId: number): Promise<RankedRoundCandidate[]> {
	const rows = await sql<
		{ candidateId: number; position: number; stored: number; excluded: number; title: string; categoryName: string }[]
	>`
		select rc.candidate_id as "candidateId", rc.position, c.title, g.name as "categoryName",
		       coalesce((select sum(t.supports) from selection_tally t where t.round_id = rc.round_id and t.candidate_id = rc.candidate_id), 0)::int8 as stored,
		       (select count(*) from selection_exclusion e join selection_support s
		          on s.round_id = e.round_id and s.resident_id = e.resident_id and s.candidate_id = rc.candidate_id
		        where e.round_id = rc.round_id)::int8 as excluded
		from selection_round_candidate rc join candidate c on c.id = rc.candidate_id join category g on g.id = c.category_id
		where rc.round_id = ${roundId}`;
	const details = new Map(rows.map((row) => [row.candidateId, row]));
	const kept = rows.map((row) => ({
		candidateId: row.candidateId,
		position: row.position,
		supports: row.stored - row.excluded
	}));
	return rankBySupports(kept).map((ranked) => {
		const detail = details.get(ranked.candidateId) as (typeof rows)[number];
		return { ...ranked, title: detail.title, categoryName: detail.categoryName, excluded: detail.excluded };
	});
}

function resultsOf(round: SelectionRound, ranking: RankedRoundCandidate[]): RoundResults {
	return {
		round,
		ranking,
		totalSupports: ranking.reduce((sum, row) => sum + row.supports, 0),
		totalExcluded: ranking.reduce((sum, row) => sum + row.excluded, 0)
	};
}

/** The results when the round lets them be seen (live, or after closing); null otherwise. */
export async function visibleRoundResults(sql: Sql, roundId: number): Promise<RoundResults | null> {
	const round = await getRound(sql, roundId);
	if (!round || !round.resultsVisible) return null;
	return resultsOf(round, await readRanking(sql, roundId));
}

// ---------------------------------------------------------------- exclusions and final results

function roundRefusal(error: unknown): RoundProblem | null {
	return isRefusal(error, 'exclusions_closed', 'round_results_final') ? 'results_final' : null;
}

/**
 * Staff exclude every support of the accounts `residentIds` in a round, with a reason, until the
 * results are final; one transaction with its audit entry. Accounts already excluded stay as they were.
 */
export async function excludeSupports(
	sql: Sql,
	roundId: number,
	residentIds: readonly number[],
	reason: string,
	staffId: number
): Promise<{ ok: true; excluded: number } | { ok: false; problem: RoundProblem }> {
	try {
		return (await sql.begin(async (tx) => {
			const [round] = await tx<{ resultsFinal: boolean }[]>`
				select results_final_at is not null as "resultsFinal" from selection_round where id = ${roundId}`;
			if (!round) return { ok: false as const, problem: 'not_found' as const };
			if (round.resultsFinal) return { ok: false as const, problem: 'results_final' as const };
			const ids = [...new Set(residentIds)].sort((a, b) => a - b);
			const added = await tx<{ residentId: number }[]>`
				insert into selection_exclusion (round_id, resident_id, reason, excluded_by)
				select ${roundId}, p.resident_id, ${reason}, ${staffId}
				from selection_participant p where p.round_id = ${roundId} and p.resident_id = any(${ids}::bigint[])
				order by p.resident_id
				on conflict do nothing
				returning resident_id as "residentId"`;
			const addedIds = added.map((row) => row.residentId);
			if (addedIds.length > 0) {
				await appendAudit(tx, {
					actorUserId: staffId,
					action: 'selection.supports_excluded',
					details: { roundId, residentIds: addedIds, reason }
				});
			}
			return { ok: true as const, excluded: addedIds.length };
		})) as { ok: true; excluded: number };
	} catch (error) {
		const problem = roundRefusal(error);
		if (problem) return { ok: false, problem };
		throw error;
	}
}

/** Staff lift an exclusion (a mistaken judgement), with a reason, until the results are final; audited. */
export async function liftExclusion(
	sql: Sql,
	roundId: number,
	residentId: number,
	reason: string,
	staffId: number
): Promise<{ ok: true } | { ok: false; problem: RoundProblem }> {
	try {
		return (await sql.begin(async (tx) => {
			const removed =
				await tx`delete from selection_exclusion where round_id = ${roundId} and resident_id = ${residentId} returning 1`;
			if (removed.length === 0) return { ok: false as const, problem: 'not_excluded' as const };
			await appendAudit(tx, {
				actorUserId: staffId,
				action: 'selection.exclusion_lifted',
				details: { roundId, residentId, reason }
			});
			return { ok: true as const };
		})) as { ok: true };
	} catch (error) {
		const problem = roundRefusal(error);
		if (problem) return { ok: false, problem };
		throw error;
	}
}

export interface Exclusion {
	residentId: number;
	reason: string;
	excludedAt: Date;
	excludedBy: string | null;
	supports: number;
}

export async function listExclusions(sql: Sql, roundId: number): Promise<Exclusion[]> {
	return sql<Exclusion[]>`
		select e.resident_id as "residentId", e.reason, e.excluded_at as "excludedAt", u.username as "excludedBy",
		       (select count(*) from selection_support s where s.round_id = e.round_id and s.resident_id = e.resident_id)::int as supports
		from selection_exclusion e left join app_user u on u.id = e.excluded_by
		where e.round_id = ${roundId} order by e.excluded_at, e.resident_id`;
}

/** Staff declare a closed round's results final: exclusions no longer change; audited with the kept counts. */
async function finalizeIn(tx: TransactionSql, roundId: number, staffId: number): Promise<void> {
	await tx`update selection_round set results_final_at = now(), finalized_by = ${staffId} where id = ${roundId}`;
	const ranking = await readRanking(tx, roundId);
	await appendAudit(tx, {
		actorUserId: staffId,
		action: 'selection.results_final',
		details: {
			roundId,
			candidateIds: ranking.map((row) => row.candidateId),
			keptSupports: ranking.map((row) => row.supports),
			excludedSupports: ranking.map((row) => row.excluded)
		}
	});
}

export async function finalizeRoundResults(
	sql: Sql,
	roundId: number,
	staffId: number
): Promise<{ ok: true } | { ok: false; problem: RoundProblem }> {
	return (await sql.begin(async (tx) => {
		const [round] = await tx<{ closed: boolean; resultsFinal: boolean }[]>`
			select closes_at <= now() as closed, results_final_at is not null as "resultsFinal"
			from selection_round where id = ${roundId} for update`;
		if (!round) return { ok: false as const, problem: 'not_found' as const };
		if (!round.closed) return { ok: false as const, problem: 'not_closed' as const };
		if (round.resultsFinal) return { ok: false as const, problem: 'results_final' as const };
		await finalizeIn(tx, roundId, staffId);
		return { ok: true as const };
	})) as { ok: true } | { ok: false; problem: RoundProblem };
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
		// Carrying over makes the results final (the carried list must not change after), so the
		// round's row is locked as finalising locks it: exclusions in flight land before or are refused.
		const [locked] = await tx`select 1 from selection_round where id = ${roundId} for update`;
		if (!locked) return { ok: false, problem: 'not_found' };
		const round = (await getRound(tx, roundId)) as SelectionRound;
		if (round.phase !== 'closed') return { ok: false, problem: 'not_closed' };
		const { candidateIds, tiedAtCutoff } = topOfRanking(await readRanking(tx, roundId), form.count);
		if (candidateIds.length <= form.seats) return { ok: false, problem: 'too_few_candidates' };
		if (round.resultsFinalAt === null) await finalizeIn(tx, roundId, staffId);
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
			details: { roundId, candidateIds, requested: form.count, tiedAtCutoff, countedBy: 'kept supports' }
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
