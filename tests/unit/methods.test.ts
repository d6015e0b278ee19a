// The registry of ballot methods: every method the schema knows has a module, and each module's
// parts agree with each other — what its form reads, its check accepts and its count counts as
// valid; what its paper notation reads, it writes back the same.
import { describe, expect, it } from 'vitest';
import { countSession, methodOf, readPaperBallots, formatPaperBallot } from '../../src/lib/domain/methods';
import type { Selection } from '../../src/lib/domain/methods';
import { BALLOT_METHODS, EVALUATION_METHOD, type SessionMethod, type VotingRules } from '../../src/lib/domain/types';

const ALL_METHODS: SessionMethod[] = [...BALLOT_METHODS, EVALUATION_METHOD];
const candidateIds = [21, 22, 23, 24];

function rulesOf(method: SessionMethod): VotingRules {
	return methodOf(method).purpose === 'evaluation'
		? { ballotMethod: method, seats: 0, thresholdBase: 'enrolled', allowAbstain: true }
		: { ballotMethod: method, seats: 2, thresholdBase: 'enrolled' };
}

/** A form as a delegate fills it for this method: two ticks, or the first allowed choice everywhere. */
function filledForm(method: SessionMethod): FormData {
	const module = methodOf(method);
	const form = new FormData();
	if (module.ballotForm === 'tick') for (const id of candidateIds.slice(0, 2)) form.append('candidate', String(id));
	else
		candidateIds.forEach((id, index) =>
			form.append(`choice-${id}`, index < 2 ? String(module.choices(rulesOf(method))[0]) : 'abstain')
		);
	return form;
}

describe('the ballot methods registry', () => {
	it('has a module for every method the schema knows, under its own name', () => {
		for (const method of ALL_METHODS) expect(methodOf(method).name).toBe(method);
		expect(() => methodOf('ranked' as SessionMethod)).toThrow(/no ballot method called ranked/);
	});

	it.each(ALL_METHODS)('%s: a filled form is read, checked and counted as one valid ballot', (method) => {
		const module = methodOf(method);
		const rules = rulesOf(method);
		const read = module.readForm(filledForm(method));
		expect(read.ok).toBe(true);
		const checked = module.check(rules, candidateIds, (read as { selection: Selection }).selection);
		expect(checked.ok).toBe(true);
		if (!checked.ok) throw new Error(checked.problem.code);
		const ballot = checked.ballot;
		const tally = countSession(rules, candidateIds, [ballot], { enrolled: 3, present: 3 });
		expect(tally.ballotMethod).toBe(method);
		expect(tally.validBallots).toBe(1);
		expect(tally.voidBallots).toBe(0);
	});

	it.each(ALL_METHODS)('%s: a selection made for another method is refused', (method) => {
		const other = ALL_METHODS.find((name) => name !== method)!;
		const read = methodOf(other).readForm(filledForm(other));
		if (!read.ok) throw new Error(read.error);
		expect(methodOf(method).check(rulesOf(method), candidateIds, read.selection)).toEqual({
			ok: false,
			problem: { code: 'choice_not_allowed', candidateId: 0 }
		});
	});

	it.each(ALL_METHODS.filter((method) => methodOf(method).paper))(
		'%s: paper ballots typed in are written back as they were typed',
		(method) => {
			const typed = method === 'approval' ? ['2 4', '空白', '作废'] : ['YNAA', 'NNNN', '作废'];
			const reading = readPaperBallots(method, 2, candidateIds, typed.join('\n'));
			if (!reading.ok) throw new Error(JSON.stringify(reading.problems));
			expect(reading.ballots.map((ballot) => formatPaperBallot(method, candidateIds, ballot))).toEqual(typed);
		}
	);

	it('the evaluation has no paper channel, and says so instead of reading a batch', () => {
		expect(methodOf(EVALUATION_METHOD).paper).toBeNull();
		expect(() => readPaperBallots(EVALUATION_METHOD, 0, candidateIds, '1')).toThrow(/no paper ballots/);
	});
});
