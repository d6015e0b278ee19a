import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { nextAction, type LifecycleAction } from '$lib/domain/lifecycle';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { messageByKey } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { isPersonalSignIn } from '$lib/server/auth/session';
import { db } from '$lib/server/db';
import { sessionForStaff } from '$lib/server/voting/admin';
import { attendanceRulesFormSchema, updateAttendanceRules } from '$lib/server/attendance/rules';
import { applyLifecycle, confirmTally, type ConfirmResult } from '$lib/server/voting/sessions';
import { lifecycleRefusal } from '$lib/server/voting/lifecycle-messages';
import { readFormBody } from '$lib/server/form-body';
import { delegationTurnout } from '$lib/server/electorate/electorate';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'staff', 'scrutineer');
	const id = idSchema.safeParse(params.id);
	const view = id.success ? await sessionForStaff(db(), id.data) : null;
	if (!view) error(404, m.error_session_not_found());
	return {
		...view,
		// 应到 / 实到 / 已投 per delegation (代表团), counts only (issue 15).
		delegations: await delegationTurnout(db(), view.votingSession.id),
		nextAction: nextAction(view.votingSession.status),
		serverNow: new Date(),
		canManage: user.roles.includes('staff'),
		canConfirm:
			user.roles.includes('scrutineer') &&
			view.votingSession.status === 'closed' &&
			view.votingSession.confirmedAt === null,
		/** Confirming asks for the scrutineer's own password sign-in (and second factor where enrolled). */
		personalSignIn: locals.session !== null && isPersonalSignIn(locals.session, user)
	};
};

const confirmErrorMessages: Record<Exclude<ConfirmResult, { ok: true }>['error'], () => string> = {
	not_found: m.error_session_not_found,
	wrong_status: m.error_lifecycle_wrong_status,
	already_confirmed: m.error_already_confirmed,
	not_scrutineer: m.error_forbidden,
	sign_in_again: m.trust_sign_in_again,
	tally_mismatch: m.trust_error_tally_mismatch
};

const confirmForm = z.object({ confirm: z.literal('yes') });

function lifecycleAction(action: LifecycleAction) {
	return async ({ locals, url, params, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		if (!confirmForm.safeParse(Object.fromEntries(await readFormBody(request))).success) {
			return fail(400, { action, message: m.error_confirm_required() });
		}
		const result = await applyLifecycle(db(), id.data, action, staff.id);
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				action,
				message: lifecycleRefusal(result)
			});
		return { action, done: true };
	};
}

export const actions: Actions = {
	confirm: async ({ locals, url, params, request }) => {
		const scrutineer = requireRole(locals, url, 'scrutineer');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		if (!confirmForm.safeParse(Object.fromEntries(await readFormBody(request))).success) {
			return fail(400, { action: 'confirm' as const, message: m.error_confirm_required() });
		}
		const result = await confirmTally(db(), id.data, scrutineer.id, locals.session?.id ?? '');
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				action: 'confirm' as const,
				message: confirmErrorMessages[result.error]()
			});
		return { action: 'confirm' as const, done: true };
	},
	attendance: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		const formData = await readFormBody(request);
		const typed = {
			quorumRule: String(formData.get('quorumRule') ?? ''),
			signInMarksPresent: formData.get('signInMarksPresent') === 'yes',
			castNetworks: String(formData.get('castNetworks') ?? '')
		};
		const parsed = attendanceRulesFormSchema.safeParse({
			quorumRule: formData.get('quorumRule') ?? undefined,
			signInMarksPresent: formData.get('signInMarksPresent') ?? undefined,
			castNetworks: typed.castNetworks
		});
		if (!parsed.success)
			return fail(400, {
				attendance: { typed, message: messageByKey(parsed.error.issues[0]?.message ?? 'error_unexpected') }
			});
		const result = await updateAttendanceRules(db(), id.data, parsed.data, staff.id);
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				attendance: {
					typed,
					message: result.error === 'not_found' ? m.error_session_not_found() : m.attendance_rules_frozen()
				}
			});
		return { attendance: { saved: true } };
	},
	open: lifecycleAction('open'),
	close: lifecycleAction('close'),
	publish: lifecycleAction('publish')
};
