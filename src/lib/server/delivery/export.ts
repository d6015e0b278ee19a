// The year's delivery overview as open data: CSV (for spreadsheets) and JSON.
import { formatCsv } from '$lib/domain/csv';
import { m } from '$lib/paraglide/messages';
import type { Sql } from '../db/client';
import { listProjects, type ProjectSummary } from './projects';

function statusWord(project: ProjectSummary): string {
	switch (project.latest?.status) {
		case 'on_track':
			return m.delivery_status_on_track();
		case 'at_risk':
			return m.delivery_status_at_risk();
		case 'delayed':
			return m.delivery_status_delayed();
		case 'done':
			return m.delivery_status_done();
		default:
			return m.delivery_status_none();
	}
}

export function overviewCsv(projects: readonly ProjectSummary[]): string {
	const header = [
		m.delivery_csv_year(),
		m.delivery_csv_rank(),
		m.delivery_csv_category(),
		m.delivery_csv_title(),
		m.delivery_csv_lead_department(),
		m.delivery_csv_budget(),
		m.delivery_csv_planned_completion(),
		m.delivery_csv_percent(),
		m.delivery_csv_status(),
		m.delivery_csv_reported_on(),
		m.delivery_csv_targets()
	];
	const rows = projects.map((project) => [
		project.year,
		project.rank,
		project.category,
		project.title,
		project.leadDepartment,
		project.budgetYuan,
		project.plannedCompletion ?? '',
		project.percent,
		statusWord(project),
		project.latest?.reportedOn ?? '',
		project.targets.map((target, index) => `${target}: ${project.latest?.percentages[index] ?? 0}%`).join('; ')
	]);
	return formatCsv([header, ...rows], { bom: true, escapeFormulas: true });
}

export function overviewJson(year: number, projects: readonly ProjectSummary[]) {
	return {
		year,
		projects: projects.map((project) => ({
			id: project.id,
			rank: project.rank,
			votesFor: project.votesFor,
			category: project.category,
			title: project.title,
			leadDepartment: project.leadDepartment,
			targets: project.targets.map((target, index) => ({ target, percent: project.latest?.percentages[index] ?? 0 })),
			budgetYuan: project.budgetYuan,
			plannedCompletion: project.plannedCompletion,
			percent: project.percent,
			status: project.latest?.status ?? null,
			reportedOn: project.latest?.reportedOn ?? null,
			isDemo: project.isDemo
		}))
	};
}

/** The export response for a year, or null when the year has no projects. */
export async function overviewExport(sql: Sql, year: number, format: 'csv' | 'json'): Promise<Response | null> {
	const projects = await listProjects(sql, { year });
	if (projects.length === 0) return null;
	if (format === 'csv') {
		return new Response(overviewCsv(projects), {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="delivery-${year}.csv"`,
				'x-content-type-options': 'nosniff'
			}
		});
	}
	return new Response(JSON.stringify(overviewJson(year, projects), null, 2), {
		headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' }
	});
}
