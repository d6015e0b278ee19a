import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { nextAction, type LifecycleAction } from '$lib/domain/lifecycle';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { isPersonalSignIn } from '$lib/server/auth/session';
import { announcementNumberSchema, ratioReasonSchema } from '$lib/domain/procedure-schemas';
import { followUpPlan, isBelowMinimumRatio } from '$lib/domain/procedure';
import { isEvaluationTally } from '$lib/domain/tally';
import { createFollowUp, type FollowUpError } from '$lib/server/voting/follow-up';
import { getProcedure } from '$lib/server/voting/procedure';
import { scrutineerDuty, seesSessionScrutiny } from '$lib/server/voting/scrutiny';
import { db } from '$lib/server/db';
import { sessionForStaff } from '$lib/server/voting/admin';
import { attendanceRulesFormSchema, updateAttendanceRules } from '$lib/server/attendance/rules';
import { applyLifecycle, confirmTally, type ConfirmResult } from '$lib/server/voting/sessions';
import { lifecycleRefusal } from '$lib/server/voting/lifecycle-messages';
import { readFormBody } from '$lib/server/form-body';
import { delegationTurnout } from '$lib/server/electorate/electorate';
import { messageByKey } from '$lib/i18n';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireUser(locals, url);
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_session_not_found());
	// Staff and holders of the global scrutineer role see every session; a named 总监票人 or 监票人 sees theirs.
	if (!(await seesSessionScrutiny(db(), user, id.data))) error(403, m.error_forbidden());
	const duty = await scrutineerDuty(db(), id.data, user.id);
	const view = await sessionForStaff(db(), id.data);
	const procedure = view ? await getProcedure(db(), id.data) : null;
	if (!view || !procedure) error(404, m.error_session_not_found());
	const votingSession = view.votingSession;
	const alreadyConfirmed =
		procedure.scrutineers.some((entry) => entry.userId === user.id && entry.confirmedAt !== null) ||
		procedure.otherConfirmations.some((entry) => entry.userId === user.id);
	return {
		...view,
		// 应到 / 实到 / 已投 per delegation (代表团), counts only (issue 15).
		delegations: await delegationTurnout(db(), votingSession.id),
		procedure,
		nextAction: nextAction(votingSession.status),
		serverNow: new Date(),
		canManage: user.roles.includes('staff'),
		duty,
		/** A delegate named 总监票人 or 监票人: their way back is their ballot list, not the admin pages. */
		backTo: user.roles.includes('staff') || user.roles.includes('scrutineer') ? '/admin' : '/vote',
		canConfirm:
			duty !== null &&
			votingSession.status === 'closed' &&
			!alreadyConfirmed &&
			(duty !== 'global' || votingSession.confirmedAt === null),
		followUpPlan: view.tally && !isEvaluationTally(view.tally) ? followUpPlan(view.tally) : null,
		belowRatio:
			votingSession.rules.ballotMethod !== 'evaluation' &&
			isBelowMinimumRatio(
				votingSession.candidateCount,
				votingSession.rules.seats,
				procedure.settings.minCandidateRatio
			),
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

const openForm = z.object({
	ratioConfirm: z.enum(['yes']).optional(),
	ratioReason: ratioReasonSchema.optional()
});
const publishForm = z.object({ announcementNumber: announcementNumberSchema.optional() });

function lifecycleAction(action: LifecycleAction) {
	return async ({ locals, url, params, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		const fields = Object.fromEntries(await readFormBody(request));
		const kept = {
			ratioReason: String(fields.ratioReason ?? ''),
			announcementNumber: String(fields.announcementNumber ?? '')
		};
		if (!confirmForm.safeParse(fields).success) {
			return fail(400, { action, message: m.error_confirm_required(), ...kept });
		}
		const opening = openForm.safeParse(fields);
		const publishing = publishForm.safeParse(fields);
		if (!opening.success || !publishing.success) {
			const issue = (opening.error ?? publishing.error)?.issues[0]?.message ?? 'error_unexpected';
			return fail(400, { action, message: messageByKey(issue), ...kept });
		}
		const result = await applyLifecycle(db(), id.data, action, staff.id, {
			ratioReason: opening.data.ratioConfirm === 'yes' ? opening.data.ratioReason : undefined,
			announcementNumber: publishing.data.announcementNumber
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				action,
				message: lifecycleRefusal(result),
				...kept
			});
		return { action, done: true };
	};
}

const followUpErrorMessages: Record<FollowUpError, () => string> = {
	not_found: m.error_session_not_found,
	not_counted: m.procedure_follow_up_error_not_counted,
	nothing_to_settle: m.procedure_follow_up_error_nothing,
	already_made: m.procedure_follow_up_error_made,
	not_a_vote: m.error_session_not_found
};

export const actions: Actions = {
	followUp: async ({ locals, url, params }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		const result = await createFollowUp(db(), id.data, staff.id);
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				action: 'followUp' as const,
				message: followUpErrorMessages[result.error]()
			});
		redirect(303, `/admin/sessions/${result.id}`);
	},
	confirm: async ({ locals, url, params, request }) => {
		const scrutineer = requireUser(locals, url);
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		if (!(await scrutineerDuty(db(), id.data, scrutineer.id))) error(403, m.error_forbidden());
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
					message:
						result.error === 'not_found'
							? m.error_session_not_found()
							: result.error === 'rules_adopted'
								? m.procedure_error_rules_adopted()
								: m.attendance_rules_frozen()
				}
			});
		return { attendance: { saved: true } };
	},
	open: lifecycleAction('open'),
	close: lifecycleAction('close'),
	publish: lifecycleAction('publish')
};
