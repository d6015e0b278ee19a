import { fail, redirect } from '@sveltejs/kit';
import { PUBLIC_PROPOSAL_STATUSES } from '$lib/domain/proposals';
import { mergeFormSchema, parseProposalQuery, reviewFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors } from '$lib/domain/schemas';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { listCategoriesWithCandidates } from '$lib/server/catalog/catalog';
import { listCampaigns } from '$lib/server/residents/campaigns';
import { mergeProposals } from '$lib/server/residents/merge';
import { listProposals, reviewProposals } from '$lib/server/residents/proposals';
import { REVIEW_PROBLEM_MESSAGES } from '$lib/residents-messages';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const query = parseProposalQuery(url.searchParams, PUBLIC_PROPOSAL_STATUSES);
	const [result, campaigns, catalog] = await Promise.all([
		listProposals(db(), query, 'staff'),
		listCampaigns(db()),
		listCategoriesWithCandidates(db())
	]);
	return {
		query,
		result,
		campaigns,
		catalog: catalog.map((category) => ({
			id: category.id,
			name: category.name,
			candidates: category.candidates.map(({ id, title }) => ({ id, title }))
		})),
		done: url.searchParams.get('done'),
		count: Number(url.searchParams.get('count') ?? 0),
		mergedInto: Number(url.searchParams.get('candidate') ?? 0)
	};
};

/** The queue's URL with its filters, without the action, plus `extra`. */
function backToQueue(url: URL, extra: Record<string, string>): string {
	const params = new URLSearchParams();
	for (const [name, value] of url.searchParams)
		if (!name.startsWith('/') && !['done', 'count', 'candidate'].includes(name)) params.set(name, value);
	for (const [name, value] of Object.entries(extra)) params.set(name, value);
	return `/admin/proposals?${params}`;
}

/** What the action forms send back on a refusal, so nothing chosen or typed is lost. */
function echo(form: FormData) {
	const text = (name: string) => String(form.get(name) ?? '');
	return {
		selected: form.getAll('proposal').map(String),
		reason: text('reason'),
		target: text('target'),
		candidateId: text('candidateId'),
		categoryId: text('categoryId'),
		title: text('title'),
		summary: text('summary')
	};
}

export const actions: Actions = {
	review: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const form = await readFormBody(request);
		const parsed = reviewFormSchema.safeParse({
			proposalIds: form.getAll('proposal'),
			action: form.get('action'),
			reason: form.get('reason')
		});
		if (!parsed.success) return fail(400, { ...echo(form), errors: fieldErrors(parsed.error), ids: '' });
		const result = await reviewProposals(
			db(),
			staff.id,
			parsed.data.proposalIds,
			parsed.data.action,
			parsed.data.reason
		);
		if (!result.ok)
			return fail(409, {
				...echo(form),
				errors: { form: REVIEW_PROBLEM_MESSAGES[result.problem] },
				ids: result.proposalIds.map((id) => `#${id}`).join('、')
			});
		redirect(303, backToQueue(url, { done: parsed.data.action, count: String(result.count) }));
	},
	merge: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const form = await readFormBody(request);
		const parsed = mergeFormSchema.safeParse({
			proposalIds: form.getAll('proposal'),
			target: form.get('target'),
			candidateId: form.get('candidateId'),
			categoryId: form.get('categoryId'),
			title: form.get('title'),
			summary: form.get('summary'),
			reason: form.get('reason')
		});
		if (!parsed.success) return fail(400, { ...echo(form), errors: fieldErrors(parsed.error), ids: '' });
		const result = await mergeProposals(db(), staff.id, parsed.data);
		if (!result.ok)
			return fail(409, {
				...echo(form),
				errors: { form: REVIEW_PROBLEM_MESSAGES[result.problem] },
				ids: (result.proposalIds ?? []).map((id) => `#${id}`).join('、')
			});
		redirect(
			303,
			backToQueue(url, {
				done: 'merge',
				count: String(new Set(parsed.data.proposalIds).size),
				candidate: String(result.candidateId)
			})
		);
	}
};
