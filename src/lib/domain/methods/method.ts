// What the rest of the app asks of a ballot method. One module per method (approval.ts,
// for-against-abstain.ts, evaluation.ts) gives it; the registry (index.ts) maps the method's name to
// its module. Pages, components and server code ask the module, never the method's name.
import type { SessionTally } from '../tally';
import type { Turnout } from '../counting';
import type { BallotChoice, BallotContent, Choice, EvaluationChoice, SessionMethod, VotingRules } from '../types';

/** The submitted selection: approval ticks, or a choice per candidate. */
export type Selection =
	| { method: 'approval'; candidateIds: number[] }
	| { method: 'for_against_abstain'; choices: Record<number, Choice> }
	| { method: 'evaluation'; choices: Record<number, EvaluationChoice> };

export type BallotProblem =
	| { code: 'unknown_candidate'; candidateId: number }
	| { code: 'duplicate_candidate'; candidateId: number }
	| { code: 'over_limit'; marked: number; seats: number }
	| { code: 'missing_choice'; candidateIds: number[]; evaluation?: true }
	| { code: 'choice_not_allowed'; candidateId: number };

export type BallotCheck = { ok: true; ballot: BallotContent } | { ok: false; problem: BallotProblem };

/** A cast form read: the selection, or the message key of what is wrong with the form. */
export type FormReading = { ok: true; selection: Selection } | { ok: false; error: string };

export type PaperLineProblem =
	| { line: number; code: 'position_out_of_range'; value: string; candidates: number }
	| { line: number; code: 'duplicate_position'; value: string }
	| { line: number; code: 'unreadable'; value: string }
	| { line: number; code: 'wrong_length'; length: number; candidates: number };

/** One typed line of a paper batch (not empty, not a "void" word), as the method reads it. */
export type PaperLineReading =
	{ ok: true; ballot: BallotContent; blank: boolean } | { ok: false; problem: PaperLineProblem };

/** How staff type a method's paper ballots, one per line, and how a typed ballot is shown back. */
export interface PaperNotation {
	/** `entry` is the line trimmed and lower-cased; `candidateIds` in ballot order. */
	readLine(entry: string, line: number, seats: number, candidateIds: readonly number[]): PaperLineReading;
	/** The inverse of readLine for a ballot that is not void. */
	format(candidateIds: readonly number[], ballot: BallotContent): string;
}

export interface BallotMethodModule {
	readonly name: SessionMethod;
	/** A vote fills seats (ranked over a threshold); an evaluation grades delivered projects (测评). */
	readonly purpose: 'vote' | 'evaluation';
	/**
	 * How the ballot page asks about each candidate: one tick box (at most `seats` ticked), or one
	 * of `choices` per candidate (a group of radio buttons).
	 */
	readonly ballotForm: 'tick' | 'one_choice';
	/** The choices a candidate can get on this session's ballot, in the order the ballot shows them. */
	choices(rules: VotingRules): readonly BallotChoice[];
	/** Reads the cast form's entries (`candidate` for ticks, `choice-<candidateId>` otherwise). */
	readForm(form: FormData): FormReading;
	/** Checks a selection against the session's rules; an electronic ballot is refused, never void. */
	check(rules: VotingRules, candidateIds: readonly number[], selection: Selection): BallotCheck;
	/** Counts the ballots by this method's rule. `candidateIds` in ballot order. */
	tally(
		rules: VotingRules,
		candidateIds: readonly number[],
		ballots: readonly BallotContent[],
		turnout: Turnout
	): SessionTally;
	/** Paper ballots typed in by staff; null where the method has no paper channel. */
	readonly paper: PaperNotation | null;
	/**
	 * The results table: votes for (with the threshold and outcome), the same with against and
	 * abstain columns, or each project's grade.
	 */
	readonly resultsTable: 'votes_for' | 'for_against_abstain' | 'grades';
}
