// Words for the satisfaction evaluation, shared by pages, the projector and exports.
import type { SatisfactionGrade } from '$lib/domain/satisfaction';
import type { EvaluationChoice } from '$lib/domain/types';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

export function gradeLabel(grade: SatisfactionGrade): string {
	return {
		satisfied: m.evaluation_grade_satisfied,
		basically_satisfied: m.evaluation_grade_basically_satisfied,
		unsatisfied: m.evaluation_grade_unsatisfied
	}[grade]();
}

export function choiceLabel(choice: EvaluationChoice): string {
	return {
		satisfied: m.evaluation_satisfied,
		basically_satisfied: m.evaluation_basically_satisfied,
		unsatisfied: m.evaluation_unsatisfied,
		abstain: m.evaluation_abstain
	}[choice]();
}

/** A rate as a percentage with one decimal; a dash when nobody answered. */
export function formatRate(rate: number | null): string {
	if (rate === null) return '—';
	return new Intl.NumberFormat(getLocale(), {
		style: 'percent',
		minimumFractionDigits: 1,
		maximumFractionDigits: 1
	}).format(rate);
}
