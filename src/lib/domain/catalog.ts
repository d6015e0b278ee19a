// Categories and candidates as the pages show them, and what the catalog's services can refuse
// (src/lib/server/catalog/manage.ts; their messages are in src/lib/catalog-messages.ts). Pure types.

export interface Candidate {
	id: number;
	categoryId: number;
	categoryName: string;
	title: string;
	summary: string;
	targets: string[];
	leadDepartment: string;
	budgetYuan: number | null;
	expectedCompletion: string | null;
	isDemo: boolean;
	/** The year whose candidate list it belongs to. */
	year: number;
}

export interface CategoryWithCandidates {
	id: number;
	name: string;
	position: number;
	isDemo: boolean;
	candidates: Candidate[];
}

export type CatalogProblem =
	| 'not_found'
	| 'category_not_found'
	| 'title_taken'
	| 'name_taken'
	/** The candidate is listed by a voting session that has left the draft status. */
	| 'frozen'
	/** The category holds such a candidate: its name is what the ballots show. */
	| 'category_frozen'
	| 'category_not_empty'
	/** A draft session still lists the candidate. */
	| 'in_session'
	/** Merged proposals or a selection round point at the candidate. */
	| 'has_provenance';

/** The form field a problem belongs to, where it belongs to one. */
export const CATALOG_PROBLEM_FIELDS: Partial<Record<CatalogProblem, string>> = {
	category_not_found: 'categoryId',
	title_taken: 'title',
	name_taken: 'name'
};
