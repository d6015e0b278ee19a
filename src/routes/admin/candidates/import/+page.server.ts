import { fail } from '@sveltejs/kit';
import { messageByKey } from '$lib/i18n';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { holdsNul } from '$lib/server/form-body';
import { IMPORT_COLUMNS, IMPORT_MAX_BYTES, importCatalog, type ImportProblem } from '$lib/server/catalog/csv-import';
import type { Actions, PageServerLoad } from './$types';

const maxKb = IMPORT_MAX_BYTES / 1024;

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	return { columns: IMPORT_COLUMNS.map(({ key, names, required }) => ({ key, names, required })), maxKb };
};

/** A problem as the report shows it: row, column, and what is wrong in the user's language. */
function reported(problems: ImportProblem[]) {
	return problems.map((problem) => ({
		row: problem.row,
		column: problem.column,
		message: messageByKey(problem.message, problem.inputs ?? {})
	}));
}

const tooLarge = (fileName: string) =>
	fail(413, {
		fileName,
		problems: reported([{ row: null, column: null, message: 'catalog_import_too_large', inputs: { maxKb } }])
	});

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		let form: FormData;
		try {
			form = await request.formData();
		} catch (error) {
			// The server stops reading a body over its limit (BODY_SIZE_LIMIT, 512 KB by default).
			const status =
				(error as { status?: number; cause?: { status?: number } }).status ??
				(error as { cause?: { status?: number } }).cause?.status;
			if (status === 413 || Number(request.headers.get('content-length')) > IMPORT_MAX_BYTES) return tooLarge('');
			return fail(400, {
				fileName: '',
				problems: reported([{ row: null, column: null, message: 'catalog_import_unreadable' }])
			});
		}
		if (holdsNul(form))
			return fail(400, {
				fileName: '',
				problems: reported([{ row: null, column: null, message: 'catalog_import_unreadable' }])
			});
		const file = form.get('file');
		if (!(file instanceof File) || file.size === 0) {
			return fail(400, {
				fileName: '',
				problems: reported([{ row: null, column: null, message: 'catalog_import_no_file' }])
			});
		}
		if (file.size > IMPORT_MAX_BYTES) return tooLarge(file.name);
		const result = await importCatalog(db(), new Uint8Array(await file.arrayBuffer()), {
			actorUserId: staff.id,
			source: file.name
		});
		if (!result.ok) return fail(400, { fileName: file.name, problems: reported(result.problems) });
		return { fileName: file.name, counts: result.counts };
	}
};
