// The registry of ballot methods: a method's name (stored in voting_session.ballot_method) to its
// module. Adding a method is one module (see method.ts for what it gives) plus its name here, in
// the schema's check constraint and in types.ts, and its messages.
import type { SessionTally } from '../tally';
import type { Turnout } from '../counting';
import type { BallotContent, SessionMethod, VotingRules } from '../types';
import { approval } from './approval';
import { evaluation } from './evaluation';
import { forAgainstAbstain } from './for-against-abstain';
import type { BallotCheck, BallotMethodModule, FormReading, PaperLineProblem, Selection } from './method';

export type {
	BallotCheck,
	BallotMethodModule,
	BallotProblem,
	FormReading,
	PaperLineProblem,
	Selection
} from './method';

const METHODS: Record<SessionMethod, BallotMethodModule> = {
	approval,
	for_against_abstain: forAgainstAbstain,
	evaluation
};

export function methodOf(name: SessionMethod): BallotMethodModule {
	const method = METHODS[name];
	if (!method) throw new Error(`no ballot method called ${String(name)}`);
	return method;
}

/** Whether a session (by its rules) is an evaluation (测评) rather than a vote. */
export function isEvaluation(rules: Pick<VotingRules, 'ballotMethod'>): boolean {
	return methodOf(rules.ballotMethod).purpose === 'evaluation';
}

/** Validates a selection for a session whose candidates are `candidateIds`, by the session's method. */
export function checkBallot(rules: VotingRules, candidateIds: readonly number[], selection: Selection): BallotCheck {
	return methodOf(rules.ballotMethod).check(rules, candidateIds, selection);
}

/** Reads a cast form by the session's method. */
export function parseCastForm(method: SessionMethod, form: FormData): FormReading {
	return methodOf(method).readForm(form);
}

/** Counts a session's ballots by its method: the closing transaction, `tally --verify`, pages and exports. */
export function countSession(
	rules: VotingRules,
	candidateIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
): SessionTally {
	return methodOf(rules.ballotMethod).tally(rules, candidateIds, ballots, turnout);
}

export type PaperBatchReading =
	| { ok: true; ballots: BallotContent[]; voidCount: number; blankCount: number }
	| { ok: false; problems: PaperLineProblem[] };

const VOID_WORDS = new Set(['作废', '无效', 'void']);

/**
 * Reads a batch of paper ballots as staff type them, one ballot per line in the method's notation;
 * "作废" / "void" for a ballot the scrutineers found void for another reason; empty lines ignored.
 * `candidateIds` in ballot order: position 1 is candidateIds[0].
 */
export function readPaperBallots(
	method: SessionMethod,
	seats: number,
	candidateIds: readonly number[],
	text: string
): PaperBatchReading {
	const notation = methodOf(method).paper;
	if (!notation) throw new Error(`the method ${method} has no paper ballots`);
	const ballots: BallotContent[] = [];
	const problems: PaperLineProblem[] = [];
	let voidCount = 0;
	let blankCount = 0;
	text.split(/\r?\n/).forEach((raw, index) => {
		const entry = raw.trim().toLowerCase();
		if (entry === '') return;
		if (VOID_WORDS.has(entry)) {
			voidCount += 1;
			ballots.push({ isVoid: true, choices: [], channel: 'paper' });
			return;
		}
		const reading = notation.readLine(entry, index + 1, seats, candidateIds);
		if (!reading.ok) return void problems.push(reading.problem);
		if (reading.ballot.isVoid) voidCount += 1;
		if (reading.blank) blankCount += 1;
		ballots.push(reading.ballot);
	});
	return problems.length > 0 ? { ok: false, problems } : { ok: true, ballots, voidCount, blankCount };
}

/** A paper ballot as staff typed it (the inverse of readPaperBallots), for the scrutineers to compare. */
export function formatPaperBallot(
	method: SessionMethod,
	candidateIds: readonly number[],
	ballot: BallotContent
): string {
	if (ballot.isVoid) return '作废';
	const notation = methodOf(method).paper;
	if (!notation) throw new Error(`the method ${method} has no paper ballots`);
	return notation.format(candidateIds, ballot);
}
