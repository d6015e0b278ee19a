import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { attachmentHeader, catalogTemplateCsv } from '$lib/server/catalog/export';
import { catalogCsvHeaders } from '$lib/server/catalog/headers';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const csv = catalogTemplateCsv(catalogCsvHeaders(), {
		category: m.catalog_template_category(),
		title: m.catalog_template_title(),
		summary: m.catalog_template_summary(),
		targets: m.catalog_template_targets(),
		lead_department: m.catalog_template_lead_department(),
		budget_yuan: '12000000',
		expected_completion: '2022-12-31'
	});
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': attachmentHeader('candidates-template.csv', `${m.catalog_template_file_name()}.csv`),
			'cache-control': 'no-store'
		}
	});
};
