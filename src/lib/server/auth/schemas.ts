// Input schemas of the sign-in and security pages. Error messages are Paraglide message keys.
import { z } from 'zod';
import { passwordSchema } from '$lib/domain/schemas';

/** A TOTP code ("123456", "123 456") or a recovery code ("abcde-fghij"): told apart when checked. */
const secondFactorSchema = z
	.string({ error: 'security_code_required' })
	.trim()
	.min(1, { error: 'security_code_required' })
	.max(64, { error: 'security_code_wrong' });

export const secondStepFormSchema = z.object({ code: secondFactorSchema });

/** The code of the authenticator being set up: six digits. */
export const confirmEnrolmentFormSchema = z.object({
	code: z
		.string({ error: 'security_code_required' })
		.transform((value) => value.replace(/\s+/g, ''))
		.pipe(
			z
				.string()
				.min(1, { error: 'security_code_required' })
				.regex(/^\d{6}$/, { error: 'security_code_six_digits' })
		)
});

const currentPasswordSchema = z
	.string({ error: 'error_password_required' })
	.min(1, { error: 'error_password_required' })
	.max(256, { error: 'security_password_wrong' });

/** Both factors again, to replace or turn off an authenticator. */
export const passwordAndCodeFormSchema = z.object({ password: currentPasswordSchema, code: secondFactorSchema });

export const changePasswordFormSchema = z
	.object({ currentPassword: currentPasswordSchema, newPassword: passwordSchema, newPasswordConfirm: z.string() })
	.refine((form) => form.newPassword === form.newPasswordConfirm, {
		error: 'security_password_mismatch',
		path: ['newPasswordConfirm']
	})
	.refine((form) => form.newPassword !== form.currentPassword, {
		error: 'security_password_unchanged',
		path: ['newPassword']
	});
