// Exports of a session's result: JSON (with the anonymous ballots, so anyone can recount and
// recompute the digest) and CSV (UTF-8 with BOM, so spreadsheet programs show Chinese correctly).
import type { Tally } from '$lib/domain/counting';
import type { BallotContent } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { listSessionCandidates } from '../catalog/catalog';
import { getStoredTally, readBallots } from './results';
import { getVotingSession, type VotingSession } from './sessions';

export interface SessionExport {
	votingSession: Pick<VotingSession, 'id' | 'title' | 'year' | 'status' | 'rules' | 'openedAt' | 'closedAt' | 'publishedAt'>;
	candidates: { id: number; title: string; category: string; position: number }[];
	tally: Tally;
	/** Every ballot, canonical and sorted: no order of casting, no voter. */
	ballots: BallotContent[];
}

export type ExportProblem = 'not_found' | 'not_counted';

export async function buildSessionExport(sql: Sql, votingSessionId: number): Promise<SessionExport | ExportProblem> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession) return 'not_found';
	const tally = await getStoredTally(sql, votingSessionId);
	if (!tally) return 'not_counted';
	const candidates = await listSessionCandidates(sql, votingSessionId);
	const { id, title, year, status, rules, openedAt, closedAt, publishedAt } = votingSession;
	return {
		votingSession: { id, title, year, status, rules, openedAt, closedAt, publishedAt },
		candidates: candidates.map((candidate, position) => ({ id: candidate.id, title: candidate.title, category: candidate.categoryName, position: position + 1 })),
		tally,
		ballots: await readBallots(sql, votingSessionId)
	};
}

function csvField(value: string | number): string {
	const text = String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per candidate in rank order; `headers` are the column titles in the reader's language. */
export function resultCsv(data: SessionExport, headers: { rank: string; candidate: string; category: string; for: string; against: string; abstain: string; passed: string; outcome: string }, words: { yes: string; no: string; chosen: string; tied: string; notChosen: string }): string {
	const byId = new Map(data.candidates.map((candidate) => [candidate.id, candidate]));
	const outcome = { chosen: words.chosen, tied: words.tied, not_chosen: words.notChosen };
	const rows = [
		[headers.rank, headers.candidate, headers.category, headers.for, headers.against, headers.abstain, headers.passed, headers.outcome],
		...data.tally.candidates.map((row) => [
			row.rank,
			byId.get(row.candidateId)?.title ?? row.candidateId,
			byId.get(row.candidateId)?.category ?? '',
			row.for,
			row.against,
			row.abstain,
			row.passed ? words.yes : words.no,
			outcome[row.outcome]
		])
	];
	return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
