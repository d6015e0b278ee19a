// Checking a submitted ballot against the session's rules (docs/domain.md, "Ballot methods").
import { describe, expect, it } from 'vitest';
import { checkBallot, countFor, isVoidUnderRules, type Selection } from '../../src/lib/domain/ballot';
import { evaluationSessionFormSchema, idSchema, safeLocalPath } from '../../src/lib/domain/schemas';
import { parseCastForm } from '../../src/lib/domain/methods';
import type { BallotContent, Choice, VotingRules } from '../../src/lib/domain/types';

const approvalRules: VotingRules = { ballotMethod: 'approval', seats: 3, thresholdBase: 'enrolled' };
const faaRules: VotingRules = { ballotMethod: 'for_against_abstain', seats: 2, thresholdBase: 'enrolled' };
const session = [11, 12, 13, 14, 15];

function approval(...candidateIds: number[]): Selection {
	return { method: 'approval', candidateIds };
}

function faa(choices: Record<number, Choice>): Selection {
	return { method: 'for_against_abstain', choices };
}

function form(entries: ReadonlyArray<readonly [string, string]>): FormData {
	const data = new FormData();
	for (const [key, value] of entries) data.append(key, value);
	return data;
}

describe('checkBallot: approval, at most N', () => {
	it('accepts up to N ticks and returns a valid ballot of "for" choices sorted by candidate id', () => {
		const result = checkBallot(approvalRules, session, approval(14, 11, 13));
		expect(result).toEqual({
			ok: true,
			ballot: {
				isVoid: false,
				choices: [
					{ candidateId: 11, choice: 'for' },
					{ candidateId: 13, choice: 'for' },
					{ candidateId: 14, choice: 'for' }
				]
			}
		});
	});

	it('accepts fewer than N ticks', () => {
		const result = checkBallot(approvalRules, session, approval(15));
		expect(result).toEqual({ ok: true, ballot: { isVoid: false, choices: [{ candidateId: 15, choice: 'for' }] } });
	});

	it('accepts a blank ballot (valid, supports nobody)', () => {
		expect(checkBallot(approvalRules, session, approval())).toEqual({
			ok: true,
			ballot: { isVoid: false, choices: [] }
		});
	});

	it('refuses more than N ticks, saying how many were marked', () => {
		expect(checkBallot(approvalRules, session, approval(11, 12, 13, 14))).toEqual({
			ok: false,
			problem: { code: 'over_limit', marked: 4, seats: 3 }
		});
	});

	it('refuses a candidate outside the session', () => {
		expect(checkBallot(approvalRules, session, approval(11, 99))).toEqual({
			ok: false,
			problem: { code: 'unknown_candidate', candidateId: 99 }
		});
	});

	it('refuses the same candidate ticked twice (it would otherwise count twice)', () => {
		expect(checkBallot(approvalRules, session, approval(12, 13, 12))).toEqual({
			ok: false,
			problem: { code: 'duplicate_candidate', candidateId: 12 }
		});
	});

	it('refuses a duplicate even when the ballot would be within N only by counting the duplicate once', () => {
		// Three distinct plus one repeat: four marks on a three-seat ballot.
		const result = checkBallot(approvalRules, session, approval(11, 12, 13, 11));
		expect(result.ok).toBe(false);
	});

	it('refuses a for/against/abstain selection on an approval session', () => {
		const result = checkBallot(
			approvalRules,
			session,
			faa({ 11: 'for', 12: 'for', 13: 'for', 14: 'against', 15: 'abstain' })
		);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.problem.code).toBe('choice_not_allowed');
	});
});

describe('checkBallot: for/against/abstain, at most N "for"', () => {
	it('accepts a choice for every candidate, returned sorted by candidate id', () => {
		const result = checkBallot(faaRules, [13, 11, 12], faa({ 12: 'against', 13: 'for', 11: 'abstain' }));
		expect(result).toEqual({
			ok: true,
			ballot: {
				isVoid: false,
				choices: [
					{ candidateId: 11, choice: 'abstain' },
					{ candidateId: 12, choice: 'against' },
					{ candidateId: 13, choice: 'for' }
				]
			}
		});
	});

	it('accepts exactly N "for", and any number of against/abstain', () => {
		const result = checkBallot(
			faaRules,
			session,
			faa({ 11: 'for', 12: 'for', 13: 'against', 14: 'against', 15: 'against' })
		);
		expect(result.ok).toBe(true);
		if (result.ok) expect(countFor(result.ballot)).toBe(2);
	});

	it('accepts all abstain (a valid ballot supporting nobody)', () => {
		const result = checkBallot(
			faaRules,
			session,
			faa({ 11: 'abstain', 12: 'abstain', 13: 'abstain', 14: 'abstain', 15: 'abstain' })
		);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.ballot.choices).toHaveLength(5);
	});

	it('lists every candidate left without a choice', () => {
		expect(checkBallot(faaRules, session, faa({ 11: 'for', 13: 'against' }))).toEqual({
			ok: false,
			problem: { code: 'missing_choice', candidateIds: [12, 14, 15] }
		});
	});

	it('an empty selection lists the whole session as missing', () => {
		expect(checkBallot(faaRules, session, faa({}))).toEqual({
			ok: false,
			problem: { code: 'missing_choice', candidateIds: session }
		});
	});

	it('refuses more "for" than N, saying how many were marked', () => {
		expect(
			checkBallot(faaRules, session, faa({ 11: 'for', 12: 'for', 13: 'for', 14: 'against', 15: 'abstain' }))
		).toEqual({
			ok: false,
			problem: { code: 'over_limit', marked: 3, seats: 2 }
		});
	});

	it('refuses a choice for a candidate outside the session', () => {
		expect(
			checkBallot(
				faaRules,
				session,
				faa({ 11: 'for', 12: 'against', 13: 'against', 14: 'against', 15: 'abstain', 99: 'against' })
			)
		).toEqual({ ok: false, problem: { code: 'unknown_candidate', candidateId: 99 } });
	});

	it('refuses an approval selection on a for/against/abstain session', () => {
		const result = checkBallot(faaRules, session, approval(11));
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.problem.code).toBe('choice_not_allowed');
	});
});

describe('isVoidUnderRules', () => {
	const ballot = (isVoid: boolean, entries: ReadonlyArray<readonly [number, Choice]>): BallotContent => ({
		isVoid,
		choices: entries.map(([candidateId, choice]) => ({ candidateId, choice }))
	});

	it('a ballot declared void is void, even with no marks', () => {
		expect(isVoidUnderRules(approvalRules, ballot(true, []))).toBe(true);
		expect(isVoidUnderRules(approvalRules, ballot(true, [[11, 'for']]))).toBe(true);
	});

	it('approval: N ticks is valid, N + 1 is void, blank is valid', () => {
		expect(
			isVoidUnderRules(
				approvalRules,
				ballot(false, [
					[11, 'for'],
					[12, 'for'],
					[13, 'for']
				])
			)
		).toBe(false);
		expect(
			isVoidUnderRules(
				approvalRules,
				ballot(false, [
					[11, 'for'],
					[12, 'for'],
					[13, 'for'],
					[14, 'for']
				])
			)
		).toBe(true);
		expect(isVoidUnderRules(approvalRules, ballot(false, []))).toBe(false);
	});

	it('for/against/abstain: only "for" counts towards N', () => {
		const fiveMarksTwoFor = ballot(false, [
			[11, 'for'],
			[12, 'for'],
			[13, 'against'],
			[14, 'against'],
			[15, 'abstain']
		]);
		expect(isVoidUnderRules(faaRules, fiveMarksTwoFor)).toBe(false);
		const threeFor = ballot(false, [
			[11, 'for'],
			[12, 'for'],
			[13, 'for'],
			[14, 'against'],
			[15, 'abstain']
		]);
		expect(isVoidUnderRules(faaRules, threeFor)).toBe(true);
	});

	it('every ballot checkBallot accepts is valid when counted', () => {
		const accepted = [
			checkBallot(approvalRules, session, approval(11, 12, 13)),
			checkBallot(approvalRules, session, approval()),
			checkBallot(faaRules, session, faa({ 11: 'for', 12: 'for', 13: 'against', 14: 'abstain', 15: 'against' }))
		];
		for (const result of accepted) {
			expect(result.ok).toBe(true);
			if (result.ok) {
				const rules = result.ballot.choices.some((entry) => entry.choice !== 'for') ? faaRules : approvalRules;
				expect(isVoidUnderRules(rules, result.ballot)).toBe(false);
			}
		}
	});
});

describe('parseCastForm', () => {
	it('approval: reads repeated "candidate" fields as ids, in the order given', () => {
		const parsed = parseCastForm(
			'approval',
			form([
				['candidate', '14'],
				['candidate', '11'],
				['other', 'x']
			])
		);
		expect(parsed).toEqual({ ok: true, selection: { method: 'approval', candidateIds: [14, 11] } });
		// and the checked ballot is sorted
		if (parsed.ok) {
			const checked = checkBallot(approvalRules, session, parsed.selection);
			expect(checked.ok && checked.ballot.choices.map((entry) => entry.candidateId)).toEqual([11, 14]);
		}
	});

	it('approval: no "candidate" field is a blank selection', () => {
		expect(parseCastForm('approval', form([]))).toEqual({
			ok: true,
			selection: { method: 'approval', candidateIds: [] }
		});
	});

	it('approval: keeps a repeated id so that checkBallot can refuse the duplicate', () => {
		const parsed = parseCastForm(
			'approval',
			form([
				['candidate', '12'],
				['candidate', '12']
			])
		);
		expect(parsed).toEqual({ ok: true, selection: { method: 'approval', candidateIds: [12, 12] } });
		if (parsed.ok) {
			expect(checkBallot(approvalRules, session, parsed.selection)).toEqual({
				ok: false,
				problem: { code: 'duplicate_candidate', candidateId: 12 }
			});
		}
	});

	it.each(['abc', '', '0', '-3', '1.5', '12abc'])('approval: refuses the candidate id %j', (value) => {
		expect(
			parseCastForm(
				'approval',
				form([
					['candidate', '11'],
					['candidate', value]
				])
			)
		).toEqual({ ok: false, error: 'error_candidate_unknown' });
	});

	it('for/against/abstain: reads "choice-<id>" fields, ignoring other fields', () => {
		const parsed = parseCastForm(
			'for_against_abstain',
			form([
				['choice-11', 'for'],
				['choice-12', 'against'],
				['choice-13', 'abstain'],
				['candidate', '14'],
				['csrf', 'token']
			])
		);
		expect(parsed).toEqual({
			ok: true,
			selection: { method: 'for_against_abstain', choices: { 11: 'for', 12: 'against', 13: 'abstain' } }
		});
	});

	it('for/against/abstain: a parsed form with a candidate left out is refused by checkBallot, naming it', () => {
		const parsed = parseCastForm(
			'for_against_abstain',
			form([
				['choice-11', 'for'],
				['choice-12', 'against'],
				['choice-14', 'abstain'],
				['choice-15', 'abstain']
			])
		);
		expect(parsed.ok).toBe(true);
		if (parsed.ok) {
			expect(checkBallot(faaRules, session, parsed.selection)).toEqual({
				ok: false,
				problem: { code: 'missing_choice', candidateIds: [13] }
			});
		}
	});

	it.each(['yes', 'FOR', '', '赞成'])('for/against/abstain: refuses the choice value %j', (value) => {
		expect(
			parseCastForm(
				'for_against_abstain',
				form([
					['choice-11', 'for'],
					['choice-12', value]
				])
			)
		).toEqual({ ok: false, error: 'error_choice_invalid' });
	});

	it('for/against/abstain: refuses two choices for the same candidate', () => {
		expect(
			parseCastForm(
				'for_against_abstain',
				form([
					['choice-11', 'for'],
					['choice-11', 'against']
				])
			)
		).toEqual({ ok: false, error: 'error_choice_invalid' });
	});
});

describe('safeLocalPath', () => {
	it('keeps paths on this site and turns anything else into the home page', () => {
		expect(safeLocalPath('/vote/3?x=1')).toBe('/vote/3?x=1');
		for (const unsafe of [
			'//evil.example',
			'/\\evil.example',
			'https://evil.example',
			'vote',
			'',
			null,
			undefined,
			'/a b'
		]) {
			expect(safeLocalPath(unsafe), String(unsafe)).toBe('/');
		}
	});
});

describe('idSchema', () => {
	it('accepts plain positive whole numbers only', () => {
		expect(idSchema.parse('12')).toBe(12);
		expect(idSchema.parse(7)).toBe(7);
		for (const bad of ['0', '-1', '1.0', '1e0', '0x1', ' 1', '1 ', '01', 'abc', '', '9'.repeat(17), 1.5, -3, 0]) {
			expect(idSchema.safeParse(bad).success, String(bad)).toBe(false);
		}
	});
});

describe('checkBallot: an evaluation, a choice per project', () => {
	const evaluation = (allowAbstain: boolean): VotingRules => ({
		ballotMethod: 'evaluation',
		seats: 0,
		thresholdBase: 'enrolled',
		allowAbstain
	});
	const projects = [11, 12, 13];

	it('takes one answer per project, in project order', () => {
		const check = checkBallot(evaluation(false), projects, {
			method: 'evaluation',
			choices: { 13: 'unsatisfied', 11: 'satisfied', 12: 'basically_satisfied' }
		});
		expect(check).toEqual({
			ok: true,
			ballot: {
				isVoid: false,
				choices: [
					{ candidateId: 11, choice: 'satisfied' },
					{ candidateId: 12, choice: 'basically_satisfied' },
					{ candidateId: 13, choice: 'unsatisfied' }
				]
			}
		});
	});

	it('names the projects left without an answer', () => {
		expect(checkBallot(evaluation(false), projects, { method: 'evaluation', choices: { 12: 'satisfied' } })).toEqual({
			ok: false,
			problem: { code: 'missing_choice', candidateIds: [11, 13], evaluation: true }
		});
	});

	it('allows 弃权 only where the session offers it, and never a vote choice or a vote selection', () => {
		const withAbstain = {
			method: 'evaluation' as const,
			choices: { 11: 'abstain' as const, 12: 'satisfied' as const, 13: 'satisfied' as const }
		};
		expect(checkBallot(evaluation(true), projects, withAbstain).ok).toBe(true);
		expect(checkBallot(evaluation(false), projects, withAbstain)).toEqual({
			ok: false,
			problem: { code: 'choice_not_allowed', candidateId: 11 }
		});
		const forged = {
			method: 'evaluation',
			choices: { 11: 'for', 12: 'satisfied', 13: 'satisfied' }
		} as unknown as Selection;
		expect(checkBallot(evaluation(true), projects, forged)).toEqual({
			ok: false,
			problem: { code: 'choice_not_allowed', candidateId: 11 }
		});
		expect(checkBallot(evaluation(true), projects, { method: 'approval', candidateIds: [11] }).ok).toBe(false);
		expect(
			checkBallot(evaluation(true), projects, {
				method: 'evaluation',
				choices: { 99: 'satisfied', 11: 'satisfied', 12: 'satisfied', 13: 'satisfied' }
			})
		).toEqual({
			ok: false,
			problem: { code: 'unknown_candidate', candidateId: 99 }
		});
	});

	it('reads the evaluation form fields and refuses a vote word in them', () => {
		const form = new FormData();
		form.append('choice-11', 'basically_satisfied');
		expect(parseCastForm('evaluation', form)).toEqual({
			ok: true,
			selection: { method: 'evaluation', choices: { 11: 'basically_satisfied' } }
		});
		form.append('choice-12', 'for');
		expect(parseCastForm('evaluation', form)).toEqual({ ok: false, error: 'error_choice_invalid' });
	});
});

describe('Beijing times in the session forms', () => {
	it('refuses a day the month does not have instead of rolling it over', () => {
		const base = { title: 'x', year: '2022', allowAbstain: '', closesAt: '' };
		expect(evaluationSessionFormSchema.safeParse({ ...base, opensAt: '2022-02-31T10:00' }).success).toBe(false);
		expect(evaluationSessionFormSchema.safeParse({ ...base, opensAt: '2022-02-28T24:30' }).success).toBe(false);
		const parsed = evaluationSessionFormSchema.safeParse({ ...base, opensAt: '2024-02-29T09:00' });
		expect(parsed.success && parsed.data.opensAt?.toISOString()).toBe('2024-02-29T01:00:00.000Z');
	});
});
