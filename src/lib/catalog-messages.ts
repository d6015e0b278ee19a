// The catalog's failures in the user's language: one message per problem a catalog service returns
// (src/lib/server/catalog/manage.ts). A problem without a message does not compile, and
// tests/unit/failure-messages.test.ts fails when one lacks its Chinese or English text.
import type { CatalogProblem } from '$lib/domain/catalog';
import { m } from '$lib/paraglide/messages';

/** Each problem's message; `sessions` names the voting sessions concerned (joined with 、). */
export const CATALOG_PROBLEM_MESSAGES: Record<CatalogProblem, (sessions: string) => string> = {
	not_found: () => m.catalog_problem_not_found(),
	category_not_found: () => m.catalog_problem_category_not_found(),
	title_taken: () => m.catalog_problem_title_taken(),
	name_taken: () => m.catalog_problem_name_taken(),
	frozen: (sessions) => m.catalog_problem_frozen({ sessions }),
	category_frozen: (sessions) => m.catalog_problem_category_frozen({ sessions }),
	category_not_empty: () => m.catalog_problem_category_not_empty(),
	in_session: (sessions) => m.catalog_problem_in_session({ sessions }),
	has_provenance: () => m.catalog_problem_has_provenance()
};

/** A catalog problem in the user's language, naming the sessions concerned where it has any. */
export function catalogProblemMessage(problem: CatalogProblem, sessionTitles: readonly string[] = []): string {
	return CATALOG_PROBLEM_MESSAGES[problem](sessionTitles.join('、'));
}
