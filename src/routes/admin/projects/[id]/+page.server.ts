import { error, fail } from '@sveltejs/kit';
import { memberReferenceSchema, noteReviewSchema } from '$lib/domain/delivery';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { db } from '$lib/server/db';
import { postUpdateAction } from '$lib/server/delivery/forms';
import { addGroupMember, removeGroupMember, reviewInspectionNote } from '$lib/server/delivery/monitoring';
import { getProject } from '$lib/server/delivery/projects';
import { projectWorkspace } from '$lib/server/delivery/workspace';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

function projectIdOf(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_not_found());
	return id.data;
}

async function existingProjectId(params: { id: string }): Promise<number> {
	const id = projectIdOf(params);
	if (!(await getProject(db(), id))) error(404, m.error_not_found());
	return id;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const project = await getProject(db(), projectIdOf(params));
	if (!project) error(404, m.error_not_found());
	return { project, ...(await projectWorkspace(db(), project.id, 'staff')) };
};

export const actions: Actions = {
	postUpdate: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		return postUpdateAction(db(), request, staff, projectIdOf(params));
	},
	addMember: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const projectId = await existingProjectId(params);
		const values = formText(await readFormBody(request), ['delegate'] as const);
		const parsed = memberReferenceSchema.safeParse(values);
		if (!parsed.success) return fail(400, { member: { values, errors: translatedFieldErrors(parsed.error) } });
		const added = await addGroupMember(db(), projectId, parsed.data.delegate, staff.id);
		if (!added.ok) {
			const message =
				added.error === 'already_member' ? m.delivery_error_already_member() : m.delivery_error_delegate_unknown();
			return fail(400, { member: { values, errors: { delegate: message } } });
		}
		return { memberAdded: added.delegateName };
	},
	removeMember: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const projectId = await existingProjectId(params);
		const delegateId = idSchema.safeParse((await readFormBody(request)).get('delegateId'));
		if (!delegateId.success) return fail(400, { memberError: m.delivery_error_not_member() });
		const removed = await removeGroupMember(db(), projectId, delegateId.data, staff.id);
		if (!removed.ok) return fail(400, { memberError: m.delivery_error_not_member() });
		return { memberRemoved: removed.delegateName };
	},
	reviewNote: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const projectId = await existingProjectId(params);
		const form = await readFormBody(request);
		const parsed = noteReviewSchema.safeParse(formText(form, ['noteId', 'decision'] as const));
		if (!parsed.success) return fail(400, { noteError: m.delivery_error_note_unknown() });
		const reviewed = await reviewInspectionNote(db(), projectId, parsed.data.noteId, parsed.data.decision, staff.id);
		if (!reviewed.ok)
			return fail(400, {
				noteError:
					reviewed.error === 'already_reviewed' ? m.delivery_error_note_reviewed() : m.delivery_error_note_unknown()
			});
		return { noteReviewed: parsed.data.decision };
	}
};
