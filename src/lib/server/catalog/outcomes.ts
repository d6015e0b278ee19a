// The votes a year's candidates stand in, and what became of each (issue 15): /projects filters by
// vote and outcome, and links a chosen project to its delivery page.
import { candidateOutcome, type CandidateOutcome } from '$lib/domain/candidate-outcome';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql } from '../db/client';

export interface YearVote {
	id: number;
	title: string;
	status: SessionStatus;
}

export interface CandidateFate {
	voteIds: number[];
	outcome: CandidateOutcome;
	/** The delivery page's project, once chosen. */
	projectId: number | null;
}

/** The year's votes (not evaluations), in order. Drafts only for those who may see them. */
export async function listYearVotes(sql: Sql, year: number, drafts: boolean): Promise<YearVote[]> {
	return sql<YearVote[]>`
		select id, title, status from voting_session
		where year = ${year} and ballot_method <> 'evaluation' and (${drafts} or status <> 'draft')
		order by id`;
}

/** Each candidate of the year: its votes and outcome. */
export async function candidateFates(
	sql: Sql,
	year: number,
	votes: readonly YearVote[]
): Promise<Map<number, CandidateFate>> {
	const rows = await sql<{ id: number; voteIds: number[]; projectId: number | null }[]>`
		select c.id,
		       coalesce(array_agg(v.voting_session_id order by v.voting_session_id)
		                filter (where v.voting_session_id = any(${votes.map((vote) => vote.id)}::bigint[])), '{}') as "voteIds",
		       (select p.id from livelihood_project p where p.candidate_id = c.id) as "projectId"
		from candidate c left join voting_session_candidate v on v.candidate_id = c.id
		where c.year = ${year}
		group by c.id`;
	const statusOf = new Map(votes.map((vote) => [vote.id, vote.status]));
	return new Map(
		rows.map((row) => [
			row.id,
			{
				voteIds: row.voteIds,
				projectId: row.projectId,
				outcome: candidateOutcome(
					row.voteIds.map((id) => ({ status: statusOf.get(id) ?? 'draft' })),
					row.projectId !== null
				)
			}
		])
	);
}
