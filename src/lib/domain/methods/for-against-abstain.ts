// For / against / abstain (赞成 / 反对 / 弃权): a choice for every candidate, at most N "for"; the
// candidates are ranked by votes for over the threshold. A paper ballot is typed as one letter per
// candidate in ballot order: Y/N/A or 赞/反/弃 ("YNAAY").
import { z } from 'zod';
import { tallyBallots } from '../counting';
import { CHOICES, type Choice } from '../types';
import type { BallotMethodModule, PaperLineReading } from './method';
import { WRONG_METHOD, ballotOfChoicePerCandidate, readChoicePerCandidate } from './choice-per-candidate';

const choiceSchema = z.enum(CHOICES, { error: 'error_choice_invalid' });
const PERMITTED = new Set<string>(CHOICES);
const LETTER_CHOICES: Record<string, Choice> = {
	y: 'for',
	赞: 'for',
	n: 'against',
	反: 'against',
	a: 'abstain',
	弃: 'abstain'
};
const CHOICE_LETTERS: Record<string, string> = { for: 'Y', against: 'N', abstain: 'A' };

export const forAgainstAbstain: BallotMethodModule = {
	name: 'for_against_abstain',
	purpose: 'vote',
	ballotForm: 'one_choice',
	choices: () => CHOICES,
	readForm(form) {
		const read = readChoicePerCandidate(form, choiceSchema);
		return read.ok ? { ok: true, selection: { method: 'for_against_abstain', choices: read.choices } } : read;
	},
	check(rules, candidateIds, selection) {
		if (selection.method !== 'for_against_abstain') return WRONG_METHOD;
		const checked = ballotOfChoicePerCandidate(candidateIds, selection.choices, PERMITTED);
		if (!checked.ok) return checked;
		const marked = checked.ballot.choices.filter((entry) => entry.choice === 'for').length;
		if (marked > rules.seats) return { ok: false, problem: { code: 'over_limit', marked, seats: rules.seats } };
		return checked;
	},
	tally: tallyBallots,
	paper: {
		readLine(entry, line, seats, candidateIds): PaperLineReading {
			const letters = [...entry.replace(/[\s,，、]+/g, '')];
			if (letters.length !== candidateIds.length)
				return {
					ok: false,
					problem: { line, code: 'wrong_length', length: letters.length, candidates: candidateIds.length }
				};
			const unreadable = letters.find((letter) => !(letter in LETTER_CHOICES));
			if (unreadable !== undefined) return { ok: false, problem: { line, code: 'unreadable', value: unreadable } };
			const choices = letters
				.map((letter, position) => ({
					candidateId: candidateIds[position] as number,
					choice: LETTER_CHOICES[letter] as Choice
				}))
				.sort((a, b) => a.candidateId - b.candidateId);
			// More "for" than seats: the ballot is void (无效票), counted as such.
			if (choices.filter((choice) => choice.choice === 'for').length > seats)
				return { ok: true, blank: false, ballot: { isVoid: true, choices: [], channel: 'paper' } };
			return { ok: true, blank: false, ballot: { isVoid: false, choices, channel: 'paper' } };
		},
		format(candidateIds, ballot) {
			const choiceOf = new Map(ballot.choices.map((entry) => [entry.candidateId, entry.choice]));
			return candidateIds.map((candidateId) => CHOICE_LETTERS[choiceOf.get(candidateId) ?? ''] ?? '?').join('');
		}
	},
	resultsTable: 'for_against_abstain'
};
