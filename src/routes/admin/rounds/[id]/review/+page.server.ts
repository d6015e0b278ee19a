import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { reasonSchema } from '$lib/domain/verification';
import { m } from '$lib/paraglide/messages';
import { ROUND_PROBLEM_MESSAGES } from '$lib/residents-messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import {
	BURST_MIN_SUPPORTS,
	CLUSTER_MIN_ACCOUNTS,
	FRESH_ACCOUNT_HOURS,
	FRESH_MIN_ACCOUNTS,
	irregularActivityReport
} from '$lib/server/residents/irregular-activity';
import { excludeSupports, getRound } from '$lib/server/residents/selection';
import type { Actions, PageServerLoad } from './$types';

function roundId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.residents_round_not_found());
	return id.data;
}

const exclusionSchema = z.object({
	residentIds: z
		.array(idSchema, { error: 'verification_error_no_accounts' })
		.min(1, { error: 'verification_error_no_accounts' }),
	reason: reasonSchema
});

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const id = roundId(params);
	const round = await getRound(db(), id);
	if (!round) error(404, m.residents_round_not_found());
	return {
		round,
		report: await irregularActivityReport(db(), id),
		thresholds: {
			cluster: CLUSTER_MIN_ACCOUNTS,
			freshHours: FRESH_ACCOUNT_HOURS,
			freshMin: FRESH_MIN_ACCOUNTS,
			burst: BURST_MIN_SUPPORTS
		},
		excluded: url.searchParams.get('excluded')
	};
};

export const actions: Actions = {
	exclude: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const id = roundId(params);
		const form = await readFormBody(request);
		const reason = String(form.get('reason') ?? '');
		const chosen = form.getAll('resident').map(String);
		const parsed = exclusionSchema.safeParse({ residentIds: [...new Set(chosen)], reason });
		if (!parsed.success) {
			const errors: Record<string, string> = {};
			for (const issue of parsed.error.issues) {
				const field = issue.path[0] === 'reason' ? 'reason' : 'form';
				errors[field] ??= issue.message;
			}
			return fail(400, { errors, reason, chosen });
		}
		const result = await excludeSupports(db(), id, parsed.data.residentIds, parsed.data.reason, staff.id);
		if (!result.ok) {
			return fail(409, {
				errors: { form: ROUND_PROBLEM_MESSAGES[result.problem] },
				reason,
				chosen
			});
		}
		redirect(303, `/admin/rounds/${id}/review?excluded=${result.excluded}`);
	}
};
