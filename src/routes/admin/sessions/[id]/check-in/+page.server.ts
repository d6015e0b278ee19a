// The check-in at the hall door (签到), phone-first: 应到 / 实到 / 未到 and the quorum at the top,
// a scan of the credential sheet's QR code (or its code typed), and a search with one tap per delegate,
// filtered by delegation (代表团) and by "未签到", with a whole delegation checked in at once (issue 15).
import { CHECK_IN_MESSAGES } from '$lib/electorate-messages';
import { messageOf } from '$lib/i18n';
import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { checkInByCode } from '$lib/server/attendance/check-in';
import { absentMembersOf, delegationTurnout, listElectorate } from '$lib/server/electorate/electorate';
import { setPresence, setPresenceOfMany, type PresenceResult } from '$lib/server/electorate/presence';
import { checkInListQuery, delegationCheckInSchema, presenceFormSchema } from '$lib/server/electorate/schemas';
import { getVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

function sessionId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_session_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const votingSession = await getVotingSession(db(), sessionId(params));
	if (!votingSession) error(404, m.error_session_not_found());
	const query = checkInListQuery(url);
	return {
		votingSession: {
			id: votingSession.id,
			title: votingSession.title,
			status: votingSession.status,
			quorum: votingSession.quorum,
			cast: votingSession.cast,
			opensAt: votingSession.opensAt,
			closesAt: votingSession.closesAt
		},
		query,
		electorate: await listElectorate(db(), votingSession.id, {
			query: query.q,
			page: query.page,
			delegation: query.delegation || null,
			absentOnly: query.absent === '1'
		}),
		delegations: await delegationTurnout(db(), votingSession.id),
		serverNow: new Date()
	};
};

function refusalMessage(result: Exclude<PresenceResult, { ok: true }> | { ok: false; error: 'unknown_code' }): string {
	return messageOf(CHECK_IN_MESSAGES[result.error]);
}

function outcome(result: Extract<PresenceResult, { ok: true }>, present: boolean): string {
	if (!present) return m.attendance_done_undone({ name: result.displayName });
	return result.changed
		? m.attendance_done_checked_in({ name: result.displayName })
		: m.attendance_done_already({ name: result.displayName });
}

const codeFormSchema = z.object({
	code: z.string().trim().min(1, { error: 'attendance_error_code_required' }).max(2000)
});

export const actions: Actions = {
	mark: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = presenceFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { mark: { message: m.electorate_not_enrolled() } });
		const result = await setPresence(db(), {
			votingSessionId: sessionId(params),
			...parsed.data,
			actorUserId: staff.id,
			method: 'staff'
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				mark: { message: refusalMessage(result), delegateId: parsed.data.delegateId }
			});
		return { mark: { done: outcome(result, parsed.data.present), delegateId: parsed.data.delegateId } };
	},
	// A whole delegation at once: everyone of it not yet checked in, all or none (one audit entry each).
	delegation: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = delegationCheckInSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { bulk: { message: m.hall_error_choose_delegation() } });
		const votingSessionId = sessionId(params);
		const delegateIds = await absentMembersOf(db(), votingSessionId, parsed.data.delegation);
		if (delegateIds.length === 0)
			return { bulk: { done: m.hall_delegation_none_left({ delegation: parsed.data.delegation }) } };
		const result = await setPresenceOfMany(db(), {
			votingSessionId,
			delegateIds,
			present: true,
			actorUserId: staff.id,
			method: 'staff'
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, { bulk: { message: refusalMessage(result) } });
		const count = result.delegates.filter((delegate) => delegate.changed).length;
		return { bulk: { done: m.hall_delegation_checked_in({ delegation: parsed.data.delegation, count }) } };
	},
	code: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const form = await readFormBody(request);
		const typed = String(form.get('code') ?? '');
		const parsed = codeFormSchema.safeParse({ code: typed });
		if (!parsed.success) return fail(400, { code: { message: m.attendance_error_code_required(), typed } });
		const result = await checkInByCode(db(), {
			votingSessionId: sessionId(params),
			scanned: parsed.data.code,
			actorUserId: staff.id
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : result.error === 'unknown_code' ? 400 : 409, {
				code: { message: refusalMessage(result), typed }
			});
		return { code: { done: outcome(result, true) } };
	}
};
