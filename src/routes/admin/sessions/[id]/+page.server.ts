import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { nextAction, type LifecycleAction } from '$lib/domain/lifecycle';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { sessionForStaff } from '$lib/server/voting/admin';
import { applyLifecycle, type LifecycleError } from '$lib/server/voting/sessions';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'staff', 'scrutineer');
	const id = idSchema.safeParse(params.id);
	const view = id.success ? await sessionForStaff(db(), id.data) : null;
	if (!view) error(404, m.error_session_not_found());
	return { ...view, nextAction: nextAction(view.votingSession.status), canManage: user.roles.includes('staff') };
};

const lifecycleErrorMessages: Record<LifecycleError, () => string> = {
	not_found: m.error_session_not_found,
	wrong_status: m.error_lifecycle_wrong_status,
	no_candidates: m.error_lifecycle_no_candidates,
	no_electorate: m.error_lifecycle_no_electorate,
	seats_not_below_candidates: m.error_lifecycle_seats
};

const confirmForm = z.object({ confirm: z.literal('yes') });

function lifecycleAction(action: LifecycleAction) {
	return async ({ locals, url, params, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const id = idSchema.safeParse(params.id);
		if (!id.success) error(404, m.error_session_not_found());
		if (!confirmForm.safeParse(Object.fromEntries(await request.formData())).success) {
			return fail(400, { action, message: m.error_confirm_required() });
		}
		const result = await applyLifecycle(db(), id.data, action, staff.id);
		if (!result.ok) return fail(result.error === 'not_found' ? 404 : 409, { action, message: lifecycleErrorMessages[result.error]() });
		return { action, done: true };
	};
}

export const actions: Actions = {
	open: lifecycleAction('open'),
	close: lifecycleAction('close'),
	publish: lifecycleAction('publish')
};
