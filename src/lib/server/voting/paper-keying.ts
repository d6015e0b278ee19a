// Paper ballots keyed twice (issue 15). The first person keys the stack's grid, which waits in
// paper_keying; a second person keys the same stack again without seeing the first grid, with the
// delegates who voted on paper, the ballots issued and the scrutineers to confirm. The two grids
// are compared cell by cell: any difference is shown and nothing is saved; when they agree the
// batch is entered (enterPaperBatch, which consumes the first keying in its own transaction) and
// waits for its named scrutineers like any other batch.
import { compareGrids, gridToPaperLines, type GridMismatch, type PaperGridRow } from '$lib/domain/paper-grid';
import { readDelegateReferences, readPaperBallots, type PaperLineProblem } from '$lib/domain/paper';
import type { BallotMethod, SessionStatus } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { isRefusal } from '../db/refusal';
import { enterPaperBatch, type PaperBatchError } from './paper';

export interface PaperKeying {
	id: number;
	keyedBy: number;
	keyedByName: string;
	keyedAt: Date;
	rowCount: number;
	note: string;
}

/** The first keyings of a session waiting for their second (never their grids). */
export async function listPaperKeyings(sql: Sql, votingSessionId: number): Promise<PaperKeying[]> {
	return sql<PaperKeying[]>`
		select k.id, k.keyed_by as "keyedBy", u.display_name as "keyedByName", k.keyed_at as "keyedAt",
		       k.row_count as "rowCount", k.note
		from paper_keying k join app_user u on u.id = k.keyed_by
		where k.voting_session_id = ${votingSessionId} order by k.id`;
}

export async function getPaperKeying(sql: Sql, votingSessionId: number, id: number): Promise<PaperKeying | null> {
	const [keying] = await sql<PaperKeying[]>`
		select k.id, k.keyed_by as "keyedBy", u.display_name as "keyedByName", k.keyed_at as "keyedAt",
		       k.row_count as "rowCount", k.note
		from paper_keying k join app_user u on u.id = k.keyed_by
		where k.voting_session_id = ${votingSessionId} and k.id = ${id}`;
	return keying ?? null;
}

interface KeyingSession {
	id: number;
	status: SessionStatus;
	method: BallotMethod;
	seats: number;
	candidateIds: number[];
}

export type KeyingResult =
	| { ok: true; keyingId: number }
	| { ok: false; error: 'not_open' | 'empty' }
	| { ok: false; error: 'unreadable'; problems: PaperLineProblem[] };

/** Reads a grid as the method reads paper ballots; problems name the grid's rows. */
function readGrid(votingSession: KeyingSession, rows: readonly PaperGridRow[]) {
	return readPaperBallots(
		votingSession.method,
		votingSession.seats,
		votingSession.candidateIds,
		gridToPaperLines(votingSession.method, rows, votingSession.candidateIds.length).join('\n')
	);
}

/** Saves a first keying: the grid only (read first, so a mistake in it is said at once). */
export async function saveFirstKeying(
	sql: Sql,
	votingSession: KeyingSession,
	input: { keyedBy: number; rows: PaperGridRow[]; note: string }
): Promise<KeyingResult> {
	if (votingSession.status !== 'open') return { ok: false, error: 'not_open' };
	if (input.rows.length === 0) return { ok: false, error: 'empty' };
	const reading = readGrid(votingSession, input.rows);
	if (!reading.ok) return { ok: false, error: 'unreadable', problems: reading.problems };
	try {
		const keyingId = (await sql.begin(async (tx) => {
			const [inserted] = await tx<{ id: number }[]>`
				insert into paper_keying (voting_session_id, keyed_by, grid, row_count, note)
				values (${votingSession.id}, ${input.keyedBy}, ${tx.json(input.rows as never)}, ${input.rows.length}, ${input.note})
				returning id`;
			const id = (inserted as { id: number }).id;
			await appendAudit(tx, {
				actorUserId: input.keyedBy,
				action: 'paper_keying.first',
				votingSessionId: votingSession.id,
				details: { keyingId: id, rows: input.rows.length }
			});
			return id;
		})) as number;
		return { ok: true, keyingId };
	} catch (error) {
		// The vote closed meanwhile (the database's own check, paper_keying_while_open).
		if (isRefusal(error, 'paper_keying_not_open')) return { ok: false, error: 'not_open' };
		throw error;
	}
}

export type SecondKeyingResult =
	| { ok: true; batchId: number; ballots: number; void: number }
	| { ok: false; error: 'not_found' | 'same_person' | 'empty' }
	| { ok: false; error: 'mismatch'; mismatches: GridMismatch[] }
	| { ok: false; error: 'unreadable'; problems: PaperLineProblem[] }
	| { ok: false; error: 'batch'; batchError: PaperBatchError };

/**
 * The second keying: compared with the first cell by cell; agreeing, the batch is entered with the
 * delegates, the ballots issued and the scrutineers typed now (the first keying is consumed there).
 */
export async function finishSecondKeying(
	sql: Sql,
	votingSession: KeyingSession,
	input: {
		keyingId: number;
		keyedBy: number;
		rows: PaperGridRow[];
		delegates: string;
		issuedCount: number;
		scrutineerIds: number[];
		note: string;
	}
): Promise<SecondKeyingResult> {
	const [first] = await sql<{ keyedBy: number; grid: PaperGridRow[]; note: string }[]>`
		select keyed_by as "keyedBy", grid, note from paper_keying
		where id = ${input.keyingId} and voting_session_id = ${votingSession.id}`;
	if (!first) return { ok: false, error: 'not_found' };
	if (first.keyedBy === input.keyedBy) return { ok: false, error: 'same_person' };
	if (input.rows.length === 0) return { ok: false, error: 'empty' };
	const mismatches = compareGrids(first.grid, input.rows, votingSession.candidateIds.length);
	if (mismatches.length > 0) return { ok: false, error: 'mismatch', mismatches };
	const reading = readGrid(votingSession, input.rows);
	if (!reading.ok) return { ok: false, error: 'unreadable', problems: reading.problems };
	const note = [first.note, input.note].map((text) => text.trim()).filter(Boolean);
	const entered = await enterPaperBatch(sql, {
		votingSessionId: votingSession.id,
		enteredBy: input.keyedBy,
		delegateReferences: readDelegateReferences(input.delegates),
		ballots: reading.ballots,
		scrutineerIds: input.scrutineerIds,
		note: [...new Set(note)].join('；').slice(0, 500),
		issuedCount: input.issuedCount,
		firstKeying: { id: input.keyingId, keyedBy: first.keyedBy }
	});
	if (!entered.ok) return { ok: false, error: 'batch', batchError: entered.error };
	return { ok: true, batchId: entered.batchId, ballots: entered.ballots, void: entered.void };
}

/** Throws a first keying away (it was wrong): its keyer, or staff. */
export async function discardKeying(
	sql: Sql,
	input: { votingSessionId: number; keyingId: number; actorUserId: number; isStaff: boolean }
): Promise<boolean> {
	return (await sql.begin(async (tx) => {
		const [removed] = await tx<{ id: number }[]>`
			delete from paper_keying
			where id = ${input.keyingId} and voting_session_id = ${input.votingSessionId}
			  and (${input.isStaff} or keyed_by = ${input.actorUserId})
			returning id`;
		if (!removed) return false;
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: 'paper_keying.discarded',
			votingSessionId: input.votingSessionId,
			details: { keyingId: input.keyingId }
		});
		return true;
	})) as boolean;
}
