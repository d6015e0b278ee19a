// Satisfaction evaluations (满意度测评): voting sessions with the method 'evaluation' whose
// "candidates" are a year's livelihood projects. Everything after creation — electorate,
// credentials, casting, closing, scrutiny, publication, projector, exports, audit — is the vote's.
import { evaluationSessionFormSchema, fieldErrors } from '$lib/domain/schemas';
import { EVALUATION_METHOD } from '$lib/domain/types';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql } from '../db/client';
import type { NewVotingSession } from '../voting/sessions';
import { toBeijingLocal } from '../voting/session-form';
import type { EvaluationFormValues } from '$lib/domain/satisfaction';
export type { EvaluationFormValues } from '$lib/domain/satisfaction';

export function evaluationFormValues(form: FormData): EvaluationFormValues {
	const text = (name: string) => String(form.get(name) ?? '');
	return {
		title: text('title'),
		year: text('year'),
		allowAbstain: text('allowAbstain'),
		opensAt: text('opensAt'),
		closesAt: text('closesAt')
	};
}

export function storedEvaluationValues(session: {
	title: string;
	year: number;
	rules: { allowAbstain?: boolean };
	opensAt: Date | null;
	closesAt: Date | null;
}): EvaluationFormValues {
	return {
		title: session.title,
		year: String(session.year),
		allowAbstain: session.rules.allowAbstain ? 'yes' : '',
		opensAt: toBeijingLocal(session.opensAt),
		closesAt: toBeijingLocal(session.closesAt)
	};
}

/** The candidates behind a year's livelihood projects, in the order they were chosen (the ballot order). */
export async function projectCandidateIds(sql: Sql, year: number): Promise<number[]> {
	const rows = await sql<{ candidateId: number }[]>`
		select candidate_id as "candidateId" from livelihood_project where year = ${year} order by rank, id`;
	return rows.map((row) => row.candidateId);
}

/** The years that have projects to evaluate, newest first. */
export async function listProjectYears(sql: Sql): Promise<{ year: number; projects: number }[]> {
	return sql<{ year: number; projects: number }[]>`
		select year, count(*)::int as projects from livelihood_project group by year order by year desc`;
}

export interface EvaluationSummary {
	id: number;
	title: string;
	year: number;
	status: SessionStatus;
	projects: number;
	allowAbstain: boolean;
}

export async function listEvaluations(sql: Sql): Promise<EvaluationSummary[]> {
	return sql<EvaluationSummary[]>`
		select s.id, s.title, s.year, s.status, s.allow_abstain as "allowAbstain",
		       (select count(*) from voting_session_candidate c where c.voting_session_id = s.id)::int as projects
		from voting_session s where s.ballot_method = ${EVALUATION_METHOD}
		order by s.year desc, s.id desc`;
}

type ReadResult = { ok: true; session: NewVotingSession } | { ok: false; errors: Record<string, string> };

/** Reads the form and the year's projects: an evaluation needs at least one project. */
export async function readEvaluationForm(sql: Sql, values: EvaluationFormValues): Promise<ReadResult> {
	const parsed = evaluationSessionFormSchema.safeParse(values);
	if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
	const form = parsed.data;
	const candidateIds = await projectCandidateIds(sql, form.year);
	if (candidateIds.length === 0) return { ok: false, errors: { year: 'evaluation_error_no_projects' } };
	return {
		ok: true,
		session: {
			title: form.title,
			year: form.year,
			rules: { ballotMethod: EVALUATION_METHOD, seats: 0, thresholdBase: 'enrolled', allowAbstain: form.allowAbstain },
			candidateIds,
			opensAt: form.opensAt,
			closesAt: form.closesAt
		}
	};
}
