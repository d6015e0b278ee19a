// Exports of a session's result: JSON (the counts, the figures and the ballots' digest; the
// anonymous ballots for staff and scrutineers, and for the public only where the session publishes
// them) and CSV (UTF-8 with BOM, so spreadsheet programs show Chinese correctly).
import type { VoteFigures } from '$lib/domain/attendance';
import type { EvaluationTally } from '$lib/domain/satisfaction';
import { isEvaluationTally, type SessionTally } from '$lib/domain/tally';
import type { BallotContent } from '$lib/domain/types';
import { formatCsv } from '$lib/domain/csv';
import { m } from '$lib/paraglide/messages';
import { formatRate, gradeLabel } from '$lib/labels/evaluation';
import type { Sql } from '../db/client';
import { listSessionCandidates } from '../catalog/catalog';
import { getStoredTally, readBallots } from './results';
import { getVotingSession, type VotingSession } from './sessions';

export interface SessionExport {
	votingSession: Pick<
		VotingSession,
		'id' | 'title' | 'year' | 'status' | 'rules' | 'openedAt' | 'closedAt' | 'publishedAt' | 'publishBallots'
	> & { quorumRule: VotingSession['attendance']['quorumRule'] };
	candidates: { id: number; title: string; category: string; position: number }[];
	/** The counts per candidate, the figures and the digest of the ballots. */
	tally: SessionTally;
	/**
	 * Every ballot, canonical and sorted (no order of casting, no voter), for a recount: in the staff's
	 * and scrutineers' export; in the public one only where the session publishes its ballots, and
	 * then without their channel. Absent otherwise (a published list of exact ballots lets a
	 * coercer find a prescribed pattern).
	 */
	ballots?: BallotContent[];
}

export type ExportProblem = 'not_found' | 'not_counted';
export type ExportAudience = 'public' | 'staff';

export async function buildSessionExport(
	sql: Sql,
	votingSessionId: number,
	audience: ExportAudience = 'staff'
): Promise<SessionExport | ExportProblem> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return 'not_found';
	const tally = await getStoredTally(sql, votingSessionId);
	if (!tally) return 'not_counted';
	const candidates = await listSessionCandidates(sql, votingSessionId);
	const { id, title, year, status, rules, openedAt, closedAt, publishedAt, publishBallots } = votingSession;
	const withBallots = audience === 'staff' || publishBallots;
	const ballots = withBallots ? await readBallots(sql, votingSessionId) : null;
	return {
		votingSession: {
			id,
			title,
			year,
			status,
			rules,
			quorumRule: votingSession.attendance.quorumRule,
			openedAt,
			closedAt,
			publishedAt,
			publishBallots
		},
		candidates: candidates.map((candidate, position) => ({
			id: candidate.id,
			title: candidate.title,
			category: candidate.categoryName,
			position: position + 1
		})),
		tally,
		...(ballots
			? {
					ballots:
						audience === 'public'
							? ballots.map((ballot) => ({ isVoid: ballot.isVoid, choices: ballot.choices }))
							: ballots
				}
			: {})
	};
}

/**
 * The vote's record after the table, past an empty line: 应到, 实到, the quorum, 发出, 收回, 有效票,
 * 无效票 and the validity, as stored in the tally (none for a tally stored before they existed).
 */
function figuresRows(figures: VoteFigures | undefined): (string | number)[][] {
	if (!figures) return [];
	return [
		[],
		[m.attendance_csv_figure(), m.attendance_csv_value()],
		[m.figure_enrolled(), figures.enrolled],
		[m.figure_present(), figures.present],
		[m.attendance_figure_quorum(), figures.quorumNeeded],
		[
			m.attendance_csv_quorum_met(),
			figures.quorumRule === 'none'
				? m.attendance_quorum_rule_none()
				: figures.quorumMet
					? m.attendance_quorum_met()
					: m.attendance_quorum_not_met()
		],
		[m.attendance_figure_issued(), figures.issued],
		[m.attendance_csv_issued_electronic(), figures.issuedElectronic],
		[m.attendance_csv_issued_paper(), figures.issuedPaper],
		[m.attendance_figure_returned(), figures.returned],
		[m.attendance_csv_returned_electronic(), figures.returnedElectronic],
		[m.attendance_csv_returned_paper(), figures.returnedPaper],
		[m.figure_valid(), figures.validBallots],
		[m.figure_void(), figures.voidBallots],
		[m.attendance_csv_validity(), figures.valid ? m.attendance_csv_valid() : m.attendance_csv_void()]
	];
}

/** One row per candidate in rank order, headers in the reader's language; then the vote's figures. */
export function resultCsv(data: SessionExport): string {
	const byId = new Map(data.candidates.map((candidate) => [candidate.id, candidate]));
	if (isEvaluationTally(data.tally)) return evaluationCsv(data.tally, byId);
	const outcome = { chosen: m.outcome_chosen(), tied: m.outcome_tied(), not_chosen: m.outcome_not_chosen() };
	const rows = [
		[
			m.tally_rank(),
			m.tally_candidate(),
			m.candidate_category(),
			m.tally_for(),
			m.tally_against(),
			m.tally_abstain(),
			m.tally_passed(),
			m.tally_outcome()
		],
		...data.tally.candidates.map((row) => [
			row.rank,
			byId.get(row.candidateId)?.title ?? row.candidateId,
			byId.get(row.candidateId)?.category ?? '',
			row.for,
			row.against,
			row.abstain,
			row.passed ? m.tally_passed_yes() : m.tally_passed_no(),
			outcome[row.outcome]
		]),
		...figuresRows(data.tally.figures)
	];
	return formatCsv(rows, { bom: true, escapeFormulas: true });
}

/** An evaluation: one row per project in ballot order with its counts, grade and rate. */
function evaluationCsv(tally: EvaluationTally, byId: Map<number, SessionExport['candidates'][number]>): string {
	const rows = [
		[
			m.tally_candidate(),
			m.candidate_category(),
			m.evaluation_satisfied(),
			m.evaluation_basically_satisfied(),
			m.evaluation_unsatisfied(),
			m.evaluation_abstain(),
			m.evaluation_grade(),
			m.evaluation_rate()
		],
		...tally.projects.map((row) => [
			byId.get(row.candidateId)?.title ?? row.candidateId,
			byId.get(row.candidateId)?.category ?? '',
			row.satisfied,
			row.basicallySatisfied,
			row.unsatisfied,
			row.abstain,
			gradeLabel(row.grade),
			formatRate(row.rate)
		]),
		...figuresRows(tally.figures)
	];
	return formatCsv(rows, { bom: true, escapeFormulas: true });
}

export type ExportFormat = 'csv' | 'json';

/**
 * The export as an HTTP response body. `public` exports exist only once published;
 * staff and scrutineers may export from closing on.
 */
export async function exportResponse(
	sql: Sql,
	votingSessionId: number,
	format: ExportFormat,
	audience: 'public' | 'staff'
): Promise<{ status: number; body: string; headers: Record<string, string> }> {
	const data = await buildSessionExport(sql, votingSessionId, audience);
	const hidden =
		data === 'not_found' ||
		data === 'not_counted' ||
		(audience === 'public' && data.votingSession.status !== 'published');
	if (hidden) {
		return {
			status: 404,
			body: data === 'not_found' ? m.error_session_not_found() : m.error_results_not_published(),
			headers: { 'content-type': 'text/plain; charset=utf-8' }
		};
	}
	const filename = `piaojue-session-${votingSessionId}-result.${format}`;
	return {
		status: 200,
		body: format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : resultCsv(data),
		headers: {
			'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${filename}"`,
			'cache-control': 'no-store'
		}
	};
}
