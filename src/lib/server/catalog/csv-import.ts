// Importing categories and candidates from one CSV file (UTF-8, with or without BOM), all or
// nothing: every row is checked first, and if any row is wrong the report lists each problem
// (row, column, what is wrong) and nothing is written. Categories are reused by name; a
// candidate whose title exists is updated; one audit entry records the counts.
import { createHash } from 'node:crypto';
import { CSV_ERROR_MESSAGE_KEYS, parseCsvTable, unescapeFormula, type CsvError } from '$lib/domain/csv';
import { decodeCsvUpload } from '../csv-upload';
import type { Sql, TransactionSql } from '../db/client';
import { isRefusal } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import {
	changedCandidateFields,
	insertCandidate,
	insertCategory,
	lockCatalog,
	rewriteCandidate,
	type CandidateFields,
	type SessionUse
} from './manage';
import { importRowSchema } from './schemas';

/** The largest file accepted, in bytes (adapter-node's default request limit is 512 KB too). */
export const IMPORT_MAX_BYTES = 512 * 1024;

export type ImportColumnKey =
	'category' | 'title' | 'summary' | 'targets' | 'lead_department' | 'budget_yuan' | 'expected_completion';

export interface ImportColumn {
	key: ImportColumnKey;
	/** The field of importRowSchema it fills. */
	field: 'category' | keyof CandidateFields;
	/** Accepted header names (compared after normalizeHeader); the first is the canonical one. */
	names: string[];
	required: boolean;
}

/** The accepted columns, in the order of the template and the export. */
export const IMPORT_COLUMNS: ImportColumn[] = [
	{ key: 'category', field: 'category', names: ['category', '方面', '类别', '方面/类别', '所属方面'], required: true },
	{ key: 'title', field: 'title', names: ['title', '项目名称', '名称'], required: true },
	{ key: 'summary', field: 'summary', names: ['summary', '概述', '项目概述'], required: false },
	{ key: 'targets', field: 'targets', names: ['targets', '量化目标', 'quantified targets'], required: false },
	{ key: 'lead_department', field: 'leadDepartment', names: ['lead_department', '牵头单位'], required: false },
	{
		key: 'budget_yuan',
		field: 'budgetYuan',
		names: ['budget_yuan', '估算投资（元）', '估算投资', 'budget (yuan)'],
		required: false
	},
	{
		key: 'expected_completion',
		field: 'expectedCompletion',
		names: ['expected_completion', '预计完成时间'],
		required: false
	}
];

/** Header names compare without case, width (（元） = (元)) or the difference between spaces, hyphens and underscores. */
export function normalizeHeader(name: string): string {
	return name
		.normalize('NFKC')
		.trim()
		.toLowerCase()
		.replace(/[\s_-]+/g, '_');
}

export interface ImportProblem {
	/** The row as a spreadsheet numbers it (the header is row 1); null for the file as a whole. */
	row: number | null;
	/** The column's header as written in the file, where the problem concerns one cell. */
	column: string | null;
	/** A Paraglide message key, with its inputs. */
	message: string;
	inputs?: Record<string, string | number>;
}

export interface ImportedRow {
	row: number;
	category: string;
	title: string;
	/** Only the columns the file has: a missing column leaves an existing candidate's value as it is. */
	fields: Partial<Omit<CandidateFields, 'title'>>;
}

export interface ImportCounts {
	rows: number;
	categoriesCreated: number;
	candidatesCreated: number;
	candidatesUpdated: number;
	candidatesUnchanged: number;
}

export type ImportResult = { ok: true; counts: ImportCounts } | { ok: false; problems: ImportProblem[] };

function csvProblem(error: CsvError, header: string[]): ImportProblem {
	const column = error.column !== undefined ? (header[error.column - 1] ?? null) : null;
	return {
		row: error.code === 'not_utf8' || error.code === 'empty_file' ? null : error.row,
		column,
		message: CSV_ERROR_MESSAGE_KEYS[error.code],
		inputs: {
			column: error.column ?? '',
			expected: error.expected ?? '',
			actual: error.actual ?? '',
			name: error.name ?? ''
		}
	};
}

const byRowThenColumn = (a: ImportProblem, b: ImportProblem) => (a.row ?? 0) - (b.row ?? 0);

/** Reads and checks a file without touching the database. */
export function readCatalogCsv(
	bytes: Uint8Array
): { ok: true; rows: ImportedRow[] } | { ok: false; problems: ImportProblem[] } {
	if (bytes.byteLength > IMPORT_MAX_BYTES) {
		return {
			ok: false,
			problems: [
				{ row: null, column: null, message: 'catalog_import_too_large', inputs: { maxKb: IMPORT_MAX_BYTES / 1024 } }
			]
		};
	}
	const decoded = decodeCsvUpload(bytes);
	if (!decoded.ok) return { ok: false, problems: [csvProblem(decoded.error, [])] };
	const table = parseCsvTable(decoded.text);
	const problems: ImportProblem[] = table.errors.map((error) => csvProblem(error, table.header));
	if (table.header.length === 0) return { ok: false, problems };

	// The header: every column known, none twice, the required ones present.
	const headerRow = table.headerRow;
	const columnAt: (ImportColumn | null)[] = table.header.map((name) => {
		const normalized = normalizeHeader(name);
		return (
			IMPORT_COLUMNS.find((column) => column.names.some((accepted) => normalizeHeader(accepted) === normalized)) ?? null
		);
	});
	const headerProblems: ImportProblem[] = [];
	columnAt.forEach((column, index) => {
		const name = table.header[index] as string;
		if (column === null)
			headerProblems.push({ row: headerRow, column: name, message: 'catalog_import_unknown_column', inputs: { name } });
		else if (columnAt.indexOf(column) !== index) {
			headerProblems.push({
				row: headerRow,
				column: name,
				message: 'catalog_import_duplicate_column',
				inputs: { name, first: table.header[columnAt.indexOf(column)] ?? '' }
			});
		}
	});
	for (const column of IMPORT_COLUMNS.filter((entry) => entry.required && !columnAt.includes(entry))) {
		headerProblems.push({
			row: headerRow,
			column: null,
			message: 'catalog_import_missing_column',
			inputs: { name: column.names.slice(0, 2).join(' / ') }
		});
	}
	if (headerProblems.length > 0) return { ok: false, problems: [...headerProblems, ...problems].sort(byRowThenColumn) };

	const rows: ImportedRow[] = [];
	const firstRowOfTitle = new Map<string, number>();
	for (const record of table.rows) {
		const cells: Record<string, string> = {};
		const headerOf: Record<string, string> = {};
		const indexOf: Record<string, number> = {};
		columnAt.forEach((column, index) => {
			if (!column) return;
			cells[column.field] = unescapeFormula(record.fields[index] ?? '');
			headerOf[column.field] = table.header[index] as string;
			indexOf[column.field] = index;
		});
		const parsed = importRowSchema.safeParse(cells);
		if (!parsed.success) {
			// The first problem of each cell, left to right as in the file.
			const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))];
			fields.sort((a, b) => (indexOf[a] ?? 0) - (indexOf[b] ?? 0));
			for (const field of fields) {
				const issue = parsed.error.issues.find((entry) => String(entry.path[0] ?? '') === field);
				problems.push({
					row: record.row,
					column: headerOf[field] ?? null,
					message: issue?.message ?? 'error_unexpected'
				});
			}
			continue;
		}
		const { category, title, ...rest } = parsed.data;
		const first = firstRowOfTitle.get(title);
		if (first !== undefined) {
			problems.push({
				row: record.row,
				column: headerOf.title ?? null,
				message: 'catalog_import_duplicate_title',
				inputs: { title, first }
			});
			continue;
		}
		firstRowOfTitle.set(title, record.row);
		const fields: ImportedRow['fields'] = {};
		for (const [field, value] of Object.entries(rest) as [keyof ImportedRow['fields'], never][]) {
			if (field in cells) fields[field] = value;
		}
		rows.push({ row: record.row, category, title, fields });
	}
	if (problems.length > 0) return { ok: false, problems: problems.sort(byRowThenColumn) };
	if (rows.length === 0)
		return { ok: false, problems: [{ row: null, column: null, message: 'catalog_import_no_rows' }] };
	return { ok: true, rows };
}

interface ExistingCandidate extends CandidateFields {
	id: number;
	categoryId: number;
	frozenBy: SessionUse[];
}

async function readExisting(tx: TransactionSql) {
	const categories = await tx<{ id: number; name: string }[]>`select id, name from category`;
	const candidates = await tx<(Omit<ExistingCandidate, 'frozenBy'> & { frozenBy: SessionUse[] | null })[]>`
		select c.id, c.category_id as "categoryId", c.title, c.summary, c.targets, c.lead_department as "leadDepartment",
		       c.budget_yuan as "budgetYuan", to_char(c.expected_completion, 'YYYY-MM-DD') as "expectedCompletion",
		       (select jsonb_agg(jsonb_build_object('id', s.id, 'title', s.title, 'status', s.status) order by s.id)
		          from voting_session_candidate v join voting_session s on s.id = v.voting_session_id
		          where v.candidate_id = c.id and s.status <> 'draft') as "frozenBy"
		from candidate c`;
	return {
		categoryIdByName: new Map(categories.map((category) => [category.name, category.id])),
		candidateByTitle: new Map(
			candidates.map((candidate) => [candidate.title, { ...candidate, frozenBy: candidate.frozenBy ?? [] }])
		)
	};
}

/** Undo the transaction while keeping the problems to report. */
class ImportRefused extends Error {
	constructor(readonly problems: ImportProblem[]) {
		super('import refused');
	}
}

/**
 * Imports a file in one transaction. `source` names the file in the audit entry; `actorUserId`
 * is the staff member (null from the CLI without --as).
 */
export async function importCatalog(
	sql: Sql,
	bytes: Uint8Array,
	options: { actorUserId: number | null; source: string }
): Promise<ImportResult> {
	const read = readCatalogCsv(bytes);
	if (!read.ok) return read;
	const rows = read.rows;
	try {
		const counts = (await sql.begin(async (tx) => {
			await lockCatalog(tx);
			const { categoryIdByName, candidateByTitle } = await readExisting(tx);

			// Plan every row before writing any: a frozen candidate that would change refuses the file.
			const problems: ImportProblem[] = [];
			const plans = rows.map((row) => {
				const existing = candidateByTitle.get(row.title);
				if (!existing) return { row, existing: null, changed: [] as string[] };
				const merged = {
					...existing,
					...row.fields,
					title: row.title,
					categoryId: categoryIdByName.get(row.category) ?? -1
				};
				const changed = changedCandidateFields(existing, merged);
				if (changed.length > 0 && existing.frozenBy.length > 0) {
					problems.push({
						row: row.row,
						column: null,
						message: 'catalog_import_frozen',
						inputs: { title: row.title, sessions: existing.frozenBy.map((use) => use.title).join('、') }
					});
				}
				return { row, existing, changed };
			});
			if (problems.length > 0) throw new ImportRefused(problems);

			const newCategories: string[] = [];
			for (const { category } of rows) {
				if (!categoryIdByName.has(category)) {
					categoryIdByName.set(category, await insertCategory(tx, category));
					newCategories.push(category);
				}
			}
			const created: string[] = [];
			const updated: string[] = [];
			for (const { row, existing, changed } of plans) {
				const categoryId = categoryIdByName.get(row.category) as number;
				if (!existing) {
					await insertCandidate(tx, categoryId, {
						title: row.title,
						summary: row.fields.summary ?? '',
						targets: row.fields.targets ?? [],
						leadDepartment: row.fields.leadDepartment ?? '',
						budgetYuan: row.fields.budgetYuan ?? null,
						expectedCompletion: row.fields.expectedCompletion ?? null
					});
					created.push(row.title);
				} else if (changed.length > 0) {
					await rewriteCandidate(tx, existing, categoryId, { ...existing, ...row.fields, title: row.title });
					updated.push(row.title);
				}
			}
			const result: ImportCounts = {
				rows: rows.length,
				categoriesCreated: newCategories.length,
				candidatesCreated: created.length,
				candidatesUpdated: updated.length,
				candidatesUnchanged: rows.length - created.length - updated.length
			};
			await appendAudit(tx, {
				actorUserId: options.actorUserId,
				action: 'catalog.imported',
				details: {
					source: options.source,
					sha256: createHash('sha256').update(bytes).digest('hex'),
					...result,
					categoriesCreatedNames: newCategories,
					candidatesCreatedTitles: created,
					candidatesUpdatedTitles: updated
				}
			});
			return result;
		})) as ImportCounts;
		return { ok: true, counts };
	} catch (error) {
		if (error instanceof ImportRefused) return { ok: false, problems: error.problems };
		// Someone changed the catalog or opened a session in the meantime: nothing was written.
		if (
			isRefusal(
				error,
				'candidate_frozen',
				'category_frozen',
				'category_not_empty',
				'unique_violation',
				'foreign_key_violation'
			)
		) {
			return { ok: false, problems: [{ row: null, column: null, message: 'catalog_import_conflict' }] };
		}
		throw error;
	}
}
