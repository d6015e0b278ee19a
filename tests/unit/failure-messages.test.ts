// Every failure code a service returns has a message in each language, in its area's one module
// (src/lib/catalog-messages.ts, residents-messages.ts, electorate-messages.ts, and the voting
// area's cast-, paper- and lifecycle-messages.ts). A code without a message does not compile (the
// maps are typed by the codes, and so are the samples below); a message without its English or
// Chinese text fails here: Paraglide would show the other language instead.
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG_PROBLEM_MESSAGES, catalogProblemMessage } from '../../src/lib/catalog-messages';
import type { BallotProblem } from '../../src/lib/domain/methods/method';
import type { SupportFailure } from '../../src/lib/domain/selection';
import { CHECK_IN_MESSAGES, ELECTORATE_CHANGE_MESSAGES, PRESENCE_MESSAGES } from '../../src/lib/electorate-messages';
import { messageByKey, type MessageKey } from '../../src/lib/i18n';
import { m } from '../../src/lib/paraglide/messages';
import { overwriteGetLocale } from '../../src/lib/paraglide/runtime';
import {
	MOBILE_CODE_MESSAGES,
	PROPOSAL_PROBLEM_MESSAGES,
	REVIEW_PROBLEM_MESSAGES,
	ROUND_PROBLEM_MESSAGES,
	supportFailureMessage
} from '../../src/lib/residents-messages';
import { castErrorMessage } from '../../src/lib/server/voting/cast-messages';
import type { CastError } from '../../src/lib/server/voting/casting';
import { lifecycleRefusal } from '../../src/lib/server/voting/lifecycle-messages';
import type { PaperBatchError } from '../../src/lib/server/voting/paper';
import {
	paperBatchErrorMessage,
	paperKeyingMessages,
	type PaperKeyingFailure
} from '../../src/lib/server/voting/paper-messages';
import type { LifecycleError } from '../../src/lib/server/voting/sessions';

/** One sample (or several) of each code of a union of failures: a missing code does not compile. */
type Samples<F extends { code: string }> = { [C in F['code']]: Extract<F, { code: C }>[] };

function rendered(locale: 'zh-CN' | 'en', render: () => string): string {
	overwriteGetLocale(() => locale);
	return render();
}

/** The message exists in both languages, Chinese in Chinese, and English is not the Chinese text. */
function expectBothLanguages(label: string, render: () => string): void {
	const zh = rendered('zh-CN', render);
	const en = rendered('en', render);
	expect(zh, label).toMatch(/\p{Script=Han}/u);
	expect(en.trim(), label).not.toBe('');
	expect(en, `${label}: the English text is the Chinese one`).not.toBe(zh);
	expect(zh, `${label}: no such message`).not.toBe(rendered('zh-CN', () => m.error_unexpected()));
}

function expectKeysInBothLanguages(area: string, messages: Record<string, MessageKey>): void {
	for (const [code, key] of Object.entries(messages)) {
		expect(typeof m[key], `${area}.${code}: ${key}`).toBe('function');
		expectBothLanguages(`${area}.${code}`, () =>
			messageByKey(key, { ids: '#1', sessions: '测试', minutes: 3, attempts: 2 })
		);
	}
}

afterEach(() => overwriteGetLocale(() => 'zh-CN'));

describe('the catalog', () => {
	it('has each problem in both languages, naming the sessions where it names any', () => {
		for (const problem of Object.keys(CATALOG_PROBLEM_MESSAGES) as (keyof typeof CATALOG_PROBLEM_MESSAGES)[])
			expectBothLanguages(problem, () => catalogProblemMessage(problem, ['2022 年票决']));
		expect(rendered('en', () => catalogProblemMessage('frozen', ['Vote 2022', 'Vote 2023']))).toContain(
			'Vote 2022、Vote 2023'
		);
	});
});

describe('residents', () => {
	it('has each proposal, review, round, mobile-code and support failure in both languages', () => {
		expectKeysInBothLanguages('proposal', PROPOSAL_PROBLEM_MESSAGES);
		expectKeysInBothLanguages('review', REVIEW_PROBLEM_MESSAGES);
		expectKeysInBothLanguages('round', ROUND_PROBLEM_MESSAGES);
		expectKeysInBothLanguages('mobile code', MOBILE_CODE_MESSAGES);
		const supports: Samples<SupportFailure> = {
			unknown_candidate: [{ code: 'unknown_candidate' }],
			duplicate_candidate: [{ code: 'duplicate_candidate' }],
			over_limit: [{ code: 'over_limit', chosen: 4, limit: 3 }],
			not_found: [{ code: 'not_found' }],
			not_open: [{ code: 'not_open' }],
			not_resident: [{ code: 'not_resident' }],
			not_eligible: [
				{ code: 'not_eligible', eligibility: 'phone' },
				{ code: 'not_eligible', eligibility: 'identity' }
			]
		};
		for (const failure of Object.values(supports).flat()) {
			const { key, inputs } = supportFailureMessage(failure);
			expectBothLanguages(`support.${failure.code}`, () => messageByKey(key, inputs));
		}
		const { key, inputs } = supportFailureMessage({ code: 'over_limit', chosen: 4, limit: 3 });
		expect(rendered('zh-CN', () => messageByKey(key, inputs))).toContain('4');
	});
});

describe('the electorate', () => {
	it('has each enrolment and check-in failure in both languages', () => {
		expectKeysInBothLanguages('electorate', ELECTORATE_CHANGE_MESSAGES);
		expectKeysInBothLanguages('presence', PRESENCE_MESSAGES);
		expectKeysInBothLanguages('check-in', CHECK_IN_MESSAGES);
	});
});

describe('voting', () => {
	it('has each refusal of a cast in both languages, every ballot problem included', () => {
		const ballotProblems: Samples<BallotProblem> = {
			unknown_candidate: [{ code: 'unknown_candidate', candidateId: 9 }],
			duplicate_candidate: [{ code: 'duplicate_candidate', candidateId: 9 }],
			over_limit: [{ code: 'over_limit', marked: 11, seats: 10 }],
			missing_choice: [
				{ code: 'missing_choice', candidateIds: [1, 2] },
				{ code: 'missing_choice', candidateIds: [1, 2], evaluation: true }
			],
			choice_not_allowed: [{ code: 'choice_not_allowed', candidateId: 9 }]
		};
		const casts: Samples<CastError> = {
			session_not_found: [{ code: 'session_not_found' }],
			not_open: [
				{ code: 'not_open', status: 'draft', reason: 'not_yet_open' },
				{ code: 'not_open', status: 'closed', reason: 'closed' }
			],
			not_enrolled: [{ code: 'not_enrolled' }],
			not_checked_in: [{ code: 'not_checked_in' }],
			outside_hall_network: [{ code: 'outside_hall_network' }],
			already_voted: [{ code: 'already_voted' }],
			invalid_ballot: Object.values(ballotProblems)
				.flat()
				.map((problem) => ({ code: 'invalid_ballot' as const, problem }))
		};
		for (const error of Object.values(casts).flat())
			expectBothLanguages(`cast.${error.code}`, () => castErrorMessage(error));
	});

	it('has each refusal of a paper batch in both languages', () => {
		const batches: Samples<PaperBatchError> = {
			session_not_found: [{ code: 'session_not_found' }],
			not_open: [{ code: 'not_open', status: 'closed' }],
			unknown_delegates: [{ code: 'unknown_delegates', references: ['d1', 'd2'] }],
			already_voted: [
				{ code: 'already_voted', references: ['d1'] },
				{ code: 'already_voted', references: [] }
			],
			not_checked_in: [{ code: 'not_checked_in', references: ['d1'] }],
			count_mismatch: [{ code: 'count_mismatch', delegates: 2, ballots: 3 }],
			no_scrutineer: [{ code: 'no_scrutineer' }],
			too_few_scrutineers: [{ code: 'too_few_scrutineers' }],
			not_scrutineers: [{ code: 'not_scrutineers' }],
			empty: [{ code: 'empty' }],
			keying_gone: [{ code: 'keying_gone' }],
			same_keyer: [{ code: 'same_keyer' }]
		};
		for (const error of Object.values(batches).flat())
			expectBothLanguages(`paper.${error.code}`, () => paperBatchErrorMessage(error));
	});

	it('has each refusal of a keying of paper ballots (first or second) in both languages', () => {
		const keyings: { [E in PaperKeyingFailure['error']]: (PaperKeyingFailure & { error: E })[] } = {
			not_open: [{ ok: false, error: 'not_open' }],
			empty: [{ ok: false, error: 'empty' }],
			unreadable: [{ ok: false, error: 'unreadable', problems: [{ code: 'unreadable', line: 2, value: 'x' }] }],
			not_found: [{ ok: false, error: 'not_found' }],
			same_person: [{ ok: false, error: 'same_person' }],
			mismatch: [
				{
					ok: false,
					error: 'mismatch',
					mismatches: [{ row: 1, position: 2, first: 'for', second: 'against' }]
				}
			],
			batch: [{ ok: false, error: 'batch', batchError: { code: 'same_keyer' } }]
		};
		for (const failure of Object.values(keyings).flat()) {
			const messages = paperKeyingMessages(failure);
			expect(messages.length, `keying.${failure.error}`).toBeGreaterThan(0);
			messages.forEach((_, index) =>
				expectBothLanguages(`keying.${failure.error}`, () => paperKeyingMessages(failure)[index]!)
			);
		}
		expect(
			rendered('en', () => paperKeyingMessages(keyings.mismatch[0]!)[0]!),
			'the mismatch says how many cells differ'
		).toContain('1');
	});

	it('has each reason a session cannot move on in both languages', () => {
		const errors: Record<LifecycleError, true> = {
			not_found: true,
			wrong_status: true,
			no_candidates: true,
			no_electorate: true,
			seats_not_below_candidates: true,
			not_confirmed: true,
			publisher_confirmed: true,
			publisher_not_staff: true,
			below_quorum: true,
			vote_void: true,
			tally_mismatch: true,
			paper_batch_pending: true,
			rules_not_adopted: true,
			review_not_recorded: true,
			scrutineers_not_named: true,
			scrutineer_not_enrolled: true,
			ratio_needs_confirmation: true,
			announcement_number_taken: true
		};
		for (const error of Object.keys(errors) as LifecycleError[])
			expectBothLanguages(`lifecycle.${error}`, () =>
				lifecycleRefusal({
					ok: false,
					error,
					quorum: { rule: 'two_thirds', enrolled: 444, present: 280, needed: 297, met: false, missing: 17 }
				})
			);
	});
});
