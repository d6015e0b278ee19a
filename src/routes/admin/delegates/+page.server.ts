import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import {
	importRosterFile,
	listRoster,
	MAX_ROSTER_BYTES,
	setDelegateDisabled,
	type RosterProblem
} from '$lib/server/electorate/roster';
import { delegateFormSchema, listQuery } from '$lib/server/electorate/schemas';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const query = listQuery(url);
	return {
		query,
		roster: await listRoster(db(), { query: query.q, page: query.page }),
		maxKilobytes: MAX_ROSTER_BYTES / 1024
	};
};

function disableAction(disabled: boolean) {
	return async ({ locals, url, request }: RequestEvent) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = delegateFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success) return fail(400, { toggle: { error: 'error_not_found' } });
		const result = await setDelegateDisabled(db(), {
			delegateId: parsed.data.delegateId,
			disabled,
			actorUserId: staff.id
		});
		if (!result.ok) return fail(404, { toggle: { error: 'error_not_found' } });
		return { toggle: { delegateId: parsed.data.delegateId, disabled } };
	};
}

export const actions: Actions = {
	import: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const file = (await readFormBody(request)).get('roster');
		if (!(file instanceof File) || file.size === 0) {
			const problem: RosterProblem = { row: 0, field: null, message: 'electorate_roster_file_required' };
			return fail(400, { import: { fileName: '', problems: [problem] } });
		}
		const result = await importRosterFile(db(), new Uint8Array(await file.arrayBuffer()), staff.id);
		if (!result.ok) return fail(400, { import: { fileName: file.name, problems: result.problems } });
		return {
			import: { fileName: file.name, created: result.created, updated: result.updated, unchanged: result.unchanged }
		};
	},
	disable: disableAction(true),
	enable: disableAction(false)
};
