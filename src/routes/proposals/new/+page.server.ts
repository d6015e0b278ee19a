import { error, fail, redirect } from '@sveltejs/kit';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { PROPOSAL_FIELDS, proposalFormSchema } from '$lib/domain/residents-schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import { listCategoryOptions } from '$lib/server/catalog/manage';
import { listOpenCampaigns } from '$lib/server/residents/campaigns';
import { PROPOSAL_PROBLEM_MESSAGES } from '$lib/residents-messages';
import { getDraftForAuthor, saveProposal } from '$lib/server/residents/proposals';
import type { Actions, PageServerLoad } from './$types';

/** A resident, or a 403 for a signed-in user without the role (anonymous visitors see how to sign in). */
function requireResident(locals: App.Locals) {
	if (locals.user && !locals.user.roles.includes('resident')) error(403, m.residents_error_residents_only());
	return locals.user;
}

/** The form's values from a stored draft (the cost back in 万元). */
function draftValues(
	draft: NonNullable<Awaited<ReturnType<typeof getDraftForAuthor>>>
): Record<(typeof PROPOSAL_FIELDS)[number], string> {
	return {
		campaignId: String(draft.campaignId),
		title: draft.title,
		categoryId: draft.categoryId === null ? '' : String(draft.categoryId),
		district: draft.district ?? '',
		problem: draft.problem,
		measure: draft.measure,
		beneficiaries: draft.beneficiaries,
		estimatedCost: draft.estimatedCostYuan === null ? '' : String(draft.estimatedCostYuan / 10_000),
		contact: draft.contact
	};
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireResident(locals);
	if (!user) return { signedIn: false as const };
	const [campaigns, categories] = await Promise.all([listOpenCampaigns(db()), listCategoryOptions(db())]);
	const draftId = idSchema.safeParse(url.searchParams.get('draft'));
	const draft = draftId.success ? await getDraftForAuthor(db(), user.id, draftId.data) : null;
	if (draftId.success && !draft) error(404, m.residents_problem_not_found());
	return {
		signedIn: true as const,
		campaigns,
		categories,
		draftId: draft?.id ?? null,
		values: draft ? draftValues(draft) : null,
		saved: url.searchParams.has('saved')
	};
};

async function save(request: Request, locals: App.Locals, mode: 'draft' | 'submit') {
	const user = requireResident(locals);
	if (!user) redirect(303, '/login?redirectTo=%2Fproposals%2Fnew');
	const form = await readFormBody(request);
	const values = formText(form, PROPOSAL_FIELDS);
	const draftIdText = String(form.get('draftId') ?? '');
	const draftId = draftIdText === '' ? null : idSchema.safeParse(draftIdText);
	if (draftId && !draftId.success) error(404, m.residents_problem_not_found());
	const parsed = proposalFormSchema(mode).safeParse(values);
	if (!parsed.success) return fail(400, { values, draftId: draftIdText, errors: fieldErrors(parsed.error) });
	const result = await saveProposal(db(), user.id, draftId ? draftId.data : null, parsed.data, mode);
	if (!result.ok) {
		const field = result.problem === 'category_not_found' ? 'categoryId' : 'form';
		return fail(409, {
			values,
			draftId: draftIdText,
			errors: { [field]: PROPOSAL_PROBLEM_MESSAGES[result.problem] }
		});
	}
	redirect(
		303,
		mode === 'submit' ? `/proposals/${result.id}?submitted=1` : `/proposals/new?draft=${result.id}&saved=1`
	);
}

export const actions: Actions = {
	save: ({ request, locals }) => save(request, locals, 'draft'),
	submit: ({ request, locals }) => save(request, locals, 'submit')
};
