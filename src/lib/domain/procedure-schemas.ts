// Input schemas of the procedure steps (票决办法, review, scrutineers, the ratio at opening, the
// announcement's number). Each error message is a Paraglide message key (messages/procedure).
import { z } from 'zod';
import { APPROVING_BODIES, APPROVING_BODY_NAMES, DEFAULT_MIN_CANDIDATE_RATIO, type ApprovingBody } from './procedure';

/** A calendar date "2022-03-01" that exists (no 2022-02-30). */
export const calendarDateSchema = z
	.string({ error: 'procedure_error_date' })
	.trim()
	.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'procedure_error_date' })
	.refine(
		(value) => {
			const date = new Date(`${value}T00:00:00Z`);
			return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
		},
		{ error: 'procedure_error_date' }
	)
	.refine((value) => value >= '2000-01-01' && value <= '2100-12-31', { error: 'procedure_error_date' });

/** 主席团 / 大会全体会议 (as the CLI takes them) or presidium / plenary (as forms send them). */
export const approvingBodySchema = z
	.string({ error: 'procedure_error_body' })
	.trim()
	.transform((value, context): ApprovingBody => {
		const byName = (Object.entries(APPROVING_BODY_NAMES) as [ApprovingBody, string][]).find(
			([, name]) => name === value
		);
		if (byName) return byName[0];
		if ((APPROVING_BODIES as readonly string[]).includes(value)) return value as ApprovingBody;
		context.addIssue({ code: 'custom', message: 'procedure_error_body' });
		return z.NEVER;
	});

export const adoptionFormSchema = z.object({ by: approvingBodySchema, on: calendarDateSchema });

export const rulesTextFormSchema = z.object({
	text: z
		.string({ error: 'procedure_error_text_required' })
		.trim()
		.min(1, { error: 'procedure_error_text_required' })
		.max(20_000, { error: 'procedure_error_text_too_long' })
});

export const reviewFormSchema = z.object({
	meeting: z
		.string({ error: 'procedure_error_review_meeting' })
		.trim()
		.min(1, { error: 'procedure_error_review_meeting' })
		.max(200, { error: 'procedure_error_too_long' }),
	on: calendarDateSchema,
	document: z
		.string({ error: 'procedure_error_review_document' })
		.trim()
		.min(1, { error: 'procedure_error_review_document' })
		.max(100, { error: 'procedure_error_too_long' })
});

/** Usernames or delegate numbers, one per line (commas, 、 and spaces also separate). */
export function readReferences(text: string): string[] {
	return text
		.split(/[\s,，、;；]+/)
		.map((reference) => reference.trim())
		.filter(Boolean);
}

const referenceList = z
	.string()
	.max(5_000, { error: 'procedure_error_too_long' })
	.transform(readReferences)
	.pipe(
		z.array(z.string().max(64, { error: 'procedure_error_too_long' })).max(50, { error: 'procedure_error_too_long' })
	);

export const scrutineersFormSchema = z.object({
	chief: z
		.string({ error: 'procedure_error_chief_required' })
		.trim()
		.min(1, { error: 'procedure_error_chief_required' })
		.max(64, { error: 'procedure_error_too_long' }),
	members: referenceList.pipe(z.array(z.string()).min(2, { error: 'procedure_error_members_too_few' })),
	counters: referenceList,
	approvedBy: approvingBodySchema,
	approvedOn: calendarDateSchema
});

/** The procedure part of the session form: the meeting, what opening requires, the minimum ratio. */
export const procedureSettingsFormSchema = z.object({
	meetingName: z.string().trim().max(200, { error: 'procedure_error_too_long' }),
	requireAdoptedRules: z.boolean(),
	requireReview: z.boolean(),
	requireNamedScrutineers: z.boolean(),
	// Empty: the default ratio (1.2).
	minCandidateRatio: z.preprocess(
		(value) => (typeof value === 'string' && value.trim() === '' ? DEFAULT_MIN_CANDIDATE_RATIO : value),
		z.coerce
			.number({ error: 'procedure_error_ratio' })
			.min(1, { error: 'procedure_error_ratio' })
			.max(10, { error: 'procedure_error_ratio' })
			.refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-9, { error: 'procedure_error_ratio' })
	)
});

export const DEFAULT_PROCEDURE_SETTINGS = {
	meetingName: '',
	requireAdoptedRules: true,
	requireReview: true,
	requireNamedScrutineers: true,
	minCandidateRatio: DEFAULT_MIN_CANDIDATE_RATIO
};

/** The reason given for opening below the minimum ratio (required only then). */
export const ratioReasonSchema = z
	.string()
	.trim()
	.max(500, { error: 'procedure_error_too_long' })
	.transform((value) => value || undefined);

/** 公告第N号 as staff may give it at publication; empty = the next free number of the meeting. */
export const announcementNumberSchema = z
	.string()
	.trim()
	.regex(/^(|[1-9]\d{0,3})$/, { error: 'procedure_error_announcement_number' })
	.transform((value) => (value === '' ? undefined : Number(value)));
