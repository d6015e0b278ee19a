// Input schemas. Each error message is a Paraglide message key, translated where it is shown.
import { z } from 'zod';
import { BALLOT_METHODS, ROLES, THRESHOLD_BASES } from './types';

export const usernameSchema = z
	.string({ error: 'error_username_required' })
	.trim()
	.min(1, { error: 'error_username_required' })
	.regex(/^[A-Za-z0-9_.-]{3,64}$/, { error: 'error_username_format' });

export const loginSchema = z.object({
	username: z.string({ error: 'error_username_required' }).trim().min(1, { error: 'error_username_required' }).max(64, {
		error: 'error_login_failed'
	}),
	password: z.string({ error: 'error_password_required' }).min(1, { error: 'error_password_required' }).max(256, {
		error: 'error_login_failed'
	})
});

export const passwordSchema = z
	.string({ error: 'error_password_required' })
	.min(12, { error: 'error_password_too_short' })
	.max(256, { error: 'error_password_too_long' });

/** A path on this site to return to after a form (never another host: no "//" or "/\\"). */
export const localPathSchema = z.string().regex(/^\/(?![/\\])[^\s]*$/);

export function safeLocalPath(target: string | null | undefined): string {
	const parsed = localPathSchema.safeParse(target);
	return parsed.success ? parsed.data : '/';
}

/** A database id: a positive whole number, written plainly (no "1.0", "0x1", " 1", "1e0"). */
export const idSchema = z
	.union([z.number({ error: 'error_not_found' }), z.string().regex(/^[1-9]\d{0,15}$/, { error: 'error_not_found' })], {
		error: 'error_not_found'
	})
	.transform(Number)
	.pipe(
		z
			.number()
			.int({ error: 'error_not_found' })
			.positive({ error: 'error_not_found' })
			.max(Number.MAX_SAFE_INTEGER, { error: 'error_not_found' })
	);

export const roleSchema = z.enum(ROLES, { error: 'error_role_unknown' });

/** The first message key per field of a failed parse. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) {
		const field = String(issue.path[0] ?? 'form');
		errors[field] ??= issue.message;
	}
	return errors;
}

/** A datetime-local value ("2022-04-11T09:00") read as Beijing time; empty means none. */
const beijingDateTime = z
	.string()
	.trim()
	.transform((value, context) => {
		if (value === '') return null;
		const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value);
		const date = match ? new Date(`${match[1]}T${match[2]}${match[3] ?? ':00'}+08:00`) : null;
		// JavaScript rolls 2022-02-31 over to 3 March: a date that does not read back the same is refused.
		const readBack =
			date && !Number.isNaN(date.getTime()) ? new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16) : null;
		if (!date || readBack !== `${match?.[1]}T${match?.[2]}`) {
			context.addIssue({ code: 'custom', message: 'error_datetime_invalid' });
			return z.NEVER;
		}
		return date;
	});

/** The voting-session form of staff (draft only). */
export const votingSessionFormSchema = z
	.object({
		title: z
			.string({ error: 'error_title_required' })
			.trim()
			.min(1, { error: 'error_title_required' })
			.max(200, { error: 'error_title_too_long' }),
		year: z.coerce
			.number({ error: 'error_year_invalid' })
			.int({ error: 'error_year_invalid' })
			.min(2000, { error: 'error_year_invalid' })
			.max(2100, { error: 'error_year_invalid' }),
		ballotMethod: z.enum(BALLOT_METHODS, { error: 'error_method_invalid' }),
		seats: z.coerce
			.number({ error: 'error_seats_invalid' })
			.int({ error: 'error_seats_invalid' })
			.min(1, { error: 'error_seats_invalid' })
			.max(1000, { error: 'error_seats_invalid' }),
		thresholdBase: z.enum(THRESHOLD_BASES, { error: 'error_threshold_base_invalid' }),
		opensAt: beijingDateTime,
		closesAt: beijingDateTime,
		candidateIds: z.array(idSchema).min(1, { error: 'error_candidates_required' }),
		/** Publish the anonymous ballots with the result (off by default: pattern voting, see the form). */
		publishBallots: z
			.enum(['', 'yes'], { error: 'error_choice_invalid' })
			.default('')
			.transform((value) => value === 'yes')
	})
	.superRefine((form, context) => {
		if (form.candidateIds.length <= form.seats) {
			context.addIssue({ code: 'custom', path: ['seats'], message: 'error_seats_not_below_candidates' });
		}
		if (form.opensAt && form.closesAt && form.closesAt <= form.opensAt) {
			context.addIssue({ code: 'custom', path: ['closesAt'], message: 'error_closes_before_opens' });
		}
	});

export type VotingSessionForm = z.infer<typeof votingSessionFormSchema>;

/** The staff's evaluation-session form (满意度测评): which year's projects, 弃权 or not, times. */
export const evaluationSessionFormSchema = z
	.object({
		title: z
			.string({ error: 'error_title_required' })
			.trim()
			.min(1, { error: 'error_title_required' })
			.max(200, { error: 'error_title_too_long' }),
		year: z.coerce
			.number({ error: 'error_year_invalid' })
			.int({ error: 'error_year_invalid' })
			.min(2000, { error: 'error_year_invalid' })
			.max(2100, { error: 'error_year_invalid' }),
		allowAbstain: z.enum(['', 'yes'], { error: 'error_choice_invalid' }).transform((value) => value === 'yes'),
		opensAt: beijingDateTime,
		closesAt: beijingDateTime
	})
	.superRefine((form, context) => {
		if (form.opensAt && form.closesAt && form.closesAt <= form.opensAt) {
			context.addIssue({ code: 'custom', path: ['closesAt'], message: 'error_closes_before_opens' });
		}
	});
