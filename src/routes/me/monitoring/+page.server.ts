import { fail } from '@sveltejs/kit';
import { inspectionNoteSchema } from '$lib/domain/delivery';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { db } from '$lib/server/db';
import { listDelegateGroups, postInspectionNote } from '$lib/server/delivery/monitoring';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const delegate = requireRole(locals, url, 'delegate');
	return { groups: await listDelegateGroups(db(), delegate.id) };
};

export const actions: Actions = {
	note: async ({ locals, url, request }) => {
		const delegate = requireRole(locals, url, 'delegate');
		const values = formText(await readFormBody(request), ['projectId', 'visitedOn', 'body'] as const);
		const parsed = inspectionNoteSchema.safeParse(values);
		if (!parsed.success) return fail(400, { note: { values, errors: translatedFieldErrors(parsed.error) } });
		const posted = await postInspectionNote(db(), delegate.id, parsed.data);
		if (!posted.ok) return fail(400, { note: { values, errors: { projectId: m.delivery_error_not_in_group() } } });
		return { notePosted: parsed.data.projectId };
	}
};
