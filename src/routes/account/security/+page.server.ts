// The signed-in user's security page: change the password (every user), and for staff and
// scrutineers set up, replace or turn off two-factor sign-in. With PIAOJUE_REQUIRE_2FA=1 it is the
// only page a staff member or scrutineer without an authenticator may use.
import { fail } from '@sveltejs/kit';
import { fieldErrors } from '$lib/domain/schemas';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { changePassword } from '$lib/server/auth/change-password';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import {
	changePasswordFormSchema,
	confirmEnrolmentFormSchema,
	passwordAndCodeFormSchema
} from '$lib/server/auth/schemas';
import {
	beginEnrolment,
	cancelEnrolment,
	confirmEnrolment,
	disableTwoFactor,
	twoFactorStatus,
	type PasswordAndCodeError
} from '$lib/server/auth/two-factor';
import { canUseTwoFactor, isTwoFactorRequiredFor, TWO_FACTOR_ROLES } from '$lib/server/auth/two-factor-policy';
import { waitText } from '$lib/server/auth/wait-text';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	const eligible = canUseTwoFactor(user);
	return {
		twoFactor: eligible ? await twoFactorStatus(db(), user) : null,
		required: isTwoFactorRequiredFor(user),
		username: user.username,
		continueTo: eligible ? '/admin' : '/'
	};
};

const proofErrorKeys: Record<PasswordAndCodeError | 'rate_limited', { field: string; key: string }> = {
	wrong_password: { field: 'password', key: 'security_password_wrong' },
	wrong: { field: 'code', key: 'security_code_wrong' },
	reused: { field: 'code', key: 'security_code_reused' },
	recovery_used: { field: 'code', key: 'security_recovery_code_used' },
	rate_limited: { field: 'form', key: 'security_rate_limited' }
};

/** A refusal of the replace/turn-off form: the message beside the field it concerns. */
function proofRefused(result: { error: PasswordAndCodeError } | { error: 'rate_limited'; retryAfterSeconds: number }) {
	const { field, key } = proofErrorKeys[result.error];
	const wait = result.error === 'rate_limited' ? waitText(result.retryAfterSeconds) : '';
	return fail(result.error === 'rate_limited' ? 429 : 400, {
		form: 'manage' as const,
		errors: { [field]: key } as Record<string, string>,
		wait
	});
}

export const actions: Actions = {
	password: async ({ request, locals, url }) => {
		const user = requireUser(locals, url);
		const parsed = changePasswordFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { form: 'password' as const, errors: fieldErrors(parsed.error), wait: '' });
		const result = await changePassword(db(), {
			user,
			sessionId: locals.session?.id ?? null,
			currentPassword: parsed.data.currentPassword,
			newPassword: parsed.data.newPassword
		});
		if (!result.ok) {
			return result.error === 'rate_limited'
				? fail(429, {
						form: 'password' as const,
						errors: { form: 'security_rate_limited' } as Record<string, string>,
						wait: waitText(result.retryAfterSeconds)
					})
				: fail(400, {
						form: 'password' as const,
						errors: { currentPassword: 'security_password_wrong' } as Record<string, string>,
						wait: ''
					});
		}
		return { form: 'password' as const, passwordChanged: true, endedSessions: result.endedSessions };
	},

	/** Set up an authenticator; replacing an enrolled one needs the password and a current code. */
	begin: async ({ request, locals, url }) => {
		const user = requireRole(locals, url, ...TWO_FACTOR_ROLES);
		const form = Object.fromEntries(await readFormBody(request));
		let proof: { password: string; code: string } | null = null;
		if (user.twoFactorEnrolled) {
			const parsed = passwordAndCodeFormSchema.safeParse(form);
			if (!parsed.success) return fail(400, { form: 'manage' as const, errors: fieldErrors(parsed.error), wait: '' });
			proof = parsed.data;
		}
		const result = await beginEnrolment(db(), user, proof);
		if (!result.ok) return proofRefused(result);
		return { form: 'begin' as const };
	},

	confirm: async ({ request, locals, url }) => {
		const user = requireRole(locals, url, ...TWO_FACTOR_ROLES);
		const parsed = confirmEnrolmentFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { form: 'confirm' as const, errors: fieldErrors(parsed.error), wait: '' });
		const result = await confirmEnrolment(db(), {
			user,
			code: parsed.data.code,
			keepSessionId: locals.session?.id ?? null
		});
		if (!result.ok) {
			const key = result.error === 'wrong' ? 'security_enrol_code_wrong' : 'security_enrolment_missing';
			return fail(400, { form: 'confirm' as const, errors: { code: key } as Record<string, string>, wait: '' });
		}
		return { form: 'confirm' as const, recoveryCodes: result.recoveryCodes, endedSessions: result.endedSessions };
	},

	cancel: async ({ locals, url }) => {
		const user = requireRole(locals, url, ...TWO_FACTOR_ROLES);
		await cancelEnrolment(db(), user.id);
		return { form: 'cancel' as const };
	},

	disable: async ({ request, locals, url }) => {
		const user = requireRole(locals, url, ...TWO_FACTOR_ROLES);
		const parsed = passwordAndCodeFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { form: 'manage' as const, errors: fieldErrors(parsed.error), wait: '' });
		const result = await disableTwoFactor(db(), user, parsed.data);
		if (!result.ok) {
			if (result.error === 'required')
				return fail(400, {
					form: 'manage' as const,
					errors: { form: 'security_disable_required' } as Record<string, string>,
					wait: ''
				});
			if (result.error === 'not_enrolled')
				return fail(400, {
					form: 'manage' as const,
					errors: { form: 'security_not_enrolled' } as Record<string, string>,
					wait: ''
				});
			return proofRefused(result);
		}
		return { form: 'disable' as const, disabled: true };
	}
};
