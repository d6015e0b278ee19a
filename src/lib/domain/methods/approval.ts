// Approval (差额票决 by ticks): tick at most N of the candidates; the candidates are ranked by ticks
// over the threshold. A paper ballot is typed as the ballot numbers of its ticks ("3 7 12",
// 、，, also separate), "空白" / "blank" for a ballot that ticks nobody.
import { z } from 'zod';
import { tallyBallots } from '../counting';
import { idSchema } from '../schemas';
import type { BallotMethodModule, PaperLineReading } from './method';
import { WRONG_METHOD } from './choice-per-candidate';

const BLANK_WORDS = new Set(['空白', '空', 'blank']);

export const approval: BallotMethodModule = {
	name: 'approval',
	purpose: 'vote',
	ballotForm: 'tick',
	choices: () => ['for'],
	readForm(form) {
		const parsed = z.array(idSchema).safeParse(form.getAll('candidate'));
		if (!parsed.success) return { ok: false, error: 'error_candidate_unknown' };
		return { ok: true, selection: { method: 'approval', candidateIds: parsed.data } };
	},
	check(rules, candidateIds, selection) {
		if (selection.method !== 'approval') return WRONG_METHOD;
		const allowed = new Set(candidateIds);
		const seen = new Set<number>();
		for (const candidateId of selection.candidateIds) {
			if (!allowed.has(candidateId)) return { ok: false, problem: { code: 'unknown_candidate', candidateId } };
			if (seen.has(candidateId)) return { ok: false, problem: { code: 'duplicate_candidate', candidateId } };
			seen.add(candidateId);
		}
		if (seen.size > rules.seats)
			return { ok: false, problem: { code: 'over_limit', marked: seen.size, seats: rules.seats } };
		const choices = [...seen].sort((a, b) => a - b).map((candidateId) => ({ candidateId, choice: 'for' as const }));
		return { ok: true, ballot: { isVoid: false, choices } };
	},
	tally: tallyBallots,
	paper: {
		readLine(entry, line, seats, candidateIds): PaperLineReading {
			if (BLANK_WORDS.has(entry))
				return { ok: true, blank: true, ballot: { isVoid: false, choices: [], channel: 'paper' } };
			const ticked = new Set<number>();
			for (const token of entry.split(/[\s,，、;；]+/).filter(Boolean)) {
				if (!/^\d+$/.test(token)) return { ok: false, problem: { line, code: 'unreadable', value: token } };
				const position = Number(token);
				if (position < 1 || position > candidateIds.length)
					return {
						ok: false,
						problem: { line, code: 'position_out_of_range', value: token, candidates: candidateIds.length }
					};
				if (ticked.has(position)) return { ok: false, problem: { line, code: 'duplicate_position', value: token } };
				ticked.add(position);
			}
			// More ticks than seats: the ballot is void (无效票), counted as such.
			if (ticked.size > seats)
				return { ok: true, blank: false, ballot: { isVoid: true, choices: [], channel: 'paper' } };
			const choices = [...ticked]
				.map((position) => ({ candidateId: candidateIds[position - 1] as number, choice: 'for' as const }))
				.sort((a, b) => a.candidateId - b.candidateId);
			return { ok: true, blank: false, ballot: { isVoid: false, choices, channel: 'paper' } };
		},
		format(candidateIds, ballot) {
			const ticked = new Set(
				ballot.choices.filter((entry) => entry.choice === 'for').map((entry) => entry.candidateId)
			);
			const positions = candidateIds
				.map((candidateId, index) => (ticked.has(candidateId) ? index + 1 : null))
				.filter((position) => position !== null);
			return positions.length === 0 ? '空白' : positions.join(' ');
		}
	},
	resultsTable: 'votes_for'
};
