// The delegate roster (代表名册): imported from CSV (name, delegation, delegate number, optional
// phone), matched by delegate number so that a re-import updates instead of duplicating; the
// list with search and paging; disabling and re-enabling a delegate.
import { z } from 'zod';
import { CSV_ERROR_MESSAGE_KEYS, parseCsvTable, type CsvError, type CsvTable } from '$lib/domain/csv';
import { decodeCsvUpload } from '../csv-upload';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { invalidateUserSessions } from '../auth/session';

/** The largest roster file taken (a roster of thousands of delegates is well under it). */
export const MAX_ROSTER_BYTES = 256 * 1024;
export const MAX_ROSTER_ROWS = 5000;
export const ROSTER_PAGE_SIZE = 50;

export const ROSTER_FIELDS = ['name', 'delegation', 'delegateNumber', 'phone'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

/** Accepted column headings, compared after normalizeHeading (Chinese or English). */
const HEADINGS: Record<RosterField, string[]> = {
	name: ['姓名', '代表姓名', 'name', 'full name', 'delegate name'],
	delegation: ['代表团', '所属代表团', 'delegation'],
	delegateNumber: ['代表证号', '代表证编号', '代表编号', 'delegate number', 'delegate no', 'delegate no.', 'number'],
	phone: ['电话', '手机', '手机号', '手机号码', '联系电话', 'phone', 'mobile', 'phone number', 'telephone']
};
const REQUIRED_FIELDS: RosterField[] = ['name', 'delegation', 'delegateNumber'];

function normalizeHeading(heading: string): string {
	return heading
		.normalize('NFKC')
		.trim()
		.toLowerCase()
		.replace(/[\s_-]+/g, ' ');
}

const optionalText = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** One roster row; messages are Paraglide keys. Delegate numbers are kept in upper case. */
export const rosterRowSchema = z.object({
	name: z
		.string({ error: 'electorate_roster_name_required' })
		.trim()
		.min(1, { error: 'electorate_roster_name_required' })
		.max(100, { error: 'electorate_roster_name_too_long' }),
	delegation: z
		.string({ error: 'electorate_roster_delegation_required' })
		.trim()
		.min(1, { error: 'electorate_roster_delegation_required' })
		.max(100, { error: 'electorate_roster_delegation_too_long' }),
	delegateNumber: z
		.string({ error: 'electorate_roster_number_required' })
		.trim()
		.min(1, { error: 'electorate_roster_number_required' })
		.regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'electorate_roster_number_format' })
		.transform((number) => number.toUpperCase()),
	phone: z.preprocess(
		optionalText,
		z
			.string()
			.trim()
			.regex(/^[0-9+() -]{5,32}$/, { error: 'electorate_roster_phone_format' })
			.optional()
	)
});
export type RosterRow = z.infer<typeof rosterRowSchema>;

/** A problem in the file: the spreadsheet row it is on (0 = the whole file), the column, a message key. */
export interface RosterProblem {
	row: number;
	field: RosterField | null;
	message: string;
	values?: Record<string, string | number>;
}

export type CheckedRosterRow = RosterRow & { row: number };

/** Reads a roster file (UTF-8, with or without a BOM) and checks every row. Pure. */
export function readRosterFile(bytes: Uint8Array): { rows: CheckedRosterRow[]; problems: RosterProblem[] } {
	const decoded = decodeCsvUpload(bytes);
	if (!decoded.ok) return { rows: [], problems: [csvProblem(decoded.error)] };
	return checkRoster(parseCsvTable(decoded.text));
}

function csvProblem(error: CsvError): RosterProblem {
	const values: Record<string, string | number> = {
		column: error.column ?? '',
		expected: error.expected ?? '',
		actual: error.actual ?? '',
		name: error.name ?? ''
	};
	return { row: error.row, field: null, message: CSV_ERROR_MESSAGE_KEYS[error.code], values };
}

/** Checks a parsed roster table. Pure. */
export function checkRoster(table: CsvTable): { rows: CheckedRosterRow[]; problems: RosterProblem[] } {
	const problems: RosterProblem[] = table.errors.map(csvProblem);
	if (table.header.length === 0) return { rows: [], problems };
	const columns = new Map<RosterField, number>();
	table.header.forEach((text, index) => {
		const normalized = normalizeHeading(text);
		const field = ROSTER_FIELDS.find((candidate) => HEADINGS[candidate].includes(normalized));
		if (!field) return; // other columns (序号, 备注…) are ignored
		if (columns.has(field))
			problems.push({ row: 1, field, message: 'electorate_roster_duplicate_column', values: { heading: text } });
		else columns.set(field, index);
	});
	for (const field of REQUIRED_FIELDS) {
		if (!columns.has(field)) problems.push({ row: 1, field, message: 'electorate_roster_missing_column' });
	}
	if (problems.some((problem) => problem.row <= 1)) return { rows: [], problems };
	if (table.rows.length === 0 && problems.length === 0)
		return { rows: [], problems: [{ row: 0, field: null, message: 'electorate_roster_no_rows' }] };
	if (table.rows.length > MAX_ROSTER_ROWS) {
		return {
			rows: [],
			problems: [{ row: 0, field: null, message: 'electorate_roster_too_many_rows', values: { max: MAX_ROSTER_ROWS } }]
		};
	}
	const rows: CheckedRosterRow[] = [];
	const firstRowOfNumber = new Map<string, number>();
	for (const record of table.rows) {
		const input = Object.fromEntries([...columns].map(([field, index]) => [field, record.fields[index] ?? '']));
		const parsed = rosterRowSchema.safeParse(input);
		if (!parsed.success) {
			for (const issue of parsed.error.issues) {
				problems.push({ row: record.row, field: issue.path[0] as RosterField, message: issue.message });
			}
			continue;
		}
		const earlier = firstRowOfNumber.get(parsed.data.delegateNumber);
		if (earlier !== undefined) {
			problems.push({
				row: record.row,
				field: 'delegateNumber',
				message: 'electorate_roster_number_repeated',
				values: { number: parsed.data.delegateNumber, row: earlier }
			});
			continue;
		}
		firstRowOfNumber.set(parsed.data.delegateNumber, record.row);
		rows.push({ ...parsed.data, row: record.row });
	}
	problems.sort((a, b) => a.row - b.row);
	return { rows: problems.length > 0 ? [] : rows, problems };
}

/** The username of a delegate created by the roster: "d" + delegate number, lower case, made unique. */
export function deriveUsername(delegateNumber: string, taken: ReadonlySet<string>): string {
	const base = `d${delegateNumber.toLowerCase()}`.padEnd(3, '_');
	if (!taken.has(base)) return base;
	for (let suffix = 2; ; suffix += 1) {
		const candidate = `${base}-${suffix}`;
		if (!taken.has(candidate)) return candidate;
	}
}

export type RosterImportResult =
	{ ok: true; created: number; updated: number; unchanged: number } | { ok: false; problems: RosterProblem[] };

/**
 * Imports checked roster rows in one transaction: delegates are matched by delegate number;
 * new ones are created (role delegate, no password: they sign in with access codes), known ones
 * get the name, delegation and phone of the file. Appends 'roster.imported' with the counts.
 */
export async function importRosterRows(
	sql: Sql,
	rows: RosterRow[],
	actorUserId: number | null
): Promise<RosterImportResult> {
	return sql.begin(async (tx): Promise<RosterImportResult> => {
		// One import at a time: two at once could derive the same new username.
		await tx`select pg_advisory_xact_lock(hashtext('piaojue.roster_import'))`;
		const numbers = rows.map((row) => row.delegateNumber);
		const existing = await tx<
			{ id: number; delegateNumber: string; displayName: string; delegation: string | null; phone: string | null }[]
		>`
			select id, delegate_number as "delegateNumber", display_name as "displayName", delegation, phone
			from app_user where delegate_number = any(${numbers}::text[])`;
		const byNumber = new Map(existing.map((user) => [user.delegateNumber, user]));

		let updated = 0;
		let unchanged = 0;
		for (const row of rows) {
			const user = byNumber.get(row.delegateNumber);
			if (!user) continue;
			const phone = row.phone ?? null;
			if (user.displayName === row.name && user.delegation === row.delegation && user.phone === phone) {
				unchanged += 1;
				continue;
			}
			await tx`update app_user set display_name = ${row.name}, delegation = ${row.delegation}, phone = ${phone} where id = ${user.id}`;
			updated += 1;
		}
		if (existing.length > 0) {
			await tx`insert into user_role ${tx(existing.map((user) => ({ user_id: user.id, role: 'delegate' })))} on conflict do nothing`;
		}

		const fresh = rows.filter((row) => !byNumber.has(row.delegateNumber));
		if (fresh.length > 0) {
			const takenRows = await tx<
				{ username: string }[]
			>`select lower(username) as username from app_user where lower(username) like 'd%'`;
			const taken = new Set(takenRows.map((row) => row.username));
			const users = fresh.map((row) => {
				const username = deriveUsername(row.delegateNumber, taken);
				taken.add(username);
				return {
					username,
					display_name: row.name,
					delegation: row.delegation,
					delegate_number: row.delegateNumber,
					phone: row.phone ?? null
				};
			});
			const inserted = await tx<{ id: number }[]>`insert into app_user ${tx(users)} returning id`;
			await tx`insert into user_role ${tx(inserted.map((user) => ({ user_id: user.id, role: 'delegate' })))}`;
		}
		const counts = { created: fresh.length, updated, unchanged };
		await appendAudit(tx, { actorUserId, action: 'roster.imported', details: { ...counts, rows: rows.length } });
		return { ok: true, ...counts };
	}) as Promise<RosterImportResult>;
}

/** Reads, checks and imports a roster file: all rows or, if any row has a problem, none. */
export async function importRosterFile(
	sql: Sql,
	bytes: Uint8Array,
	actorUserId: number | null
): Promise<RosterImportResult> {
	if (bytes.byteLength > MAX_ROSTER_BYTES) {
		return {
			ok: false,
			problems: [
				{ row: 0, field: null, message: 'electorate_roster_too_large', values: { kilobytes: MAX_ROSTER_BYTES / 1024 } }
			]
		};
	}
	const { rows, problems } = readRosterFile(bytes);
	if (problems.length > 0) return { ok: false, problems };
	return importRosterRows(sql, rows, actorUserId);
}

// ---------------------------------------------------------------- the list

export interface RosterDelegate {
	id: number;
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string | null;
	phone: string | null;
	disabled: boolean;
}

export interface RosterPage {
	delegates: RosterDelegate[];
	total: number;
	page: number;
	pageCount: number;
}

/** Delegates, searched by name, delegate number, delegation or username, a page at a time. */
export async function listRoster(sql: Sql, options: { query?: string; page?: number } = {}): Promise<RosterPage> {
	const pattern = options.query?.trim() ? `%${options.query.trim().replace(/[\\%_]/g, '\\$&')}%` : null;
	const matches = sql`
		from app_user u
		where exists (select 1 from user_role r where r.user_id = u.id and r.role = 'delegate')
		  and (${pattern}::text is null or u.display_name ilike ${pattern} or u.delegate_number ilike ${pattern}
		       or u.delegation ilike ${pattern} or u.username ilike ${pattern})`;
	const [count] = await sql<{ total: number }[]>`select count(*)::int as total ${matches}`;
	const total = count?.total ?? 0;
	const pageCount = Math.max(1, Math.ceil(total / ROSTER_PAGE_SIZE));
	const page = Math.min(Math.max(1, options.page ?? 1), pageCount);
	const delegates = await sql<RosterDelegate[]>`
		select u.id, u.username, u.display_name as "displayName", u.delegation, u.delegate_number as "delegateNumber",
		       u.phone, u.disabled_at is not null as disabled
		${matches}
		order by u.delegation nulls last, u.delegate_number nulls last, u.username
		limit ${ROSTER_PAGE_SIZE} offset ${(page - 1) * ROSTER_PAGE_SIZE}`;
	return { delegates, total, page, pageCount };
}

export type DisableResult = { ok: true; changed: boolean } | { ok: false; error: 'not_found' };

/**
 * Disables a delegate (they cannot sign in; their auth sessions end) or enables them again,
 * with the audit entry 'delegate.disabled' / 'delegate.enabled', in one transaction.
 */
export async function setDelegateDisabled(
	sql: Sql,
	input: { delegateId: number; disabled: boolean; actorUserId: number }
): Promise<DisableResult> {
	return sql.begin(async (tx): Promise<DisableResult> => {
		const [delegate] = await tx<{ username: string; delegateNumber: string | null; disabled: boolean }[]>`
			select u.username, u.delegate_number as "delegateNumber", u.disabled_at is not null as disabled
			from app_user u
			where u.id = ${input.delegateId} and exists (select 1 from user_role r where r.user_id = u.id and r.role = 'delegate')
			for update`;
		if (!delegate) return { ok: false, error: 'not_found' };
		if (delegate.disabled === input.disabled) return { ok: true, changed: false };
		await tx`update app_user set disabled_at = case when ${input.disabled} then now() end where id = ${input.delegateId}`;
		// invalidateUserSessions runs one delete; inside this transaction it commits with the change.
		if (input.disabled) await invalidateUserSessions(tx, input.delegateId);
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: input.disabled ? 'delegate.disabled' : 'delegate.enabled',
			details: { delegate: delegate.username, delegateNumber: delegate.delegateNumber }
		});
		return { ok: true, changed: true };
	}) as Promise<DisableResult>;
}
