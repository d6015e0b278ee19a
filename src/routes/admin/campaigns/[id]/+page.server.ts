import { error, fail, redirect } from '@sveltejs/kit';
import { CAMPAIGN_FIELDS, campaignFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import { getCampaign, updateCampaign } from '$lib/server/residents/campaigns';
import { toBeijingLocal } from '$lib/server/voting/session-form';
import type { Actions, PageServerLoad } from './$types';

function campaignId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.residents_campaign_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const campaign = await getCampaign(db(), campaignId(params));
	if (!campaign) error(404, m.residents_campaign_not_found());
	return {
		campaign,
		values: {
			title: campaign.title,
			year: String(campaign.year),
			opensAt: toBeijingLocal(campaign.opensAt),
			closesAt: toBeijingLocal(campaign.closesAt),
			criteria: campaign.criteria
		},
		saved: url.searchParams.has('saved')
	};
};

export const actions: Actions = {
	save: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = campaignId(params);
		const values = formText(await readFormBody(request), CAMPAIGN_FIELDS);
		const parsed = campaignFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error) });
		if (!(await updateCampaign(db(), id, parsed.data, staff.id))) error(404, m.residents_campaign_not_found());
		redirect(303, `/admin/campaigns/${id}?saved=1`);
	}
};
