// The CSV column titles in the reader's language (the import accepts them too).
import { m } from '$lib/paraglide/messages';
import type { CatalogCsvHeaders } from './export';

export function catalogCsvHeaders(): CatalogCsvHeaders {
	return {
		category: m.catalog_column_category(),
		title: m.catalog_column_title(),
		summary: m.catalog_column_summary(),
		targets: m.catalog_column_targets(),
		lead_department: m.catalog_column_lead_department(),
		budget_yuan: m.catalog_column_budget_yuan(),
		expected_completion: m.catalog_column_expected_completion()
	};
}
