// Reading a batch of paper ballots as staff type them in, one ballot per line, and applying
// the counting rule that a ballot marking more than N is void (无效票).
//   approval:            the ballot numbers of the ticked candidates, e.g. "3 7 12" (、，, also separate);
//                        "空白" / "blank" for a ballot that ticks nobody
//   for/against/abstain: one letter per candidate in ballot order: Y/N/A or 赞/反/弃, e.g. "YNAAY"
//   either method:       "作废" / "void" for a ballot the scrutineers found void for another reason
// Empty lines are ignored.
import type { BallotContent, BallotMethod, Choice } from './types';

export type PaperLineProblem =
	| { line: number; code: 'position_out_of_range'; value: string; candidates: number }
	| { line: number; code: 'duplicate_position'; value: string }
	| { line: number; code: 'unreadable'; value: string }
	| { line: number; code: 'wrong_length'; length: number; candidates: number };

export type PaperBatchReading =
	| { ok: true; ballots: BallotContent[]; voidCount: number; blankCount: number }
	| { ok: false; problems: PaperLineProblem[] };

const VOID_WORDS = new Set(['作废', '无效', 'void']);
const BLANK_WORDS = new Set(['空白', '空', 'blank']);
const LETTER_CHOICES: Record<string, Choice> = {
	y: 'for',
	赞: 'for',
	n: 'against',
	反: 'against',
	a: 'abstain',
	弃: 'abstain'
};

/** `candidateIds` in ballot order: position 1 is candidateIds[0]. */
export function readPaperBallots(
	method: BallotMethod,
	seats: number,
	candidateIds: readonly number[],
	text: string
): PaperBatchReading {
	const ballots: BallotContent[] = [];
	const problems: PaperLineProblem[] = [];
	let voidCount = 0;
	let blankCount = 0;
	const voidBallot = (): BallotContent => ({ isVoid: true, choices: [], channel: 'paper' });

	text.split(/\r?\n/).forEach((raw, index) => {
		const line = index + 1;
		const entry = raw.trim().toLowerCase();
		if (entry === '') return;
		if (VOID_WORDS.has(entry)) {
			voidCount += 1;
			ballots.push(voidBallot());
			return;
		}
		if (method === 'approval') {
			if (BLANK_WORDS.has(entry)) {
				blankCount += 1;
				ballots.push({ isVoid: false, choices: [], channel: 'paper' });
				return;
			}
			const tokens = entry.split(/[\s,，、;；]+/).filter(Boolean);
			const ticked = new Set<number>();
			for (const token of tokens) {
				if (!/^\d+$/.test(token)) return void problems.push({ line, code: 'unreadable', value: token });
				const position = Number(token);
				if (position < 1 || position > candidateIds.length) {
					return void problems.push({
						line,
						code: 'position_out_of_range',
						value: token,
						candidates: candidateIds.length
					});
				}
				if (ticked.has(position)) return void problems.push({ line, code: 'duplicate_position', value: token });
				ticked.add(position);
			}
			if (ticked.size > seats) {
				voidCount += 1;
				ballots.push(voidBallot());
				return;
			}
			const choices = [...ticked]
				.map((position) => ({ candidateId: candidateIds[position - 1] as number, choice: 'for' as const }))
				.sort((a, b) => a.candidateId - b.candidateId);
			ballots.push({ isVoid: false, choices, channel: 'paper' });
			return;
		}
		const letters = [...entry.replace(/[\s,，、]+/g, '')];
		if (letters.length !== candidateIds.length) {
			return void problems.push({
				line,
				code: 'wrong_length',
				length: letters.length,
				candidates: candidateIds.length
			});
		}
		const unreadable = letters.find((letter) => !(letter in LETTER_CHOICES));
		if (unreadable !== undefined) return void problems.push({ line, code: 'unreadable', value: unreadable });
		const choices = letters
			.map((letter, position) => ({
				candidateId: candidateIds[position] as number,
				choice: LETTER_CHOICES[letter] as Choice
			}))
			.sort((a, b) => a.candidateId - b.candidateId);
		if (choices.filter((entry) => entry.choice === 'for').length > seats) {
			voidCount += 1;
			ballots.push(voidBallot());
			return;
		}
		ballots.push({ isVoid: false, choices, channel: 'paper' });
	});

	return problems.length > 0 ? { ok: false, problems } : { ok: true, ballots, voidCount, blankCount };
}

/** The delegates a batch covers: one username or delegate number per line (also separated by commas or spaces). */
export function readDelegateReferences(text: string): string[] {
	return [
		...new Set(
			text
				.split(/[\s,，、;；]+/)
				.map((reference) => reference.trim())
				.filter(Boolean)
		)
	];
}

/**
 * A ballot as staff typed it (the inverse of readPaperBallots), for the scrutineers to compare a
 * pending batch with the paper: ballot numbers of the ticks ("空白" for none), one letter per
 * candidate for for/against/abstain (Y/N/A), "作废" for a void ballot.
 */
export function formatPaperBallot(
	method: BallotMethod,
	candidateIds: readonly number[],
	ballot: BallotContent
): string {
	if (ballot.isVoid) return '作废';
	const choiceOf = new Map(ballot.choices.map((entry) => [entry.candidateId, entry.choice]));
	if (method === 'approval') {
		const positions = candidateIds
			.map((candidateId, index) => (choiceOf.get(candidateId) === 'for' ? index + 1 : null))
			.filter((position) => position !== null);
		return positions.length === 0 ? '空白' : positions.join(' ');
	}
	const letters: Record<string, string> = { for: 'Y', against: 'N', abstain: 'A' };
	return candidateIds.map((candidateId) => letters[choiceOf.get(candidateId) ?? ''] ?? '?').join('');
}
