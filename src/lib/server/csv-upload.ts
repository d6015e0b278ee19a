// An uploaded CSV file as text. decodeUtf8 accepts a NUL character (it is valid UTF-8), but a NUL
// in a "CSV" means a UTF-16 or binary file, and PostgreSQL cannot store it: such a file is
// refused the way a file in another encoding is.
import { decodeUtf8, type CsvError } from '$lib/domain/csv';

export function decodeCsvUpload(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: CsvError } {
	const decoded = decodeUtf8(bytes);
	if (decoded.ok && decoded.text.includes('\0')) return { ok: false, error: { row: 1, line: 1, code: 'not_utf8' } };
	return decoded;
}
