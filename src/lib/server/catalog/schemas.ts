// Input schemas of the catalog: the staff forms and the rows of an imported CSV share the field
// rules. Each error message is a Paraglide message key (messages/catalog), translated where shown.
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';

export const CATEGORY_NAME_MAX = 50;
export const TITLE_MAX = 200;
export const SUMMARY_MAX = 2000;
export const TARGET_MAX = 300;
export const TARGETS_MAX = 20;
export const LEAD_DEPARTMENT_MAX = 100;
/** 1 trillion yuan: far above any municipal project, far below Number.MAX_SAFE_INTEGER. */
export const BUDGET_MAX = 1_000_000_000_000;
export const POSITION_MAX = 10_000;

/** Text from a form or a cell: a missing field reads as empty. */
const text = z
	.string()
	.nullish()
	.transform((value) => value ?? '');

export const categoryNameSchema = text.pipe(
	z
		.string()
		.trim()
		.min(1, { error: 'catalog_error_category_name_required' })
		.max(CATEGORY_NAME_MAX, { error: 'catalog_error_category_name_too_long' })
);

export const titleSchema = text.pipe(
	z
		.string()
		.trim()
		.min(1, { error: 'catalog_error_title_required' })
		.max(TITLE_MAX, { error: 'catalog_error_title_too_long' })
);

const summarySchema = text.pipe(z.string().trim().max(SUMMARY_MAX, { error: 'catalog_error_summary_too_long' }));

const leadDepartmentSchema = text.pipe(
	z.string().trim().max(LEAD_DEPARTMENT_MAX, { error: 'catalog_error_lead_department_too_long' })
);

/**
 * Quantified targets written one per line (a form's text area), or — in an imported cell — also
 * separated by semicolons (";" or "；"). Blank entries are dropped.
 */
export function splitTargets(value: string, separators: 'lines' | 'lines_and_semicolons'): string[] {
	const pattern = separators === 'lines' ? /\r\n|\r|\n/ : /\r\n|\r|\n|;|；/;
	return value
		.split(pattern)
		.map((target) => target.trim())
		.filter((target) => target !== '');
}

function targetsSchema(separators: 'lines' | 'lines_and_semicolons') {
	return text
		.transform((value) => splitTargets(value, separators))
		.pipe(
			z
				.array(z.string().max(TARGET_MAX, { error: 'catalog_error_target_too_long' }))
				.max(TARGETS_MAX, { error: 'catalog_error_too_many_targets' })
		);
}

/**
 * An amount in whole yuan: digits, optionally grouped by commas or spaces ("1,200,000");
 * empty means not estimated (null).
 */
export const budgetYuanSchema = text.transform((value, context): number | null => {
	const digits = value.trim().replace(/[,，\s]/g, '');
	if (digits === '') return null;
	if (!/^\d+$/.test(digits) || Number(digits) > BUDGET_MAX) {
		context.issues.push({ code: 'custom', message: 'catalog_error_budget_invalid', input: value });
		return z.NEVER;
	}
	return Number(digits);
});

/**
 * A calendar date as YYYY-MM-DD (a date field, the documented CSV format), also accepted as
 * YYYY/M/D (how spreadsheet programs often save dates); empty means not set (null).
 * The result is YYYY-MM-DD.
 */
export const dateSchema = text.transform((value, context): string | null => {
	const trimmed = value.trim();
	if (trimmed === '') return null;
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed) ?? /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(trimmed);
	const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
	const date = new Date(Date.UTC(year, month - 1, day));
	const valid =
		match !== null &&
		year >= 2000 &&
		year <= 2100 &&
		date.getUTCFullYear() === year &&
		date.getUTCMonth() === month - 1 &&
		date.getUTCDate() === day;
	if (!valid) {
		context.issues.push({ code: 'custom', message: 'catalog_error_date_invalid', input: value });
		return z.NEVER;
	}
	return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
});

/** An optional place in a list, counted from 1; empty means "at the end" (or "where it is"). */
export const positionSchema = text.transform((value, context): number | null => {
	const trimmed = value.trim();
	if (trimmed === '') return null;
	if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > POSITION_MAX) {
		context.issues.push({ code: 'custom', message: 'catalog_error_position_invalid', input: value });
		return z.NEVER;
	}
	return Number(trimmed);
});

/** The fields a candidate has wherever it comes from. */
function candidateFields(targetSeparators: 'lines' | 'lines_and_semicolons') {
	return {
		title: titleSchema,
		summary: summarySchema,
		targets: targetsSchema(targetSeparators),
		leadDepartment: leadDepartmentSchema,
		budgetYuan: budgetYuanSchema,
		expectedCompletion: dateSchema
	};
}

/** The category form. */
export const categoryFormSchema = z.object({
	name: categoryNameSchema,
	position: positionSchema
});

/** The candidate form: targets one per line. */
export const candidateFormSchema = z.object({
	categoryId: text.transform((value, context): number => {
		const parsed = idSchema.safeParse(value.trim());
		if (!parsed.success) {
			context.issues.push({ code: 'custom', message: 'catalog_error_category_required', input: value });
			return z.NEVER;
		}
		return parsed.data;
	}),
	position: positionSchema,
	...candidateFields('lines')
});

/** One imported row: the category by name; targets separated by lines or semicolons. */
export const importRowSchema = z.object({
	category: categoryNameSchema,
	...candidateFields('lines_and_semicolons')
});

/** Moving an item one place up or down in its list. */
export const moveFormSchema = z.object({
	id: idSchema,
	direction: z.enum(['up', 'down'], { error: 'error_not_found' })
});

/** The fields of the candidate form, as named in the HTML. */
export const CANDIDATE_FORM_FIELDS = [
	'categoryId',
	'position',
	'title',
	'summary',
	'targets',
	'leadDepartment',
	'budgetYuan',
	'expectedCompletion'
] as const;
export const CATEGORY_FORM_FIELDS = ['name', 'position'] as const;
