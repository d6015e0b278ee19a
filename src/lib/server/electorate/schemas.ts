// Input schemas of the electorate pages. Error messages are Paraglide message keys.
import { z } from 'zod';
import { idSchema, passwordSchema } from '$lib/domain/schemas';

/** ?q=…&page=… of the roster and electorate lists (a query PostgreSQL cannot hold, with a NUL, reads as none). */
export const listQuerySchema = z.object({
	q: z
		.string()
		.trim()
		.max(100)
		.refine((query) => !query.includes('\0'))
		.catch(''),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export function listQuery(url: URL): z.infer<typeof listQuerySchema> {
	return listQuerySchema.parse({ q: url.searchParams.get('q') ?? '', page: url.searchParams.get('page') ?? 1 });
}

/** The hall's check-in list: a search, one delegation, and only those not yet checked in (issue 15). */
export const checkInListQuerySchema = listQuerySchema.extend({
	delegation: z.string().trim().max(100).catch(''),
	absent: z.literal('1').optional().catch(undefined)
});

export function checkInListQuery(url: URL): z.infer<typeof checkInListQuerySchema> {
	return checkInListQuerySchema.parse({
		q: url.searchParams.get('q') ?? '',
		page: url.searchParams.get('page') ?? 1,
		delegation: url.searchParams.get('delegation') ?? '',
		absent: url.searchParams.get('absent') ?? undefined
	});
}

/** Checking in every delegate of one delegation who is not checked in yet. */
export const delegationCheckInSchema = z.object({
	delegation: z.string().trim().min(1, { error: 'hall_error_choose_delegation' }).max(100)
});

export const delegateFormSchema = z.object({ delegateId: idSchema });

/** Taking a delegate off a session's electorate needs a reason (kept in the audit log). */
export const removeFormSchema = z.object({
	delegateId: idSchema,
	reason: z
		.string({ error: 'attendance_error_reason_required' })
		.trim()
		.min(1, { error: 'attendance_error_reason_required' })
		.max(200, { error: 'attendance_error_reason_required' })
});

export const presenceFormSchema = z.object({
	delegateId: idSchema,
	present: z.enum(['yes', 'no'], { error: 'error_unexpected' }).transform((value) => value === 'yes')
});

/** Enrol all active delegates, or those of the chosen delegations (repeated `delegation` fields). */
export const enrolFormSchema = z.discriminatedUnion(
	'scope',
	[
		z.object({ scope: z.literal('all') }),
		z.object({
			scope: z.literal('delegations'),
			delegations: z.array(z.string().trim().min(1).max(100)).min(1, { error: 'electorate_enrol_choose_delegation' })
		})
	],
	{ error: 'electorate_enrol_choose_delegation' }
);

/** Issue codes to all (after confirming that earlier codes stop working) or to one delegate. */
/** Why codes are issued again while the session is open (audited; required then). */
const reissueReasonSchema = z.string().trim().max(300, { error: 'trust_reason_too_long' }).optional();

export const issueFormSchema = z.discriminatedUnion(
	'scope',
	[
		z.object({
			scope: z.literal('all'),
			confirm: z.literal('yes', { error: 'error_confirm_required' }),
			reason: reissueReasonSchema
		}),
		z.object({ scope: z.literal('one'), delegateId: idSchema, reason: reissueReasonSchema })
	],
	{ error: 'error_unexpected' }
);

export const accessCodeSchema = z
	.string({ error: 'electorate_code_required' })
	.trim()
	.min(1, { error: 'electorate_code_required' })
	.max(64, { error: 'electorate_code_malformed' });

export const codeFormSchema = z.object({ code: accessCodeSchema });

export const codePasswordFormSchema = z
	.object({ code: accessCodeSchema, password: passwordSchema, passwordConfirm: z.string() })
	.refine((form) => form.password === form.passwordConfirm, {
		error: 'electorate_password_mismatch',
		path: ['passwordConfirm']
	});
