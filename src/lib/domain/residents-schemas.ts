// Input schemas of the residents' area: registration, proposals, campaigns, the review, merging,
// selection rounds and carrying their results over. Each error message is a Paraglide message key
// (messages/residents, or the shared ones for usernames and passwords), translated where shown.
import { z } from 'zod';
import { idSchema, passwordSchema, usernameSchema, votingSessionFormSchema } from './schemas';
import { DEFAULT_ELIGIBILITY, ELIGIBILITIES, type Eligibility } from './verification';
import {
	DISTRICTS,
	REVIEW_ACTIONS,
	reasonRequired,
	type District,
	type ProposalStatus,
	type ReviewAction
} from './proposals';

/** Text from a form: a missing field reads as empty. */
const text = z
	.string()
	.nullish()
	.transform((value) => value ?? '');

/** Trimmed text of at most `max` characters; `required` names the message when it is empty. */
function boundedText(max: number, tooLong: string, required?: string) {
	const trimmed = z.string().trim();
	return text.pipe(
		required ? trimmed.min(1, { error: required }).max(max, { error: tooLong }) : trimmed.max(max, { error: tooLong })
	);
}

/** A datetime-local value read as Beijing time (the voting-session form's rule); empty means none. */
const beijingDateTime = votingSessionFormSchema.shape.opensAt;

// ---------------------------------------------------------------- registration

export const DISPLAY_NAME_MAX = 100;

/** A mainland mobile number; spaces, dashes and a leading +86 are dropped. Empty means none. */
export const mobileSchema = text.transform((value, context): string | null => {
	const digits = value.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
	if (digits === '') return null;
	if (!/^1[3-9]\d{9}$/.test(digits)) {
		context.addIssue({ code: 'custom', message: 'residents_error_mobile_format' });
		return z.NEVER;
	}
	return digits;
});

export const registrationSchema = z
	.object({
		username: usernameSchema,
		displayName: boundedText(DISPLAY_NAME_MAX, 'residents_error_display_name_too_long'),
		password: passwordSchema,
		passwordConfirm: z
			.string({ error: 'residents_error_password_confirm_required' })
			.min(1, { error: 'residents_error_password_confirm_required' }),
		// The privacy notice (what is collected, why, for how long) was read and accepted.
		consent: text.pipe(z.literal('yes', { error: 'verification_error_consent_required' }))
	})
	.superRefine(
		(form, context) => {
			if (
				typeof form.passwordConfirm === 'string' &&
				form.passwordConfirm !== '' &&
				form.passwordConfirm !== form.password
			) {
				context.addIssue({ code: 'custom', path: ['passwordConfirm'], message: 'residents_error_password_mismatch' });
			}
		},
		{ when: () => true } // also when other fields are refused, so every problem is named at once
	)
	.transform((form) => ({
		username: form.username,
		displayName: form.displayName || form.username,
		password: form.password
	}));
export type RegistrationForm = z.output<typeof registrationSchema>;
export const REGISTRATION_FIELDS = ['username', 'displayName', 'consent'] as const;

/** Asking for an SMS code: a number (required) and consent to the verification's processing. */
export const mobileCodeRequestSchema = z.object({
	mobile: mobileSchema.pipe(z.string({ error: 'verification_error_mobile_required' })),
	consent: text.pipe(z.literal('yes', { error: 'verification_error_consent_required' }))
});
export const MOBILE_REQUEST_FIELDS = ['mobile', 'consent'] as const;

// ---------------------------------------------------------------- proposals

export const PROPOSAL_TITLE_MAX = 100;
export const PROPOSAL_TEXT_MAX = 3000;
export const BENEFICIARIES_MAX = 1000;
export const CONTACT_MAX = 100;
export const REASON_MAX = 1000;
/** 1 亿万元 (one trillion yuan) at most, like candidate budgets. */
const COST_WAN_MAX = 100_000_000;

/** A rough cost in 万元 (ten thousand yuan), up to two decimals, stored in yuan. Empty means not estimated. */
export const costWanSchema = text.transform((value, context): number | null => {
	const cleaned = value.trim().replace(/[,，\s]/g, '');
	if (cleaned === '') return null;
	if (!/^\d+(\.\d{1,2})?$/.test(cleaned) || Number(cleaned) > COST_WAN_MAX) {
		context.addIssue({ code: 'custom', message: 'residents_error_cost_invalid' });
		return z.NEVER;
	}
	return Math.round(Number(cleaned) * 10_000);
});

/** A category id; empty is allowed in a draft (null) and refused on submission. */
function categoryIdSchema(required: boolean) {
	return text.transform((value, context): number | null => {
		if (value.trim() === '' && !required) return null;
		const parsed = idSchema.safeParse(value);
		if (!parsed.success) {
			context.addIssue({ code: 'custom', message: 'residents_error_category_required' });
			return z.NEVER;
		}
		return parsed.data;
	});
}

/** A district of Taizhou; empty is allowed in a draft (null) and refused on submission. */
function districtSchema(required: boolean) {
	return text.transform((value, context): District | null => {
		if (value === '' && !required) return null;
		if (!(DISTRICTS as readonly string[]).includes(value)) {
			context.addIssue({ code: 'custom', message: 'residents_error_district_required' });
			return z.NEVER;
		}
		return value as District;
	});
}

/**
 * A proposal form (field names as on the page; the cost typed in 万元). A draft needs a title; a
 * submitted proposal needs every field but the cost and the contact. Every field is checked at
 * once, so the form names each problem.
 */
export function proposalFormSchema(mode: 'draft' | 'submit') {
	const required = mode === 'submit';
	return z
		.object({
			campaignId: idSchema,
			title: boundedText(PROPOSAL_TITLE_MAX, 'residents_error_title_too_long', 'residents_error_title_required'),
			categoryId: categoryIdSchema(required),
			district: districtSchema(required),
			problem: boundedText(
				PROPOSAL_TEXT_MAX,
				'residents_error_text_too_long',
				required ? 'residents_error_problem_required' : undefined
			),
			measure: boundedText(
				PROPOSAL_TEXT_MAX,
				'residents_error_text_too_long',
				required ? 'residents_error_measure_required' : undefined
			),
			beneficiaries: boundedText(
				BENEFICIARIES_MAX,
				'residents_error_text_too_long',
				required ? 'residents_error_beneficiaries_required' : undefined
			),
			estimatedCost: costWanSchema,
			contact: boundedText(CONTACT_MAX, 'residents_error_contact_too_long')
		})
		.transform(({ estimatedCost, ...fields }) => ({ ...fields, estimatedCostYuan: estimatedCost }));
}
export type ProposalForm = z.output<ReturnType<typeof proposalFormSchema>>;
export const PROPOSAL_FIELDS = [
	'campaignId',
	'title',
	'categoryId',
	'district',
	'problem',
	'measure',
	'beneficiaries',
	'estimatedCost',
	'contact'
] as const;

// ---------------------------------------------------------------- campaigns

/** Run a form's cross-field checks even when some field was refused, so every problem is named at once. */
const EVERY_PROBLEM = { when: () => true };

/** A campaign's or a round's opening and closing: both given, the closing after the opening. */
function checkOpeningHours(form: { opensAt?: unknown; closesAt?: unknown }, context: z.RefinementCtx): void {
	if (form.opensAt === null)
		context.addIssue({ code: 'custom', path: ['opensAt'], message: 'residents_error_opens_required' });
	if (form.closesAt === null)
		context.addIssue({ code: 'custom', path: ['closesAt'], message: 'residents_error_closes_required' });
	if (form.opensAt instanceof Date && form.closesAt instanceof Date && form.closesAt <= form.opensAt) {
		context.addIssue({ code: 'custom', path: ['closesAt'], message: 'error_closes_before_opens' });
	}
}

export const campaignFormSchema = z
	.object({
		title: boundedText(200, 'residents_error_campaign_title_too_long', 'residents_error_campaign_title_required'),
		year: z.coerce
			.number({ error: 'error_year_invalid' })
			.int({ error: 'error_year_invalid' })
			.min(2000, { error: 'error_year_invalid' })
			.max(2100, { error: 'error_year_invalid' }),
		opensAt: beijingDateTime,
		closesAt: beijingDateTime,
		criteria: boundedText(5000, 'residents_error_criteria_too_long')
	})
	.superRefine(checkOpeningHours, EVERY_PROBLEM)
	.transform((form) => ({ ...form, opensAt: form.opensAt as Date, closesAt: form.closesAt as Date }));
export type CampaignForm = z.output<typeof campaignFormSchema>;
export const CAMPAIGN_FIELDS = ['title', 'year', 'opensAt', 'closesAt', 'criteria'] as const;

// ---------------------------------------------------------------- the review

const reasonSchema = boundedText(REASON_MAX, 'residents_error_reason_too_long');
const proposalIdsSchema = z
	.array(idSchema, { error: 'residents_error_no_proposals' })
	.min(1, { error: 'residents_error_no_proposals' });

export const reviewFormSchema = z
	.object({
		proposalIds: proposalIdsSchema,
		action: z.enum(Object.keys(REVIEW_ACTIONS) as [ReviewAction, ...ReviewAction[]], {
			error: 'residents_error_action_unknown'
		}),
		reason: reasonSchema
	})
	.superRefine((form, context) => {
		if (form.action in REVIEW_ACTIONS && reasonRequired(REVIEW_ACTIONS[form.action]) && form.reason === '') {
			context.addIssue({ code: 'custom', path: ['reason'], message: 'residents_error_reason_required' });
		}
	}, EVERY_PROBLEM);

export const hideFormSchema = z.object({
	reason: boundedText(REASON_MAX, 'residents_error_reason_too_long', 'residents_error_hide_reason_required')
});

/** Merging into an existing candidate (`candidateId`) or into a new one (category, title, summary). */
export const mergeFormSchema = z
	.object({
		proposalIds: proposalIdsSchema,
		target: z.enum(['existing', 'new'], { error: 'residents_error_merge_target_required' }),
		candidateId: text,
		categoryId: text,
		title: boundedText(200, 'catalog_error_title_too_long'),
		summary: boundedText(2000, 'catalog_error_summary_too_long'),
		reason: reasonSchema
	})
	.transform((form, context) => {
		const base = { proposalIds: form.proposalIds, reason: form.reason };
		if (form.target === 'existing') {
			const candidateId = idSchema.safeParse(form.candidateId);
			if (!candidateId.success) {
				context.addIssue({
					code: 'custom',
					path: ['candidateId'],
					message: 'residents_error_merge_candidate_required'
				});
				return z.NEVER;
			}
			return { ...base, target: { kind: 'existing' as const, candidateId: candidateId.data } };
		}
		const categoryId = idSchema.safeParse(form.categoryId);
		if (!categoryId.success)
			context.addIssue({ code: 'custom', path: ['categoryId'], message: 'residents_error_category_required' });
		if (form.title === '')
			context.addIssue({ code: 'custom', path: ['title'], message: 'catalog_error_title_required' });
		if (!categoryId.success || form.title === '') return z.NEVER;
		return {
			...base,
			target: { kind: 'new' as const, categoryId: categoryId.data, title: form.title, summary: form.summary }
		};
	});
export type MergeForm = z.output<typeof mergeFormSchema>;

// ---------------------------------------------------------------- selection rounds

export const MAX_SUPPORTS_LIMIT = 100;

export const roundFormSchema = z
	.object({
		title: boundedText(200, 'residents_error_round_title_too_long', 'residents_error_round_title_required'),
		opensAt: beijingDateTime,
		closesAt: beijingDateTime,
		maxSupports: z.coerce
			.number({ error: 'residents_error_max_supports_invalid' })
			.int({ error: 'residents_error_max_supports_invalid' })
			.min(1, { error: 'residents_error_max_supports_invalid' })
			.max(MAX_SUPPORTS_LIMIT, { error: 'residents_error_max_supports_invalid' }),
		liveRanking: text.transform((value) => value === 'on' || value === 'true'),
		// Who may support; a form without the field gets the default (phone-verified residents).
		eligibility: text.transform((value, context): Eligibility => {
			if (value === '') return DEFAULT_ELIGIBILITY;
			if (!(ELIGIBILITIES as readonly string[]).includes(value)) {
				context.addIssue({ code: 'custom', message: 'verification_error_eligibility_unknown' });
				return z.NEVER;
			}
			return value as Eligibility;
		}),
		candidateIds: z
			.array(idSchema, { error: 'residents_error_round_candidates_required' })
			.min(2, { error: 'residents_error_round_candidates_required' })
	})
	.superRefine((form, context) => {
		checkOpeningHours(form, context);
		if (!Array.isArray(form.candidateIds)) return;
		if (new Set(form.candidateIds).size !== form.candidateIds.length) {
			context.addIssue({
				code: 'custom',
				path: ['candidateIds'],
				message: 'residents_error_round_candidates_required'
			});
		} else if (typeof form.maxSupports === 'number' && form.maxSupports >= form.candidateIds.length) {
			context.addIssue({
				code: 'custom',
				path: ['maxSupports'],
				message: 'residents_error_max_supports_not_below_candidates'
			});
		}
	}, EVERY_PROBLEM)
	.transform((form) => ({ ...form, opensAt: form.opensAt as Date, closesAt: form.closesAt as Date }));
export type RoundForm = z.output<typeof roundFormSchema>;
export const ROUND_FIELDS = ['title', 'opensAt', 'closesAt', 'maxSupports', 'liveRanking', 'eligibility'] as const;

/** A resident's choice in a round: repeated `candidate` fields (none withdraws every support). */
export const supportFormSchema = z.array(idSchema, { error: 'error_candidate_unknown' });

/** Carrying the top of a round's ranking into a new voting-session draft. */
export const carryOverFormSchema = z
	.object({
		count: z.coerce
			.number({ error: 'residents_error_carry_count_invalid' })
			.int({ error: 'residents_error_carry_count_invalid' })
			.min(2, { error: 'residents_error_carry_count_invalid' })
			.max(1000, { error: 'residents_error_carry_count_invalid' }),
		title: votingSessionFormSchema.shape.title,
		year: votingSessionFormSchema.shape.year,
		seats: votingSessionFormSchema.shape.seats
	})
	.superRefine((form, context) => {
		if (typeof form.seats === 'number' && typeof form.count === 'number' && form.seats >= form.count) {
			context.addIssue({ code: 'custom', path: ['seats'], message: 'error_seats_not_below_candidates' });
		}
	}, EVERY_PROBLEM);
export type CarryOverForm = z.output<typeof carryOverFormSchema>;
export const CARRY_OVER_FIELDS = ['count', 'title', 'year', 'seats'] as const;

// ---------------------------------------------------------------- the proposals list's query

export const SEARCH_MAX = 100;

/**
 * The filters of a proposals list from a URL's query (q, category, district, status, campaign,
 * page). A value that does not parse is ignored rather than refused: a list always answers.
 */
export function parseProposalQuery(params: URLSearchParams, statuses: readonly ProposalStatus[]) {
	const id = (name: string) => {
		const parsed = idSchema.safeParse(params.get(name));
		return parsed.success ? parsed.data : null;
	};
	const district = params.get('district') ?? '';
	const status = params.get('status') ?? '';
	const page = Number(params.get('page') ?? '1');
	return {
		q: (params.get('q') ?? '').slice(0, SEARCH_MAX),
		categoryId: id('category'),
		district: (DISTRICTS as readonly string[]).includes(district) ? (district as District) : null,
		status: (statuses as readonly string[]).includes(status) ? (status as ProposalStatus) : null,
		campaignId: id('campaign'),
		page: Number.isInteger(page) && page >= 1 ? page : 1
	};
}
