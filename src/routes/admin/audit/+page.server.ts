import { messageByKey } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { auditFilterChoices, auditFilterSchema, searchAuditEntries } from '$lib/server/audit/browse';
import { verifyAuditChainAs } from '$lib/server/audit/verify';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

const FILTER_FIELDS = ['session', 'action', 'actor', 'from', 'to', 'before', 'after'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff', 'scrutineer');
	const values = Object.fromEntries(FILTER_FIELDS.map((field) => [field, url.searchParams.get(field) ?? ''])) as Record<
		(typeof FILTER_FIELDS)[number],
		string
	>;
	const parsed = auditFilterSchema.safeParse(values);
	const choices = await auditFilterChoices(db());
	if (!parsed.success) {
		const errors: Record<string, string> = {};
		for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'form')] ??= messageByKey(issue.message);
		return { values, errors, choices, page: null };
	}
	return { values, errors: {} as Record<string, string>, choices, page: await searchAuditEntries(db(), parsed.data) };
};

export const actions: Actions = {
	verify: async ({ locals, url }) => {
		const user = requireRole(locals, url, 'staff', 'scrutineer');
		return { verification: await verifyAuditChainAs(db(), user.id) };
	}
};
