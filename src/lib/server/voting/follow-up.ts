// The further vote (再次投票 after a tie at the cut-off, 另行票决 after a shortfall): made in one step
// from a counted first round whose tally flags one, as a draft linked to it, on the tied
// candidates (tie) or those not chosen in first-round vote order (shortfall), for the places left,
// with the same electorate and presence, the same rules, and the procedure the meeting already
// went through for the first round (the adopted 票决办法, which provides for the further vote; the
// review; the named scrutineers). It then runs like any session. Also: the rounds of a vote read
// together, for the results, the announcement and the API.
import { finalList, followUpPlan, type ChosenAcrossRounds, type FollowUpKind } from '$lib/domain/procedure';
import { isEvaluationTally, type SessionTally } from '$lib/domain/tally';
import type { Tally } from '$lib/domain/counting';
import type { SessionMethod, SessionStatus } from '$lib/domain/types';
import { isEvaluation } from '$lib/domain/methods';
import type { Sql } from '../db/client';
import { isConstraintRefusal } from '../db/refusal';
import type { RoundsSummary } from '$lib/domain/procedure';
export type { RoundsSummary } from '$lib/domain/procedure';
import { appendAudit } from '../audit/audit';
import { getVotingSession, insertVotingSession, type VotingSession } from './sessions';
import { getStoredTally } from './results';

export type FollowUpError = 'not_found' | 'not_counted' | 'nothing_to_settle' | 'already_made' | 'not_a_vote';

export type FollowUpResult =
	{ ok: true; id: number; kind: FollowUpKind; candidates: number; seats: number } | { ok: false; error: FollowUpError };

/** Makes the further vote of a closed or published session whose tally flags a tie or a shortfall. */
export async function createFollowUp(sql: Sql, firstRoundId: number, actorUserId: number): Promise<FollowUpResult> {
	try {
		return (await sql.begin(async (tx): Promise<FollowUpResult> => {
			const [locked] = await tx<{ status: SessionStatus; ballotMethod: SessionMethod }[]>`
				select status, ballot_method as "ballotMethod" from voting_session where id = ${firstRoundId} for update`;
			if (!locked) return { ok: false, error: 'not_found' };
			if (isEvaluation(locked)) return { ok: false, error: 'not_a_vote' };
			if (locked.status !== 'closed' && locked.status !== 'published') return { ok: false, error: 'not_counted' };
			const [existing] = await tx`select 1 from session_procedure where follow_up_of = ${firstRoundId}`;
			if (existing) return { ok: false, error: 'already_made' };
			const [stored] = await tx<{ tally: SessionTally }[]>`
				select tally from voting_result where voting_session_id = ${firstRoundId}`;
			if (!stored) return { ok: false, error: 'not_counted' };
			if (isEvaluationTally(stored.tally)) return { ok: false, error: 'not_a_vote' };
			const plan = followUpPlan(stored.tally);
			if (!plan) return { ok: false, error: 'nothing_to_settle' };

			const first = (await getVotingSession(tx, firstRoundId)) as VotingSession;
			const id = await insertVotingSession(
				tx,
				{
					title: `${first.title}（${plan.kind === 'tie' ? '再次投票' : '另行票决'}）`,
					year: first.year,
					rules: { ...first.rules, seats: plan.seats },
					candidateIds: plan.candidateIds,
					isDemo: first.isDemo
				},
				actorUserId
			);
			// The same electorate and presence.
			await tx`
				insert into electorate_member (voting_session_id, delegate_id, present)
				select ${id}, delegate_id, present from electorate_member where voting_session_id = ${firstRoundId}`;
			// The same procedure: settings, the adopted 票决办法, the review, the meeting's approval of the scrutineers…
			await tx`
				update session_procedure as p set
				       meeting_name = f.meeting_name, require_adopted_rules = f.require_adopted_rules,
				       require_review = f.require_review, require_named_scrutineers = f.require_named_scrutineers,
				       min_candidate_ratio = f.min_candidate_ratio,
				       rules_text = f.rules_text, rules_adopted_by = f.rules_adopted_by, rules_adopted_on = f.rules_adopted_on,
				       rules_recorded_by = f.rules_recorded_by,
				       review_meeting = f.review_meeting, review_on = f.review_on, review_document = f.review_document,
				       review_recorded_by = f.review_recorded_by,
				       scrutineers_approved_by = f.scrutineers_approved_by, scrutineers_approved_on = f.scrutineers_approved_on,
				       follow_up_of = ${firstRoundId}, follow_up_kind = ${plan.kind}
				from session_procedure f
				where p.voting_session_id = ${id} and f.voting_session_id = ${firstRoundId}`;
			// …and the same scrutineers.
			await tx`
				insert into session_scrutineer (voting_session_id, user_id, duty, position, named_by)
				select ${id}, user_id, duty, position, named_by from session_scrutineer where voting_session_id = ${firstRoundId}`;
			await appendAudit(tx, {
				actorUserId,
				action: 'session.follow_up_created',
				votingSessionId: id,
				details: { firstRound: firstRoundId, kind: plan.kind, candidates: plan.candidateIds, seats: plan.seats }
			});
			return { ok: true, id, kind: plan.kind, candidates: plan.candidateIds.length, seats: plan.seats };
		})) as FollowUpResult;
	} catch (error) {
		// Two staff members at once: the second finds the first one's further vote (UNIQUE follow_up_of).
		if (isConstraintRefusal(error, 'unique_violation', 'session_procedure_follow_up_of_key'))
			return { ok: false, error: 'already_made' };
		throw error;
	}
}

export interface Round {
	id: number;
	title: string;
	status: SessionStatus;
	kind: FollowUpKind | null;
	/** The round's tally once published (null before: no count leaks). */
	tally: Tally | null;
}

export interface Rounds {
	/** The first round, then its further votes in order. */
	rounds: Round[];
	/** The chosen over the published rounds; `complete` once the last round leaves nothing open and is published. */
	final: { chosen: ChosenAcrossRounds[]; complete: boolean };
}

type ChainEntry = { id: number; title: string; status: SessionStatus; kind: FollowUpKind | null };

/** The first round of the session's vote and its further votes, in order (one query). */
async function roundChain(sql: Sql, votingSessionId: number): Promise<ChainEntry[]> {
	return sql<ChainEntry[]>`
		with recursive up(id, depth) as (
			select ${votingSessionId}::bigint, 0
			union all
			select p.follow_up_of, up.depth + 1 from session_procedure p join up on p.voting_session_id = up.id
			where p.follow_up_of is not null
		), first_round as (select id from up order by depth desc limit 1),
		down(id, depth) as (
			select id, 0 from first_round
			union all
			select p.voting_session_id, down.depth + 1 from session_procedure p join down on p.follow_up_of = down.id
		)
		select s.id, s.title, s.status, p.follow_up_kind as kind
		from down join voting_session s on s.id = down.id join session_procedure p on p.voting_session_id = s.id
		order by down.depth`;
}

async function roundsOf(sql: Sql, chain: ChainEntry[]): Promise<Rounds> {
	const rounds: Round[] = [];
	for (const round of chain) {
		const stored = round.status === 'published' ? await getStoredTally(sql, round.id) : null;
		rounds.push({ ...round, tally: stored && !isEvaluationTally(stored) ? stored : null });
	}
	const published: Tally[] = [];
	for (const round of rounds) {
		if (!round.tally) break;
		published.push(round.tally);
	}
	const final = finalList(published);
	return {
		rounds,
		final: {
			chosen: final.chosen,
			// Complete only when every round is published and the last leaves nothing open.
			complete: final.complete && published.length === rounds.length
		}
	};
}

/** For a session with further votes (or one itself): its rounds and the final list; null for a single round. */
export async function roundsSummary(sql: Sql, votingSessionId: number): Promise<RoundsSummary | null> {
	const chain = await roundChain(sql, votingSessionId);
	if (chain.length < 2) return null;
	const { rounds, final } = await roundsOf(sql, chain);
	const titles = new Map(
		(
			await sql<{ id: number; title: string }[]>`
				select c.id, c.title from voting_session_candidate v join candidate c on c.id = v.candidate_id
				where v.voting_session_id = ${rounds[0]!.id}`
		).map((row) => [row.id, row.title])
	);
	return {
		rounds: rounds.map(({ id, title, status, kind }) => ({ id, title, status, kind })),
		finalList: final.chosen.map((entry) => ({ ...entry, title: titles.get(entry.candidateId) ?? '' })),
		complete: final.complete
	};
}
