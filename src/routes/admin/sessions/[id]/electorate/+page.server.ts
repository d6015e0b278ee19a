import { error, fail } from '@sveltejs/kit';
import { idSchema, fieldErrors } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import {
	enrolFromRoster,
	getElectorateMember,
	listDelegations,
	listElectorate,
	removeFromElectorate
} from '$lib/server/electorate/electorate';
import { setPresence } from '$lib/server/electorate/presence';
import { ELECTORATE_CHANGE_MESSAGES, PRESENCE_MESSAGES } from '$lib/electorate-messages';
import { enrolFormSchema, listQuery, presenceFormSchema, removeFormSchema } from '$lib/server/electorate/schemas';
import { getVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

function sessionId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_session_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'staff', 'scrutineer');
	const votingSession = await getVotingSession(db(), sessionId(params));
	if (!votingSession) error(404, m.error_session_not_found());
	const query = listQuery(url);
	const canManage = user.roles.includes('staff');
	// ?remove=ID asks for the reason before a delegate is taken off the list.
	const removeId = idSchema.safeParse(url.searchParams.get('remove'));
	const removing =
		canManage && votingSession.status === 'draft' && removeId.success
			? await getElectorateMember(db(), votingSession.id, removeId.data)
			: null;
	return {
		removing,
		votingSession: { id: votingSession.id, title: votingSession.title, status: votingSession.status },
		query,
		electorate: await listElectorate(db(), votingSession.id, { query: query.q, page: query.page }),
		delegations: canManage && votingSession.status === 'draft' ? await listDelegations(db()) : [],
		canManage
	};
};

export const actions: Actions = {
	enrol: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const formData = await readFormBody(request);
		const parsed = enrolFormSchema.safeParse({
			scope: formData.get('scope'),
			delegations: formData.getAll('delegation')
		});
		if (!parsed.success)
			return fail(400, {
				enrol: { error: fieldErrors(parsed.error).delegations ?? 'electorate_enrol_choose_delegation' }
			});
		const result = await enrolFromRoster(db(), {
			votingSessionId: sessionId(params),
			delegations: parsed.data.scope === 'all' ? null : parsed.data.delegations,
			actorUserId: staff.id
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				enrol: { error: ELECTORATE_CHANGE_MESSAGES[result.error] }
			});
		return { enrol: { added: result.count } };
	},
	remove: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const formData = Object.fromEntries(await readFormBody(request));
		const parsed = removeFormSchema.safeParse(formData);
		if (!parsed.success)
			return fail(400, {
				remove: {
					error: fieldErrors(parsed.error).reason ?? 'electorate_not_enrolled',
					reason: String(formData.reason ?? '')
				}
			});
		const result = await removeFromElectorate(db(), {
			votingSessionId: sessionId(params),
			delegateId: parsed.data.delegateId,
			reason: parsed.data.reason,
			actorUserId: staff.id
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, {
				member: { error: ELECTORATE_CHANGE_MESSAGES[result.error] }
			});
		return { member: { removed: true } };
	},
	presence: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = presenceFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { member: { error: 'electorate_not_enrolled' } });
		const result = await setPresence(db(), {
			votingSessionId: sessionId(params),
			...parsed.data,
			actorUserId: staff.id
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, { member: { error: PRESENCE_MESSAGES[result.error] } });
		return { member: { presenceMarked: true } };
	}
};
