import { fail, redirect } from '@sveltejs/kit';
import { campaignPhase } from '$lib/domain/proposals';
import { CAMPAIGN_FIELDS, campaignFormSchema } from '$lib/domain/residents-schemas';
import { fieldErrors } from '$lib/domain/schemas';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import { formText } from '$lib/server/catalog/forms';
import { createCampaign, listCampaigns } from '$lib/server/residents/campaigns';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const now = new Date();
	const campaigns = (await listCampaigns(db())).map((campaign) => ({
		...campaign,
		phase: campaignPhase(campaign, now)
	}));
	return { campaigns, created: url.searchParams.has('created') };
};

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const values = formText(await readFormBody(request), CAMPAIGN_FIELDS);
		const parsed = campaignFormSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, errors: fieldErrors(parsed.error) });
		await createCampaign(db(), parsed.data, staff.id);
		redirect(303, '/admin/campaigns?created=1');
	}
};
