// The review's refusals in words (Paraglide keys; input `ids`: the proposals concerned).
import type { MergeProblem } from './merge';

const keys: Record<MergeProblem | 'draft' | 'unchanged', string> = {
	not_found: 'residents_review_problem_not_found',
	wrong_status: 'residents_review_problem_wrong_status',
	candidate_not_found: 'residents_error_merge_candidate_required',
	category_not_found: 'residents_error_category_required',
	title_taken: 'catalog_problem_title_taken',
	draft: 'residents_review_problem_draft',
	unchanged: 'residents_review_problem_unchanged'
};

export function problemKey(problem: keyof typeof keys): string {
	return keys[problem];
}
