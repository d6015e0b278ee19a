// Reading the body of a form post. SvelteKit lets any form content type through to an action,
// text/plain included, which request.formData() cannot read; a broken multipart body throws too.
// Those, and text holding a NUL character (PostgreSQL cannot store it; no browser form sends it),
// are the client's mistake: a 400 (413 over the body limit), never a 500 from deep inside.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';

/** The HTTP status an error carries, if any (SvelteKit's body-limit error is a 413). */
function statusOf(cause: unknown): number | undefined {
	const withStatus = cause as { status?: unknown; cause?: { status?: unknown } } | null;
	const status = withStatus?.status ?? withStatus?.cause?.status;
	return typeof status === 'number' ? status : undefined;
}

/** Whether a form holds a NUL character: in a field name, a text value or a file name. */
export function holdsNul(form: FormData): boolean {
	for (const [name, value] of form) {
		if (name.includes('\0') || (typeof value === 'string' ? value : value.name).includes('\0')) return true;
	}
	return false;
}

/** The posted form, or an error page (400, or 413 for a body over the limit). */
export async function readFormBody(request: Request): Promise<FormData> {
	let form: FormData;
	try {
		form = await request.formData();
	} catch (cause) {
		error(statusOf(cause) === 413 ? 413 : 400, m.error_unexpected());
	}
	if (holdsNul(form)) error(400, m.error_unexpected());
	return form;
}
