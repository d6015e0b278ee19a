// The user's-language messages for paper-batch problems.
import type { PaperLineProblem } from '$lib/domain/paper';
import { m } from '$lib/paraglide/messages';
import type { PaperBatchError } from './paper';
import type { KeyingResult, SecondKeyingResult } from './paper-keying';

export function paperLineProblemMessage(problem: PaperLineProblem): string {
	switch (problem.code) {
		case 'position_out_of_range':
			return m.paper_error_position({ line: problem.line, value: problem.value, candidates: problem.candidates });
		case 'duplicate_position':
			return m.paper_error_duplicate({ line: problem.line, value: problem.value });
		case 'unreadable':
			return m.paper_error_unreadable({ line: problem.line, value: problem.value });
		case 'wrong_length':
			return m.paper_error_length({ line: problem.line, length: problem.length, candidates: problem.candidates });
	}
}

export function paperBatchErrorMessage(error: PaperBatchError): string {
	switch (error.code) {
		case 'session_not_found':
			return m.error_session_not_found();
		case 'not_open':
			return m.paper_error_not_open();
		case 'unknown_delegates':
			return m.paper_error_unknown_delegates({ list: error.references.join('、') });
		case 'already_voted':
			return error.references.length
				? m.paper_error_already_voted({ list: error.references.join('、') })
				: m.paper_error_already_voted_race();
		case 'not_checked_in':
			return m.attendance_error_paper_not_checked_in({ references: error.references.join('、') });
		case 'count_mismatch':
			return m.paper_error_count({ delegates: error.delegates, ballots: error.ballots });
		case 'no_scrutineer':
			return m.paper_error_no_scrutineer();
		case 'not_scrutineers':
			return m.paper_error_not_scrutineers();
		case 'too_few_scrutineers':
			return m.procedure_paper_two_scrutineers();
		case 'empty':
			return m.paper_error_empty();
		case 'keying_gone':
			return m.hall_keying_gone();
		case 'same_keyer':
			return m.hall_keying_same_person();
	}
}

/** Why a keying of a paper grid (first or second, issue 15) was refused. */
export type PaperKeyingFailure = Extract<KeyingResult | SecondKeyingResult, { ok: false }>;

/** The messages for a refused keying: one, or one per unreadable row of the grid. */
export function paperKeyingMessages(failure: PaperKeyingFailure): string[] {
	switch (failure.error) {
		case 'not_open':
			return [m.paper_error_not_open()];
		case 'empty':
			return [m.hall_keying_empty()];
		case 'unreadable':
			return failure.problems.map(paperLineProblemMessage);
		case 'not_found':
			return [m.hall_keying_gone()];
		case 'same_person':
			return [m.hall_keying_same_person()];
		case 'mismatch':
			return [m.hall_keying_mismatch({ count: failure.mismatches.length })];
		case 'batch':
			return [paperBatchErrorMessage(failure.batchError)];
	}
}
