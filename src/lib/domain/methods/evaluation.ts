// The satisfaction evaluation (满意度测评): a choice for every delivered project among 满意 /
// 基本满意 / 不满意 (and 弃权 where the session allows it); each project graded over all entitled
// members (satisfaction.ts). No seats, no paper channel.
import { z } from 'zod';
import { tallyEvaluation } from '../satisfaction';
import { EVALUATION_CHOICES } from '../types';
import type { BallotMethodModule } from './method';
import { WRONG_METHOD, ballotOfChoicePerCandidate, readChoicePerCandidate } from './choice-per-candidate';

const evaluationChoiceSchema = z.enum(EVALUATION_CHOICES, { error: 'error_choice_invalid' });

export const evaluation: BallotMethodModule = {
	name: 'evaluation',
	purpose: 'evaluation',
	ballotForm: 'one_choice',
	choices: (rules) => EVALUATION_CHOICES.filter((choice) => choice !== 'abstain' || rules.allowAbstain),
	readForm(form) {
		const read = readChoicePerCandidate(form, evaluationChoiceSchema);
		return read.ok ? { ok: true, selection: { method: 'evaluation', choices: read.choices } } : read;
	},
	check(rules, projectIds, selection) {
		if (selection.method !== 'evaluation') return WRONG_METHOD;
		return ballotOfChoicePerCandidate(projectIds, selection.choices, new Set<string>(evaluation.choices(rules)), true);
	},
	tally: tallyEvaluation,
	paper: null,
	resultsTable: 'grades'
};
