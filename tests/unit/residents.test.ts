// The residents' pure rules: proposal statuses and who moves them, campaign and round phases,
// the search pattern, a resident's choice (at most K), the ranking and its top, and the forms.
import { describe, expect, it } from 'vitest';
import {
	campaignPhase,
	canTransition,
	containsPattern,
	nextStatuses,
	pageCount,
	PROPOSAL_STATUSES,
	transitionActor,
	type ProposalStatus
} from '../../src/lib/domain/proposals';
import {
	carryOverFormSchema,
	mergeFormSchema,
	parseProposalQuery,
	proposalFormSchema,
	registrationSchema,
	reviewFormSchema,
	roundFormSchema
} from '../../src/lib/domain/residents-schemas';
import type { ZodError } from 'zod';
import { fieldErrors } from '../../src/lib/domain/schemas';
import {
	checkSupportChoice,
	rankBySupports,
	resultsVisible,
	roundPhase,
	topOfRanking
} from '../../src/lib/domain/selection';

/** The message key per field of a refused parse (none when it passed). */
function errorsOf(result: { error?: ZodError }): Record<string, string> {
	return result.error ? fieldErrors(result.error) : {};
}

describe('proposal statuses', () => {
	it('allows exactly the moves submitted → under_review → accepted | merged | declined, and a draft’s submission', () => {
		const allowed: string[] = [];
		for (const from of PROPOSAL_STATUSES) {
			for (const to of PROPOSAL_STATUSES) {
				const actor = transitionActor(from, to);
				if (actor) allowed.push(`${from}→${to} by ${actor}`);
			}
		}
		expect(allowed.sort()).toEqual(
			[
				'draft→submitted by author',
				'submitted→under_review by staff',
				'under_review→accepted by staff',
				'under_review→merged by staff',
				'under_review→declined by staff'
			].sort()
		);
	});

	it('gives each move to one kind of actor only', () => {
		expect(canTransition('draft', 'submitted', 'author')).toBe(true);
		expect(canTransition('draft', 'submitted', 'staff')).toBe(false);
		expect(canTransition('submitted', 'under_review', 'author')).toBe(false);
		expect(canTransition('under_review', 'declined', 'author')).toBe(false);
		expect(canTransition('submitted', 'accepted', 'staff')).toBe(false); // no skipping the review
	});

	it('treats the decisions as final', () => {
		for (const final of ['accepted', 'merged', 'declined'] as ProposalStatus[]) expect(nextStatuses(final)).toEqual([]);
	});
});

describe('campaign and round phases', () => {
	const window = { opensAt: new Date('2025-07-01T00:00:00Z'), closesAt: new Date('2025-08-01T00:00:00Z') };

	it('opens at the opening (inclusive) and closes at the closing (exclusive)', () => {
		expect(campaignPhase(window, new Date('2025-06-30T23:59:59Z'))).toBe('upcoming');
		expect(campaignPhase(window, window.opensAt)).toBe('open');
		expect(campaignPhase(window, new Date('2025-07-31T23:59:59Z'))).toBe('open');
		expect(campaignPhase(window, window.closesAt)).toBe('closed');
		expect(roundPhase(window, window.closesAt)).toBe('closed');
	});

	it('shows a ranking live only when the round says so, and always after closing', () => {
		const during = new Date('2025-07-15T00:00:00Z');
		const after = new Date('2025-08-02T00:00:00Z');
		const before = new Date('2025-06-01T00:00:00Z');
		expect(resultsVisible({ ...window, liveRanking: false }, during)).toBe(false);
		expect(resultsVisible({ ...window, liveRanking: true }, during)).toBe(true);
		expect(resultsVisible({ ...window, liveRanking: false }, after)).toBe(true);
		expect(resultsVisible({ ...window, liveRanking: true }, before)).toBe(false);
	});
});

describe('search pattern', () => {
	it('matches Chinese text anywhere and escapes the wildcards of ILIKE', () => {
		expect(containsPattern('  养老  服务 ')).toBe('%养老 服务%');
		expect(containsPattern('100%_达标\\')).toBe('%100\\%\\_达标\\\\%');
		expect(containsPattern('   ')).toBeNull();
	});

	it('always has a first page', () => {
		expect(pageCount(0, 20)).toBe(1);
		expect(pageCount(20, 20)).toBe(1);
		expect(pageCount(21, 20)).toBe(2);
	});
});

describe('a resident’s choice in a round', () => {
	const round = [11, 12, 13, 14, 15];

	it('accepts up to K candidates of the round, each once', () => {
		expect(checkSupportChoice([], round, 2)).toBeNull();
		expect(checkSupportChoice([11, 15], round, 2)).toBeNull();
		expect(checkSupportChoice([11, 12, 13], round, 2)).toEqual({ code: 'over_limit', chosen: 3, limit: 2 });
		expect(checkSupportChoice([11, 11], round, 2)).toEqual({ code: 'duplicate_candidate' });
		expect(checkSupportChoice([99], round, 2)).toEqual({ code: 'unknown_candidate' });
	});
});

describe('ranking by supports', () => {
	const rows = [
		{ candidateId: 1, supports: 5, position: 1 },
		{ candidateId: 2, supports: 9, position: 2 },
		{ candidateId: 3, supports: 5, position: 3 },
		{ candidateId: 4, supports: 0, position: 4 },
		{ candidateId: 5, supports: 7, position: 5 }
	];

	it('ranks most supported first; equal supports share a rank, in list order', () => {
		expect(rankBySupports(rows).map((row) => [row.candidateId, row.rank])).toEqual([
			[2, 1],
			[5, 2],
			[1, 3],
			[3, 3],
			[4, 5]
		]);
	});

	it('carries the top N, and every candidate tied with the last of them', () => {
		const ranking = rankBySupports(rows);
		expect(topOfRanking(ranking, 2)).toEqual({ candidateIds: [2, 5], tiedAtCutoff: false });
		expect(topOfRanking(ranking, 3)).toEqual({ candidateIds: [2, 5, 1, 3], tiedAtCutoff: true });
		expect(topOfRanking(ranking, 10)).toEqual({ candidateIds: [2, 5, 1, 3, 4], tiedAtCutoff: false });
	});
});

describe('registration form', () => {
	const valid = {
		username: 'Wang.Fang',
		displayName: '',
		password: 'a long enough secret',
		passwordConfirm: 'a long enough secret',
		consent: 'yes'
	};

	it('names every rejected field', () => {
		const parsed = registrationSchema.safeParse({
			username: 'x',
			displayName: '',
			password: 'short',
			passwordConfirm: 'other',
			consent: ''
		});
		expect(parsed.success).toBe(false);
		expect(errorsOf(parsed)).toMatchObject({
			username: 'error_username_format',
			password: 'error_password_too_short',
			consent: 'verification_error_consent_required'
		});
		const mismatch = registrationSchema.safeParse({ ...valid, passwordConfirm: 'a long enough secreT' });
		expect(errorsOf(mismatch)).toEqual({ passwordConfirm: 'residents_error_password_mismatch' });
	});

	it('uses the username as the name when none is given; no mobile number at registration', () => {
		const parsed = registrationSchema.parse({ ...valid, mobile: '13812345678' });
		expect(parsed).toEqual({ username: 'Wang.Fang', displayName: 'Wang.Fang', password: valid.password });
	});
});

describe('proposal form', () => {
	const complete = {
		campaignId: '1',
		title: '老旧小区加装电梯',
		categoryId: '3',
		district: '椒江区',
		problem: '老人上下楼难',
		measure: '加装 50 部电梯',
		beneficiaries: '约 2000 户',
		estimatedCost: '1,200.5',
		contact: ''
	};

	it('saves a draft with only a title but submits only a complete proposal', () => {
		const draft = {
			...complete,
			categoryId: '',
			district: '',
			problem: '',
			measure: '',
			beneficiaries: '',
			estimatedCost: ''
		};
		expect(proposalFormSchema('draft').safeParse(draft).success).toBe(true);
		const refused = proposalFormSchema('submit').safeParse(draft);
		expect(Object.keys(errorsOf(refused)).sort()).toEqual([
			'beneficiaries',
			'categoryId',
			'district',
			'measure',
			'problem'
		]);
		expect(proposalFormSchema('draft').safeParse({ ...draft, title: ' ' }).success).toBe(false);
		// A bad cost does not hide the missing fields: every problem is named at once.
		const several = proposalFormSchema('submit').safeParse({ ...draft, estimatedCost: '很多' });
		expect(Object.keys(errorsOf(several)).sort()).toEqual([
			'beneficiaries',
			'categoryId',
			'district',
			'estimatedCost',
			'measure',
			'problem'
		]);
	});

	it('reads the rough cost in 万元 and stores yuan; refuses a district outside Taizhou', () => {
		const parsed = proposalFormSchema('submit').parse(complete);
		expect(parsed.estimatedCostYuan).toBe(12_005_000);
		expect(parsed.categoryId).toBe(3);
		const wrong = proposalFormSchema('submit').safeParse({ ...complete, district: '杭州市', estimatedCost: '十万' });
		expect(errorsOf(wrong)).toEqual({
			district: 'residents_error_district_required',
			estimatedCost: 'residents_error_cost_invalid'
		});
	});
});

describe('staff forms', () => {
	it('requires a reason to decline, not to start a review', () => {
		expect(reviewFormSchema.safeParse({ proposalIds: ['1'], action: 'start_review', reason: '' }).success).toBe(true);
		const decline = reviewFormSchema.safeParse({ proposalIds: ['1', '2'], action: 'decline', reason: '' });
		expect(errorsOf(decline)).toEqual({ reason: 'residents_error_reason_required' });
		const none = reviewFormSchema.safeParse({ proposalIds: [], action: 'accept', reason: '' });
		expect(errorsOf(none)).toEqual({ proposalIds: 'residents_error_no_proposals' });
	});

	it('merges into an existing candidate or a new one with a category and a title', () => {
		expect(
			mergeFormSchema.parse({ proposalIds: ['4'], target: 'existing', candidateId: '9', reason: '' }).target
		).toEqual({ kind: 'existing', candidateId: 9 });
		const created = mergeFormSchema.parse({
			proposalIds: ['4'],
			target: 'new',
			categoryId: '2',
			title: ' 新建养老中心 ',
			summary: ''
		});
		expect(created.target).toEqual({ kind: 'new', categoryId: 2, title: '新建养老中心', summary: '' });
		const missing = mergeFormSchema.safeParse({ proposalIds: ['4'], target: 'new', categoryId: '', title: '' });
		expect(missing.success).toBe(false);
	});

	it('refuses a round whose K is not below its number of candidates, or that closes before it opens', () => {
		const base = {
			title: '2025 网上评选',
			opensAt: '2025-09-01T09:00',
			closesAt: '2025-09-15T18:00',
			maxSupports: '3',
			liveRanking: 'on',
			candidateIds: ['1', '2', '3', '4']
		};
		const parsed = roundFormSchema.parse(base);
		expect(parsed.liveRanking).toBe(true);
		expect(parsed.opensAt.toISOString()).toBe('2025-09-01T01:00:00.000Z'); // Beijing time
		const tooMany = roundFormSchema.safeParse({ ...base, maxSupports: '4' });
		expect(errorsOf(tooMany)).toEqual({ maxSupports: 'residents_error_max_supports_not_below_candidates' });
		const several = roundFormSchema.safeParse({ ...base, title: '', opensAt: '', maxSupports: '4' });
		expect(errorsOf(several)).toEqual({
			title: 'residents_error_round_title_required',
			opensAt: 'residents_error_opens_required',
			maxSupports: 'residents_error_max_supports_not_below_candidates'
		});
		const backwards = roundFormSchema.safeParse({ ...base, closesAt: '2025-08-01T09:00' });
		expect(errorsOf(backwards)).toEqual({ closesAt: 'error_closes_before_opens' });
		expect(carryOverFormSchema.safeParse({ count: '5', title: 'x', year: '2026', seats: '5' }).success).toBe(false);
	});

	it('reads a list’s filters from the URL, ignoring what does not parse', () => {
		const query = parseProposalQuery(new URLSearchParams('q=养老&category=3&district=黄岩区&status=merged&page=2'), [
			'submitted',
			'merged'
		]);
		expect(query).toEqual({
			q: '养老',
			categoryId: 3,
			district: '黄岩区',
			status: 'merged',
			campaignId: null,
			page: 2
		});
		const junk = parseProposalQuery(new URLSearchParams('category=abc&district=北京&status=draft&page=-1'), [
			'submitted'
		]);
		expect(junk).toEqual({ q: '', categoryId: null, district: null, status: null, campaignId: null, page: 1 });
	});
});
