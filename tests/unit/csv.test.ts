// The CSV module: what a spreadsheet program writes is read back cell for cell, and every
// malformed row is reported with its row number instead of being guessed at.
import { describe, expect, it } from 'vitest';
import {
	decodeUtf8,
	formatCsv,
	formatCsvField,
	parseCsv,
	parseCsvTable,
	unescapeFormula
} from '../../src/lib/domain/csv';

const fieldsOf = (text: string) => parseCsv(text).records.map((record) => record.fields);

describe('reading records', () => {
	it('reads plain fields with LF or CRLF line ends, with or without a final line end', () => {
		const expected = [
			['方面', '项目名称'],
			['养老服务', '新建养老院']
		];
		expect(fieldsOf('方面,项目名称\n养老服务,新建养老院\n')).toEqual(expected);
		expect(fieldsOf('方面,项目名称\r\n养老服务,新建养老院\r\n')).toEqual(expected);
		expect(fieldsOf('方面,项目名称\r\n养老服务,新建养老院')).toEqual(expected);
		expect(fieldsOf('方面,项目名称\r养老服务,新建养老院')).toEqual(expected);
	});

	it('drops a byte order mark, from text and from bytes', () => {
		expect(fieldsOf('\uFEFFcategory,title\nA,B')).toEqual([
			['category', 'title'],
			['A', 'B']
		]);
		const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('方面\n养老')]);
		const decoded = decodeUtf8(bytes);
		expect(decoded).toEqual({ ok: true, text: '方面\n养老' });
		expect(decodeUtf8(new TextEncoder().encode('方面'))).toEqual({ ok: true, text: '方面' });
	});

	it('refuses bytes that are not UTF-8 (a GBK file from a spreadsheet)', () => {
		// "方面" in GBK
		const decoded = decodeUtf8(new Uint8Array([0xb7, 0xbd, 0xc3, 0xe6]));
		expect(decoded.ok).toBe(false);
		if (!decoded.ok) expect(decoded.error.code).toBe('not_utf8');
	});

	it('reads quoted fields with embedded commas, doubled quotes and line breaks', () => {
		const text = 'title,targets,note\r\n"新建养老院,10家","第一条\r\n第二条\n第三条","他说""好"""\r\n';
		const { records, errors } = parseCsv(text);
		expect(errors).toEqual([]);
		expect(records[1]?.fields).toEqual(['新建养老院,10家', '第一条\r\n第二条\n第三条', '他说"好"']);
		// A row is what a spreadsheet shows; the line is where it starts in a text editor.
		expect(records.map((record) => [record.row, record.line])).toEqual([
			[1, 1],
			[2, 2]
		]);
	});

	it('keeps empty fields, quoted empty fields and a trailing empty field', () => {
		expect(fieldsOf('a,,c\n"",b,\n')).toEqual([
			['a', '', 'c'],
			['', 'b', '']
		]);
	});

	it('skips empty lines but counts them in the row numbers', () => {
		const { records } = parseCsv('header\n\nfirst\r\n\r\nsecond\n');
		expect(records.map((record) => [record.row, record.fields[0]])).toEqual([
			[1, 'header'],
			[3, 'first'],
			[5, 'second']
		]);
	});

	it('numbers rows after a multi-line field as a spreadsheet does', () => {
		const { records } = parseCsv('h1,h2\n"one\ntwo\nthree",x\nnext,y\n');
		expect(records.map((record) => [record.row, record.line])).toEqual([
			[1, 1],
			[2, 2],
			[3, 5]
		]);
	});

	it('reports a stray quote in an unquoted field for its row and goes on with the next row', () => {
		const { records, errors } = parseCsv('a,b\n5"屏,x\nc,d\n');
		expect(errors).toEqual([{ row: 2, line: 2, code: 'quote_in_unquoted_field', column: 1 }]);
		expect(records.map((record) => record.fields)).toEqual([
			['a', 'b'],
			['c', 'd']
		]);
	});

	it('reports text after a closing quote', () => {
		const { records, errors } = parseCsv('a,b\nx,"quoted" tail\nc,d\n');
		expect(errors).toEqual([{ row: 2, line: 2, code: 'text_after_closing_quote', column: 2 }]);
		expect(records.map((record) => record.row)).toEqual([1, 3]);
	});

	it('reports a quote that is never closed at the row where it opens', () => {
		const { records, errors } = parseCsv('a,b\nok,fine\n"never closed,x\nmore\n');
		expect(errors).toEqual([{ row: 3, line: 3, code: 'unterminated_quote', column: 1 }]);
		expect(records.map((record) => record.row)).toEqual([1, 2]);
	});

	it('reads another delimiter when told', () => {
		expect(parseCsv('a;"b;c"\n1;2', { delimiter: ';' }).records.map((record) => record.fields)).toEqual([
			['a', 'b;c'],
			['1', '2']
		]);
	});
});

describe('reading a table with a header', () => {
	it('takes the first non-empty row as the header and trims header names', () => {
		const table = parseCsvTable('\n, ,\n 方面 , 项目名称 \n养老,A\n');
		expect(table.header).toEqual(['方面', '项目名称']);
		expect(table.headerRow).toBe(3);
		expect(table.rows.map((row) => [row.row, row.fields])).toEqual([[4, ['养老', 'A']]]);
		expect(table.errors).toEqual([]);
	});

	it('reports ragged rows with both counts, and skips rows of empty cells', () => {
		const table = parseCsvTable('a,b,c\n1,2,3\n1,2\n1,2,3,4\n,,\n1,2,3,,\n');
		expect(table.rows.map((row) => row.row)).toEqual([2, 6]);
		expect(table.rows[1]?.fields).toEqual(['1', '2', '3']); // empty cells past the header are dropped
		expect(table.errors).toEqual([
			{ row: 3, line: 3, code: 'wrong_field_count', expected: 3, actual: 2 },
			{ row: 4, line: 4, code: 'wrong_field_count', expected: 3, actual: 4 }
		]);
	});

	it('lists malformed rows and ragged rows together in row order', () => {
		const table = parseCsvTable('a,b\nx"y,1\n1\n');
		expect(table.errors.map((error) => [error.row, error.code])).toEqual([
			[2, 'quote_in_unquoted_field'],
			[3, 'wrong_field_count']
		]);
	});

	it('reports an empty file, a blank header cell and a repeated header', () => {
		expect(parseCsvTable('').errors).toEqual([{ row: 1, line: 1, code: 'empty_file' }]);
		expect(parseCsvTable('\uFEFF\r\n\r\n').errors.map((error) => error.code)).toEqual(['empty_file']);
		expect(parseCsvTable('a,,b\n1,2,3').errors).toEqual([{ row: 1, line: 1, code: 'blank_header', column: 2 }]);
		expect(parseCsvTable('a,b,a\n1,2,3').errors).toEqual([
			{ row: 1, line: 1, code: 'duplicate_header', column: 3, name: 'a' }
		]);
	});

	it('does not take a data row as the header when the header row is malformed', () => {
		const table = parseCsvTable('"a,b\n');
		expect(table.header).toEqual([]);
		expect(table.errors.map((error) => error.code)).toEqual(['unterminated_quote']);
	});
});

describe('writing', () => {
	it('quotes only where needed and doubles quotes', () => {
		expect(formatCsvField('plain')).toBe('plain');
		expect(formatCsvField('a,b')).toBe('"a,b"');
		expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
		expect(formatCsvField('line\nbreak')).toBe('"line\nbreak"');
		expect(formatCsvField(' edge ')).toBe('" edge "');
		expect(formatCsvField(1200000)).toBe('1200000');
		expect(formatCsvField(null)).toBe('');
	});

	it('writes CRLF rows with an optional BOM', () => {
		expect(
			formatCsv([
				['a', 'b'],
				[1, null]
			])
		).toBe('a,b\r\n1,\r\n');
		expect(formatCsv([['方面']], { bom: true })).toBe('\uFEFF方面\r\n');
		expect(formatCsv([])).toBe('');
	});

	it('defuses formulas in text but leaves numbers alone, and the reader can undo it', () => {
		expect(formatCsvField('=HYPERLINK("x")', { escapeFormulas: true })).toBe(`"'=HYPERLINK(""x"")"`);
		expect(formatCsvField('-5', { escapeFormulas: true })).toBe("'-5");
		expect(formatCsvField(-5, { escapeFormulas: true })).toBe('-5');
		expect(formatCsvField('养老', { escapeFormulas: true })).toBe('养老');
		expect(unescapeFormula("'=SUM(A1)")).toBe('=SUM(A1)');
		expect(unescapeFormula("'plain")).toBe("'plain");
	});

	it('reads back exactly what it writes', () => {
		const rows = [
			['方面', '项目名称', '量化目标'],
			['养老服务', '新建"智慧"养老院, 第一期', '新建 10 家\r\n改造 20 家'],
			['', ' leading space', '=1+1']
		];
		const parsed = parseCsvTable(formatCsv(rows, { bom: true, escapeFormulas: true }));
		expect(parsed.errors).toEqual([]);
		expect([parsed.header, ...parsed.rows.map((row) => row.fields.map(unescapeFormula))]).toEqual(rows);
	});
});
