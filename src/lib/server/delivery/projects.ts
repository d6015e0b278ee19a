// The year's livelihood projects (民生实事项目) and who may report on them: staff on every
// project, a department account on the projects its department leads.
import { overallPercent } from '$lib/domain/delivery';
import type { Role } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import type { ProjectSummary, Project } from '$lib/domain/delivery';
export type { ProjectSummary, Project } from '$lib/domain/delivery';

type ProjectRow = Omit<ProjectSummary, 'percent'>;

const projectColumns = (sql: Sql | TransactionSql) => sql`
	p.id, p.year, p.rank, p.votes_for as "votesFor", p.category, p.title, p.lead_department as "leadDepartment",
	p.targets, p.budget_yuan as "budgetYuan", p.planned_completion::text as "plannedCompletion", p.is_demo as "isDemo",
	p.voting_session_id as "votingSessionId",
	(select json_build_object('reportedOn', u.reported_on::text, 'status', u.status, 'percentages', u.target_percentages, 'body', u.body)
	   from progress_update u where u.project_id = p.id order by u.reported_on desc, u.id desc limit 1) as latest,
	(select count(*) from monitoring_group_member g where g.project_id = p.id)::int as members,
	(select count(*) from inspection_note n where n.project_id = p.id and n.status = 'pending')::int as "pendingNotes"`;

function withPercent<T extends ProjectRow>(row: T): T & { percent: number } {
	return { ...row, percent: row.latest ? overallPercent(row.latest.percentages) : 0 };
}

/** The projects of a year (all years when null), optionally only those a department leads. */
export async function listProjects(
	sql: Sql,
	filter: { year?: number | null; department?: string | null } = {}
): Promise<ProjectSummary[]> {
	const year = filter.year ?? null;
	const department = filter.department ?? null;
	const rows = await sql<ProjectRow[]>`
		select ${projectColumns(sql)} from livelihood_project p
		where (${year}::int is null or p.year = ${year}::int) and (${department}::text is null or p.lead_department = ${department}::text)
		order by p.year desc, p.rank, p.id`;
	return rows.map(withPercent);
}

export async function getProject(sql: Sql | TransactionSql, id: number): Promise<Project | null> {
	const [row] = await sql<(ProjectRow & { summary: string; votingSessionTitle: string })[]>`
		select ${projectColumns(sql)}, p.summary, s.title as "votingSessionTitle"
		from livelihood_project p join voting_session s on s.id = p.voting_session_id
		where p.id = ${id}`;
	return row ? withPercent(row) : null;
}

/** The delivery page of each chosen candidate of a vote: candidate id → livelihood project id (issue 15). */
export async function deliveryPagesOfSession(sql: Sql, votingSessionId: number): Promise<Record<string, number>> {
	const rows = await sql<{ candidateId: number; projectId: number }[]>`
		select candidate_id as "candidateId", id as "projectId" from livelihood_project where voting_session_id = ${votingSessionId}`;
	return Object.fromEntries(rows.map((row) => [row.candidateId, row.projectId]));
}

/** Years that have projects, newest first. */
export async function listProjectYears(sql: Sql): Promise<number[]> {
	const rows = await sql<{ year: number }[]>`select distinct year from livelihood_project order by year desc`;
	return rows.map((row) => row.year);
}

/** The department a department account speaks for (null for anyone else). */
export async function departmentOf(sql: Sql | TransactionSql, userId: number): Promise<string | null> {
	const [row] = await sql<{ name: string }[]>`
		select d.department_name as name from department_account d
		where d.user_id = ${userId} and exists (select 1 from user_role r where r.user_id = d.user_id and r.role = 'department')`;
	return row?.name ?? null;
}

export interface DeliveryActor {
	id: number;
	roles: readonly Role[];
}

export type ProjectAccess = 'staff' | 'department';

/**
 * How an actor may work on a project: staff on any, a department account on those its
 * department leads; null for everyone else (and for a project that does not exist).
 */
export async function projectAccess(
	sql: Sql | TransactionSql,
	actor: DeliveryActor,
	projectId: number
): Promise<ProjectAccess | null> {
	const [row] = await sql<
		{ leadDepartment: string }[]
	>`select lead_department as "leadDepartment" from livelihood_project where id = ${projectId}`;
	if (!row) return null;
	if (actor.roles.includes('staff')) return 'staff';
	if (!actor.roles.includes('department')) return null;
	const department = await departmentOf(sql, actor.id);
	return department !== null && department === row.leadDepartment ? 'department' : null;
}
