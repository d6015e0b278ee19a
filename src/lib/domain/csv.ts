// CSV as RFC 4180 describes it, for imports (candidates, the delegate roster) and exports.
// Reading: UTF-8 with or without a byte order mark, quoted fields (with "" for a quote and
// embedded commas and line breaks), CRLF or LF line ends, and an error per row instead of a throw.
// Writing: CRLF line ends, quoting where needed, optionally a BOM so spreadsheet programs show
// Chinese correctly. Pure: no I/O. Error codes name Paraglide messages in CSV_ERROR_MESSAGE_KEYS.

export type CsvErrorCode =
	/** The bytes are not UTF-8 (for example a spreadsheet saved as GBK "CSV"). */
	| 'not_utf8'
	/** A quoted field is never closed: the rest of the file was read as one field. */
	| 'unterminated_quote'
	/** A field that is not enclosed in quotes contains a quote. */
	| 'quote_in_unquoted_field'
	/** Something other than a comma or a line end follows a field's closing quote. */
	| 'text_after_closing_quote'
	/** The file holds no header row. */
	| 'empty_file'
	/** A header cell is empty while cells to its right are not. */
	| 'blank_header'
	/** Two header cells hold the same name. */
	| 'duplicate_header'
	/** A row has a different number of fields from the header. */
	| 'wrong_field_count';

/** The Paraglide message for each error code; its inputs are the error's `column`, `expected`, `actual`, `name`. */
export const CSV_ERROR_MESSAGE_KEYS: Record<CsvErrorCode, string> = {
	not_utf8: 'catalog_csv_not_utf8',
	unterminated_quote: 'catalog_csv_unterminated_quote',
	quote_in_unquoted_field: 'catalog_csv_quote_in_unquoted_field',
	text_after_closing_quote: 'catalog_csv_text_after_closing_quote',
	empty_file: 'catalog_csv_empty_file',
	blank_header: 'catalog_csv_blank_header',
	duplicate_header: 'catalog_csv_duplicate_header',
	wrong_field_count: 'catalog_csv_wrong_field_count'
};

export interface CsvRecord {
	/**
	 * 1-based record number, blank records included: the row number a spreadsheet shows
	 * (a line break inside a quoted field does not start a new row).
	 */
	row: number;
	/** 1-based line of the file where the record starts (what a text editor shows). */
	line: number;
	fields: string[];
}

export interface CsvError {
	row: number;
	line: number;
	code: CsvErrorCode;
	/** 1-based field position, where the error concerns one field. */
	column?: number;
	/** For wrong_field_count: the header's and the row's number of fields. */
	expected?: number;
	actual?: number;
	/** For duplicate_header: the repeated name. */
	name?: string;
}

export interface CsvParseResult {
	/** Records without errors; blank lines are left out (but counted in `row`). */
	records: CsvRecord[];
	errors: CsvError[];
}

export interface CsvReadOptions {
	/** One character; "," unless told. */
	delimiter?: string;
}

const BOM = '\uFEFF';

/** Decodes UTF-8 bytes, dropping a leading byte order mark; refuses anything that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: CsvError } {
	try {
		// fatal: invalid sequences throw; ignoreBOM false: a leading BOM is consumed.
		return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
	} catch {
		return { ok: false, error: { row: 1, line: 1, code: 'not_utf8' } };
	}
}

/** Parses CSV text into records. Never throws: a malformed row becomes an error and reading goes on at the next line. */
export function parseCsv(input: string, options: CsvReadOptions = {}): CsvParseResult {
	const delimiter = options.delimiter ?? ',';
	if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
		throw new Error(
			`a CSV delimiter is one character other than a quote or a line break, not ${JSON.stringify(delimiter)}`
		);
	}
	const text = input.startsWith(BOM) ? input.slice(1) : input;
	const length = text.length;
	const records: CsvRecord[] = [];
	const errors: CsvError[] = [];
	let index = 0;
	let line = 1;
	let row = 0;

	const isLineEnd = (character: string | undefined) => character === '\r' || character === '\n';
	/** Consumes one line end (CRLF, LF or a lone CR) at `index`, if there is one. */
	const consumeLineEnd = () => {
		if (text[index] === '\r') index += text[index + 1] === '\n' ? 2 : 1;
		else if (text[index] === '\n') index += 1;
		else return;
		line += 1;
	};
	/** After an error: skip the rest of the physical line. */
	const skipLine = () => {
		while (index < length && !isLineEnd(text[index])) index += 1;
		consumeLineEnd();
	};

	while (index < length) {
		row += 1;
		const startLine = line;
		const fields: string[] = [];
		let quotedAny = false;
		let error: CsvError | null = null;

		for (;;) {
			const column = fields.length + 1;
			if (text[index] === '"') {
				quotedAny = true;
				index += 1;
				let value = '';
				let closed = false;
				while (index < length) {
					const character = text[index] as string;
					if (character === '"') {
						if (text[index + 1] === '"') {
							value += '"';
							index += 2;
							continue;
						}
						index += 1;
						closed = true;
						break;
					}
					if (character === '\n' || (character === '\r' && text[index + 1] !== '\n')) line += 1;
					value += character;
					index += 1;
				}
				if (!closed) {
					error = { row, line: startLine, code: 'unterminated_quote', column };
					break;
				}
				if (index < length && text[index] !== delimiter && !isLineEnd(text[index])) {
					error = { row, line, code: 'text_after_closing_quote', column };
					skipLine();
					break;
				}
				fields.push(value);
			} else {
				const start = index;
				while (index < length && text[index] !== delimiter && !isLineEnd(text[index])) {
					if (text[index] === '"') error ??= { row, line, code: 'quote_in_unquoted_field', column };
					index += 1;
				}
				if (error) {
					skipLine();
					break;
				}
				fields.push(text.slice(start, index));
			}
			if (index >= length) break;
			if (text[index] === delimiter) {
				index += 1;
				continue;
			}
			consumeLineEnd();
			break;
		}

		if (error) errors.push(error);
		else if (!(fields.length === 1 && fields[0] === '' && !quotedAny)) records.push({ row, line: startLine, fields });
	}
	return { records, errors };
}

export interface CsvTable {
	/** The header's names as written (trimmed), trailing empty cells dropped. */
	header: string[];
	/** The header's row number (1 unless blank lines come first). */
	headerRow: number;
	/** Data rows with exactly as many fields as the header; rows of empty cells are left out. */
	rows: CsvRecord[];
	errors: CsvError[];
}

/**
 * A CSV file with a header row: the first record with a non-empty cell. Rows whose cells are all empty
 * (spreadsheets write them) are skipped; empty cells past the header's last column are dropped;
 * any other difference in the number of fields is an error for that row.
 */
export function parseCsvTable(input: string, options: CsvReadOptions = {}): CsvTable {
	const { records, errors } = parseCsv(input, options);
	const isEmpty = (record: CsvRecord) => record.fields.every((field) => field.trim() === '');
	const headerRecord = records.find((record) => !isEmpty(record));
	const headerError = errors.find((error) => headerRecord === undefined || error.row < headerRecord.row);
	if (headerError) return { header: [], headerRow: headerError.row, rows: [], errors: [headerError] };
	if (!headerRecord) return { header: [], headerRow: 1, rows: [], errors: [{ row: 1, line: 1, code: 'empty_file' }] };

	const header = dropTrailingEmpty(headerRecord.fields.map((name) => name.trim()));
	const tableErrors: CsvError[] = [];
	header.forEach((name, position) => {
		if (name === '')
			tableErrors.push({ row: headerRecord.row, line: headerRecord.line, code: 'blank_header', column: position + 1 });
		else if (header.indexOf(name) !== position) {
			tableErrors.push({
				row: headerRecord.row,
				line: headerRecord.line,
				code: 'duplicate_header',
				column: position + 1,
				name
			});
		}
	});
	if (tableErrors.length > 0) return { header, headerRow: headerRecord.row, rows: [], errors: tableErrors };

	const rows: CsvRecord[] = [];
	for (const record of records.slice(records.indexOf(headerRecord) + 1)) {
		if (isEmpty(record)) continue;
		const fields = record.fields.length > header.length ? keepUpTo(record.fields, header.length) : record.fields;
		if (fields.length !== header.length) {
			tableErrors.push({
				row: record.row,
				line: record.line,
				code: 'wrong_field_count',
				expected: header.length,
				actual: record.fields.length
			});
		} else {
			rows.push({ ...record, fields });
		}
	}
	return {
		header,
		headerRow: headerRecord.row,
		rows,
		errors: [...errors, ...tableErrors].sort((a, b) => a.row - b.row)
	};
}

function dropTrailingEmpty(fields: string[]): string[] {
	let end = fields.length;
	while (end > 0 && fields[end - 1]?.trim() === '') end -= 1;
	return fields.slice(0, end);
}

/** The first `count` fields when everything after them is empty; otherwise the fields unchanged. */
function keepUpTo(fields: string[], count: number): string[] {
	return fields.slice(count).every((field) => field.trim() === '') ? fields.slice(0, count) : fields;
}

// ---------------------------------------------------------------- writing

export type CsvValue = string | number | null | undefined;

export interface CsvWriteOptions {
	delimiter?: string;
	/** Start with a UTF-8 byte order mark (Excel then reads the file as UTF-8). */
	bom?: boolean;
	/**
	 * Text starting with = + - @ or a tab is prefixed with an apostrophe, so that a spreadsheet
	 * shows it instead of running it as a formula (CSV injection). Numbers are never changed.
	 */
	escapeFormulas?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted when it holds the delimiter, a quote, a line break or edge spaces. */
export function formatCsvField(value: CsvValue, options: CsvWriteOptions = {}): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	const delimiter = options.delimiter ?? ',';
	const text = options.escapeFormulas && FORMULA_START.test(value) ? `'${value}` : value;
	const needsQuotes = text.includes(delimiter) || /["\r\n]/.test(text) || text !== text.trim();
	return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Undoes `escapeFormulas` on a value read back from a file this module wrote. */
export function unescapeFormula(value: string): string {
	return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** A whole file: CRLF after every row (the last one too). */
export function formatCsv(rows: readonly (readonly CsvValue[])[], options: CsvWriteOptions = {}): string {
	const delimiter = options.delimiter ?? ',';
	const body = rows.map((row) => row.map((value) => formatCsvField(value, options)).join(delimiter)).join('\r\n');
	return `${options.bom ? BOM : ''}${body}${rows.length > 0 ? '\r\n' : ''}`;
}
