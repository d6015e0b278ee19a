// Input schemas. Each error message is a Paraglide message key, translated where it is shown.
import { z } from 'zod';
import { BALLOT_METHODS, CHOICES, ROLES, THRESHOLD_BASES } from './types';

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

export const idSchema = z.coerce.number({ error: 'error_not_found' }).int({ error: 'error_not_found' }).positive({
	error: 'error_not_found'
}).max(Number.MAX_SAFE_INTEGER, { error: 'error_not_found' });

export const roleSchema = z.enum(ROLES, { error: 'error_role_unknown' });

export const votingRulesSchema = z.object({
	ballotMethod: z.enum(BALLOT_METHODS),
	seats: z.number().int().min(1),
	thresholdBase: z.enum(THRESHOLD_BASES)
});

const choiceSchema = z.enum(CHOICES, { error: 'error_choice_invalid' });

/**
 * A cast form: repeated `candidate` fields (approval) or `choice-<candidateId>` fields
 * (for/against/abstain). Reads the raw entries of a FormData.
 */
export function parseCastForm(
	method: (typeof BALLOT_METHODS)[number],
	form: FormData
):
	| { ok: true; selection: { method: 'approval'; candidateIds: number[] } | { method: 'for_against_abstain'; choices: Record<number, (typeof CHOICES)[number]> } }
	| { ok: false; error: string } {
	if (method === 'approval') {
		const parsed = z.array(idSchema).safeParse(form.getAll('candidate'));
		if (!parsed.success) return { ok: false, error: 'error_candidate_unknown' };
		return { ok: true, selection: { method, candidateIds: parsed.data } };
	}
	const choices: Record<number, (typeof CHOICES)[number]> = {};
	for (const [key, value] of form.entries()) {
		const match = /^choice-(\d+)$/.exec(key);
		if (!match) continue;
		const parsedChoice = choiceSchema.safeParse(value);
		if (!parsedChoice.success) return { ok: false, error: 'error_choice_invalid' };
		const candidateId = Number(match[1]);
		if (choices[candidateId] !== undefined) return { ok: false, error: 'error_choice_invalid' };
		choices[candidateId] = parsedChoice.data;
	}
	return { ok: true, selection: { method, choices } };
}

/** The first message key per field of a failed parse. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) {
		const field = String(issue.path[0] ?? 'form');
		errors[field] ??= issue.message;
	}
	return errors;
}
