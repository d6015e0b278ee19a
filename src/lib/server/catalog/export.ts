// The candidate list as open data: CSV (UTF-8 with BOM, headers in the reader's language, the
// same columns the import accepts, so an export can be edited and imported again) and JSON.
// Both are built from listCategoriesWithCandidates, like the public pages.
import { formatCsv } from '$lib/domain/csv';
import type { CategoryWithCandidates } from './catalog';
import { IMPORT_COLUMNS, type ImportColumnKey } from './csv-import';

export type CatalogCsvHeaders = Record<ImportColumnKey, string>;

/** One row per candidate in display order; targets one per line inside their cell. */
export function catalogCsv(categories: CategoryWithCandidates[], headers: CatalogCsvHeaders): string {
	const rows = categories.flatMap((category) =>
		category.candidates.map((candidate) => [
			category.name,
			candidate.title,
			candidate.summary,
			candidate.targets.join('\n'),
			candidate.leadDepartment,
			candidate.budgetYuan,
			candidate.expectedCompletion
		])
	);
	return formatCsv([IMPORT_COLUMNS.map((column) => headers[column.key]), ...rows], { bom: true, escapeFormulas: true });
}

/** An empty file to fill in: the header and one example row. */
export function catalogTemplateCsv(headers: CatalogCsvHeaders, example: Record<ImportColumnKey, string>): string {
	return formatCsv(
		[IMPORT_COLUMNS.map((column) => headers[column.key]), IMPORT_COLUMNS.map((column) => example[column.key])],
		{ bom: true }
	);
}

export interface CatalogJson {
	/** True when the list is demo data, not an official list. */
	demo: boolean;
	categoryCount: number;
	candidateCount: number;
	categories: CategoryWithCandidates[];
}

export function catalogJson(categories: CategoryWithCandidates[]): CatalogJson {
	return {
		demo: categories.some((category) => category.isDemo),
		categoryCount: categories.length,
		candidateCount: categories.reduce((sum, category) => sum + category.candidates.length, 0),
		categories
	};
}

/** A Content-Disposition header offering `asciiName` (and `utf8Name` to browsers that read it). */
export function attachmentHeader(asciiName: string, utf8Name: string): string {
	return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}
