// Small pieces the catalog's form actions share: reading a form's text fields (to give them back
// to the form on error) and putting a problem into words.
import type { ZodError } from 'zod';
import { fieldErrors } from '$lib/domain/schemas';
import { catalogProblemMessage } from '$lib/catalog-messages';
import { CATALOG_PROBLEM_FIELDS } from '$lib/domain/catalog';
import { messageByKey } from '$lib/i18n';
import type { CatalogFailure } from './manage';

/** The text fields of a form, to show again as typed (files and missing fields read as ''). */
export function formText<K extends string>(form: FormData, fields: readonly K[]): Record<K, string> {
	const values = {} as Record<K, string>;
	for (const field of fields) {
		const value = form.get(field);
		values[field] = typeof value === 'string' ? value : '';
	}
	return values;
}

/** A problem in the user's language, and the field it belongs to ('form' when none). */
export function describeProblem(failure: CatalogFailure): { field: string; message: string } {
	return {
		field: CATALOG_PROBLEM_FIELDS[failure.error] ?? 'form',
		message: catalogProblemMessage(
			failure.error,
			(failure.sessions ?? []).map((use) => use.title)
		)
	};
}

/** The first error of each field of a failed parse, in the user's language. */
export function translatedFieldErrors(error: ZodError): Record<string, string> {
	return Object.fromEntries(Object.entries(fieldErrors(error)).map(([field, key]) => [field, messageByKey(key)]));
}
