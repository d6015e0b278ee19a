// Categories and candidates, as shown to the public.
import type { Sql } from '../db/client';
import type { Candidate, CategoryWithCandidates } from '$lib/domain/catalog';
export type { Candidate, CategoryWithCandidates } from '$lib/domain/catalog';

const candidateColumns = (sql: Sql) => sql`
	c.id, c.category_id as "categoryId", g.name as "categoryName", c.title, c.summary, c.targets,
	c.lead_department as "leadDepartment", c.budget_yuan as "budgetYuan",
	to_char(c.expected_completion, 'YYYY-MM-DD') as "expectedCompletion", c.is_demo as "isDemo", c.year`;

/**
 * Every category with its candidates; with `year`, only that year's candidate list (and only the
 * categories that hold some of it).
 */
export async function listCategoriesWithCandidates(
	sql: Sql,
	options: { year?: number } = {}
): Promise<CategoryWithCandidates[]> {
	const year = options.year ?? null;
	const categories = await sql<Omit<CategoryWithCandidates, 'candidates'>[]>`
		select id, name, position, is_demo as "isDemo" from category order by position, id`;
	const candidates = await sql<Candidate[]>`
		select ${candidateColumns(sql)} from candidate c join category g on g.id = c.category_id
		where ${year}::int is null or c.year = ${year}
		order by g.position, c.position, c.id`;
	return categories
		.map((category) => ({
			...category,
			candidates: candidates.filter((candidate) => candidate.categoryId === category.id)
		}))
		.filter((category) => year === null || category.candidates.length > 0);
}

/** The years that have a candidate list, newest first, with their number of candidates. */
export async function listCandidateYears(sql: Sql): Promise<{ year: number; candidates: number }[]> {
	return sql<{ year: number; candidates: number }[]>`
		select year, count(*)::int as candidates from candidate group by year order by year desc`;
}

/** The ids of every candidate in the catalog. */
export async function listCandidateIds(sql: Sql): Promise<Set<number>> {
	const rows = await sql<{ id: number }[]>`select id from candidate`;
	return new Set(rows.map((row) => row.id));
}

export async function getCandidate(sql: Sql, id: number): Promise<Candidate | null> {
	const [candidate] = await sql<Candidate[]>`
		select ${candidateColumns(sql)} from candidate c join category g on g.id = c.category_id where c.id = ${id}`;
	return candidate ?? null;
}

/**
 * What a ballot shows of each candidate, in ballot order: its title, a line and the budget on the row,
 * the summary, targets, lead department and completion in the row's details (issue 15); the rest is
 * on the candidate's page, or, for a livelihood project being evaluated, on its delivery page
 * (`projectId`, null for a vote).
 */
export type BallotCandidate = Pick<
	Candidate,
	| 'id'
	| 'title'
	| 'categoryId'
	| 'categoryName'
	| 'summary'
	| 'targets'
	| 'budgetYuan'
	| 'leadDepartment'
	| 'expectedCompletion'
> & {
	projectId: number | null;
};

export async function listBallotCandidates(sql: Sql, votingSessionId: number): Promise<BallotCandidate[]> {
	return sql<BallotCandidate[]>`
		select c.id, c.title, c.category_id as "categoryId", g.name as "categoryName",
		       c.summary, c.targets, c.budget_yuan as "budgetYuan", c.lead_department as "leadDepartment",
		       to_char(c.expected_completion, 'YYYY-MM-DD') as "expectedCompletion",
		       case when s.ballot_method = 'evaluation' then p.id end as "projectId"
		from voting_session_candidate v join voting_session s on s.id = v.voting_session_id
		join candidate c on c.id = v.candidate_id join category g on g.id = c.category_id
		left join livelihood_project p on p.candidate_id = c.id
		where v.voting_session_id = ${votingSessionId}
		order by v.position`;
}

export async function listSessionCandidates(
	sql: Sql,
	votingSessionId: number
): Promise<(Candidate & { categoryPosition: number })[]> {
	return sql<(Candidate & { categoryPosition: number })[]>`
		select ${candidateColumns(sql)}, g.position as "categoryPosition"
		from voting_session_candidate v join candidate c on c.id = v.candidate_id join category g on g.id = c.category_id
		where v.voting_session_id = ${votingSessionId}
		order by v.position`;
}
