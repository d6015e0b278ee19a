import { error, fail, redirect } from '@sveltejs/kit';
import { nextStatuses } from '$lib/domain/proposals';
import { hideFormSchema, reviewFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import {
	getProposalAuthor,
	getProposalForViewer,
	listProposalHistory,
	reviewProposals,
	setProposalHidden
} from '$lib/server/residents/proposals';
import { REVIEW_PROBLEM_MESSAGES } from '$lib/residents-messages';
import type { Actions, PageServerLoad } from './$types';

function proposalId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.residents_problem_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const staff = requireRole(locals, url, 'staff');
	const id = proposalId(params);
	const found = await getProposalForViewer(db(), id, staff);
	if (!found) error(404, m.residents_problem_not_found());
	const [author, history, catalog] = await Promise.all([
		getProposalAuthor(db(), id),
		listProposalHistory(db(), id),
		listCategoriesWithCandidates(db())
	]);
	return {
		proposal: found.proposal,
		next: nextStatuses(found.proposal.status),
		author,
		history,
		catalog: catalog.map((category) => ({
			id: category.id,
			name: category.name,
			candidates: category.candidates.map(({ id: candidateId, title }) => ({ id: candidateId, title }))
		})),
		done: url.searchParams.get('done')
	};
};

export const actions: Actions = {
	review: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = proposalId(params);
		const form = await readFormBody(request);
		const parsed = reviewFormSchema.safeParse({
			proposalIds: [id],
			action: form.get('action'),
			reason: form.get('reason')
		});
		if (!parsed.success)
			return fail(400, { reason: String(form.get('reason') ?? ''), errors: fieldErrors(parsed.error) });
		const result = await reviewProposals(db(), staff.id, [id], parsed.data.action, parsed.data.reason);
		if (!result.ok)
			return fail(409, { reason: parsed.data.reason, errors: { form: REVIEW_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/proposals/${id}?done=${parsed.data.action}`);
	},
	hide: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = proposalId(params);
		const form = await readFormBody(request);
		const parsed = hideFormSchema.safeParse({ reason: form.get('hideReason') });
		if (!parsed.success)
			return fail(400, {
				hideReason: String(form.get('hideReason') ?? ''),
				errors: { hideReason: fieldErrors(parsed.error).reason ?? 'residents_error_hide_reason_required' }
			});
		const result = await setProposalHidden(db(), staff.id, id, { reason: parsed.data.reason });
		if (!result.ok)
			return fail(409, { hideReason: parsed.data.reason, errors: { form: REVIEW_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/proposals/${id}?done=hide`);
	},
	unhide: async ({ locals, url, params }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = proposalId(params);
		const result = await setProposalHidden(db(), staff.id, id, null);
		if (!result.ok) return fail(409, { errors: { form: REVIEW_PROBLEM_MESSAGES[result.problem] } });
		redirect(303, `/admin/proposals/${id}?done=unhide`);
	}
};
