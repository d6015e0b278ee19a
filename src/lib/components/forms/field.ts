// The ids and ARIA attributes that tie a form control to its hint and its error, in one place for
// every field of the app (Field, TextArea, Select, Check, FieldSet).
import { messageByKey } from '$lib/i18n';

export interface FieldDescription {
	/** The control's id; the hint is `${id}-help`, the error `${id}-error`. */
	id: string;
	hint?: string | null;
	/** The error's text, in the user's language; empty or absent when the field is fine. */
	error?: string | null;
	/** Ids of other elements that describe the control (read after the error and the hint). */
	describedBy?: string | null;
}

/** What every labelled field takes besides its control's own attributes. */
export interface FieldProps extends FieldDescription {
	/** The posted name; the id when absent. */
	name?: string;
	label: string;
	/** The label only for screen readers (the control is labelled by what stands around it). */
	labelHidden?: boolean;
	/** The error is announced at once (a form with no summary of its errors). */
	alert?: boolean;
}

export const hintId = (id: string): string => `${id}-help`;
export const errorId = (id: string): string => `${id}-error`;

/** `aria-invalid` and `aria-describedby` for a control: the error first, then the hint. */
export function fieldAria({ id, hint, error, describedBy }: FieldDescription): {
	'aria-invalid': 'true' | undefined;
	'aria-describedby': string | undefined;
} {
	const ids = [error ? errorId(id) : '', hint ? hintId(id) : '', describedBy ?? ''].filter(Boolean);
	return { 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': ids.join(' ') || undefined };
}

/**
 * The errors of a refused form as text: form actions send Paraglide message keys by field
 * (`{ title: 'residents_error_title_required' }`); the fields show them in the user's language.
 */
export function errorTexts(
	errors: Record<string, string> | null | undefined,
	inputs: Record<string, unknown> = {}
): Record<string, string> {
	return Object.fromEntries(Object.entries(errors ?? {}).map(([field, key]) => [field, messageByKey(key, inputs)]));
}

/**
 * The props each field of one form takes from the form's state: its id (the field's name), its
 * error text and the value to echo. `<Field {...field('title')} label={…} />`.
 */
export function formFields<Values extends object>(
	errors: Record<string, string>,
	values: Values | null | undefined
): (id: keyof Values & string) => { id: string; error: string | undefined; value: string | undefined } {
	return (id) => {
		const value = values?.[id];
		return { id, error: errors[id], value: typeof value === 'string' ? value : undefined };
	};
}
