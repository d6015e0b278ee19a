// Years side by side: which years exist (campaigns, votes, projects, evaluations) and where a year
// stands in the chain 征集 → 网上评选 → 票决 → 实施 → 测评, with the dates of each stage.
import { chainStates, type ChainStage, type StageDates, type YearChain } from '$lib/domain/delivery';
import { EVALUATION_METHOD } from '$lib/domain/types';

export type { YearChain } from '$lib/domain/delivery';
import type { Sql } from '../db/client';

/** Every year something happened or is planned in, newest first. */
export async function listYears(sql: Sql): Promise<number[]> {
	const rows = await sql<{ year: number }[]>`
		select year from proposal_campaign union select year from voting_session union select year from livelihood_project
		order by year desc`;
	return rows.map((row) => row.year);
}

/** The year the home page follows: the newest year with a campaign, a vote or projects (null when none). */
export async function currentYear(sql: Sql): Promise<number | null> {
	return (await listYears(sql))[0] ?? null;
}

interface ChainRow {
	campaignStart: Date | null;
	campaignEnd: Date | null;
	campaignProposals: number;
	roundStart: Date | null;
	roundEnd: Date | null;
	roundId: number | null;
	voteStart: Date | null;
	voteEnd: Date | null;
	voteId: number | null;
	votePublished: boolean;
	projectsStart: Date | null;
	projectsEnd: Date | null;
	projects: number;
	evaluationStart: Date | null;
	evaluationEnd: Date | null;
	evaluationId: number | null;
	evaluationPublished: boolean;
}

/** A year's stages with their dates. The evaluation is the session of that year with ballot_method 'evaluation'. */
export async function yearChain(sql: Sql, year: number, now = new Date()): Promise<YearChain> {
	const [row] = await sql<ChainRow[]>`
		with votes as (
			select * from voting_session where year = ${year} and ballot_method <> ${EVALUATION_METHOD}
		), evaluations as (
			select * from voting_session where year = ${year} and ballot_method = ${EVALUATION_METHOD}
		), rounds as (
			select r.* from selection_round r
			where exists (select 1 from selection_carry_over c join votes v on v.id = c.voting_session_id where c.round_id = r.id)
			   or exists (select 1 from selection_round_candidate rc join voting_session_candidate vc on vc.candidate_id = rc.candidate_id
			              join votes v on v.id = vc.voting_session_id where rc.round_id = r.id)
		)
		select
			(select min(opens_at) from proposal_campaign where year = ${year}) as "campaignStart",
			(select max(closes_at) from proposal_campaign where year = ${year}) as "campaignEnd",
			(select count(*) from proposal p join proposal_campaign c on c.id = p.campaign_id where c.year = ${year} and p.status <> 'draft')::int as "campaignProposals",
			(select min(opens_at) from rounds) as "roundStart",
			(select max(closes_at) from rounds) as "roundEnd",
			(select id from rounds order by opens_at desc, id desc limit 1) as "roundId",
			(select min(coalesce(opened_at, opens_at)) from votes) as "voteStart",
			(select max(coalesce(published_at, closed_at, closes_at)) from votes) as "voteEnd",
			(select id from votes order by (status = 'published') desc, id desc limit 1) as "voteId",
			exists (select 1 from votes where status = 'published') as "votePublished",
			(select min(created_at) from livelihood_project where year = ${year}) as "projectsStart",
			(select case when count(*) > 0 and bool_and(latest.status = 'done') then max(latest.created_at) end
			   from livelihood_project p
			   left join lateral (select u.status, u.created_at from progress_update u where u.project_id = p.id
			                      order by u.reported_on desc, u.id desc limit 1) latest on true
			   where p.year = ${year}) as "projectsEnd",
			(select count(*) from livelihood_project where year = ${year})::int as projects,
			(select min(coalesce(opened_at, opens_at)) from evaluations) as "evaluationStart",
			(select max(coalesce(published_at, closed_at, closes_at)) from evaluations) as "evaluationEnd",
			(select id from evaluations order by (status = 'published') desc, id desc limit 1) as "evaluationId",
			exists (select 1 from evaluations where status = 'published') as "evaluationPublished"`;
	const chain = row as ChainRow;
	const dates: Record<ChainStage, StageDates> = {
		collection: { startsAt: chain.campaignStart, endsAt: chain.campaignEnd },
		selection: { startsAt: chain.roundStart, endsAt: chain.roundEnd },
		vote: { startsAt: chain.voteStart, endsAt: chain.votePublished ? chain.voteEnd : null },
		delivery: { startsAt: chain.projectsStart, endsAt: chain.projectsEnd },
		evaluation: { startsAt: chain.evaluationStart, endsAt: chain.evaluationPublished ? chain.evaluationEnd : null }
	};
	const { states, current } = chainStates(dates, now);
	const links: Record<ChainStage, string | null> = {
		collection: chain.campaignStart ? '/proposals' : null,
		selection: chain.roundId ? `/selection/${chain.roundId}` : null,
		vote: chain.voteId ? (chain.votePublished ? `/results/${chain.voteId}` : '/projects') : null,
		delivery: chain.projects > 0 ? `/delivery?year=${year}` : null,
		evaluation: chain.evaluationId && chain.evaluationPublished ? `/results/${chain.evaluationId}` : null
	};
	const counts: Record<ChainStage, number | null> = {
		collection: chain.campaignStart ? chain.campaignProposals : null,
		selection: null,
		vote: null,
		delivery: chain.projects > 0 ? chain.projects : null,
		evaluation: null
	};
	return {
		year,
		current,
		steps: (Object.keys(dates) as ChainStage[]).map((stage) => ({
			stage,
			state: states[stage],
			startsAt: dates[stage].startsAt,
			endsAt: dates[stage].endsAt,
			href: links[stage],
			count: counts[stage]
		}))
	};
}
