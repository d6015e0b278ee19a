// What the catalog's services can refuse (src/lib/server/catalog/manage.ts); their messages are in
// src/lib/catalog-messages.ts.

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
