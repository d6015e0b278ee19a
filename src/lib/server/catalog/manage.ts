// Staff manage the catalog: categories (name, order) and candidates (every field, order within
// the category). Each write is one transaction that holds the catalog lock (so positions stay
// 1..n under concurrent edits) and appends its audit entry. The database refuses edits to a
// candidate of a voting session that has left the draft status; this module checks first, for
// the message.
import type { CatalogProblem } from '$lib/domain/catalog';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { refusalOf } from '../db/refusal';
import { listCategoriesWithCandidates, type Candidate } from './catalog';

/** A voting session that lists a candidate. */
export interface SessionUse {
	id: number;
	title: string;
	status: SessionStatus;
}

export interface StaffCandidate extends Candidate {
	/** 1-based place within its category. */
	position: number;
	sessions: SessionUse[];
	/** Listed by a session that is no longer a draft: cannot be changed or deleted. */
	frozen: boolean;
}

export interface StaffCategory {
	id: number;
	name: string;
	/** 1-based place in the list of categories. */
	position: number;
	isDemo: boolean;
	/** Holds a frozen candidate: the name cannot change. */
	frozen: boolean;
	candidates: StaffCandidate[];
}

export interface CandidateFields {
	title: string;
	summary: string;
	targets: string[];
	leadDepartment: string;
	budgetYuan: number | null;
	expectedCompletion: string | null;
}

export interface CandidateInput extends CandidateFields {
	categoryId: number;
	/** The wanted place within the category (1-based); null keeps it (or appends a new one). */
	position: number | null;
}

export interface CategoryInput {
	name: string;
	position: number | null;
}

export type CatalogFailure = { ok: false; error: CatalogProblem; sessions?: SessionUse[] };

// ---------------------------------------------------------------- reading

async function sessionUses(
	sql: Sql | TransactionSql,
	candidateIds: number[] | null
): Promise<Map<number, SessionUse[]>> {
	const rows = await sql<(SessionUse & { candidateId: number })[]>`
		select v.candidate_id as "candidateId", s.id, s.title, s.status
		from voting_session_candidate v join voting_session s on s.id = v.voting_session_id
		${candidateIds === null ? sql`` : sql`where v.candidate_id = any(${candidateIds}::bigint[])`}
		order by s.id`;
	const uses = new Map<number, SessionUse[]>();
	for (const { candidateId, ...use } of rows) uses.set(candidateId, [...(uses.get(candidateId) ?? []), use]);
	return uses;
}

const isFrozen = (sessions: SessionUse[]) => sessions.some((use) => use.status !== 'draft');

/** The whole catalog in display order, with each candidate's sessions (the public list plus what staff need). */
export async function listCatalogForStaff(sql: Sql): Promise<StaffCategory[]> {
	const categories = await listCategoriesWithCandidates(sql);
	const uses = await sessionUses(sql, null);
	return categories.map((category, categoryIndex) => {
		const candidates = category.candidates.map((candidate, index) => {
			const sessions = uses.get(candidate.id) ?? [];
			return { ...candidate, position: index + 1, sessions, frozen: isFrozen(sessions) };
		});
		return {
			...category,
			position: categoryIndex + 1,
			frozen: candidates.some((candidate) => candidate.frozen),
			candidates
		};
	});
}

export interface CategoryOption {
	id: number;
	name: string;
	candidateCount: number;
}

export async function listCategoryOptions(sql: Sql): Promise<CategoryOption[]> {
	return sql<CategoryOption[]>`
		select g.id, g.name, (select count(*) from candidate c where c.category_id = g.id)::int as "candidateCount"
		from category g order by g.position, g.id`;
}

export async function getStaffCandidate(sql: Sql, id: number): Promise<StaffCandidate | null> {
	const catalog = await listCatalogForStaff(sql);
	for (const category of catalog) {
		const candidate = category.candidates.find((entry) => entry.id === id);
		if (candidate) return candidate;
	}
	return null;
}

export async function getStaffCategory(sql: Sql, id: number): Promise<StaffCategory | null> {
	return (await listCatalogForStaff(sql)).find((category) => category.id === id) ?? null;
}

// ---------------------------------------------------------------- helpers inside a transaction

/** Serialises catalog writes: positions are read and rewritten under this lock. */
export async function lockCatalog(tx: TransactionSql): Promise<void> {
	await tx`select pg_advisory_xact_lock(hashtext('piaojue.catalog'))`;
}

function inTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
	return sql.begin(work) as Promise<T>;
}

async function orderedCandidateIds(tx: TransactionSql, categoryId: number): Promise<number[]> {
	const rows = await tx<
		{ id: number }[]
	>`select id from candidate where category_id = ${categoryId} order by position, id`;
	return rows.map((row) => row.id);
}

async function orderedCategoryIds(tx: TransactionSql): Promise<number[]> {
	const rows = await tx<{ id: number }[]>`select id from category order by position, id`;
	return rows.map((row) => row.id);
}

/** Writes positions 1..n in the given order, touching only rows whose place changes. */
async function renumberCandidates(tx: TransactionSql, orderedIds: number[]): Promise<void> {
	if (orderedIds.length === 0) return;
	await tx`
		update candidate c set position = v.ord
		from unnest(${orderedIds}::bigint[]) with ordinality as v(id, ord)
		where c.id = v.id and c.position <> v.ord`;
}

async function renumberCategories(tx: TransactionSql, orderedIds: number[]): Promise<void> {
	if (orderedIds.length === 0) return;
	await tx`
		update category g set position = v.ord
		from unnest(${orderedIds}::bigint[]) with ordinality as v(id, ord)
		where g.id = v.id and g.position <> v.ord`;
}

/** `ids` with `id` moved to the 1-based `position` (clamped to the list). */
function placed(ids: number[], id: number, position: number): number[] {
	const others = ids.filter((entry) => entry !== id);
	const index = Math.min(Math.max(position - 1, 0), others.length);
	return [...others.slice(0, index), id, ...others.slice(index)];
}

/** `ids` with `id` swapped with its neighbour; unchanged at the edge. */
function stepped(ids: number[], id: number, direction: 'up' | 'down'): number[] {
	const index = ids.indexOf(id);
	const target = direction === 'up' ? index - 1 : index + 1;
	if (index < 0 || target < 0 || target >= ids.length) return ids;
	const result = [...ids];
	[result[index], result[target]] = [result[target] as number, result[index] as number];
	return result;
}

interface CandidateRow extends CandidateFields {
	id: number;
	categoryId: number;
	categoryName: string;
}

async function readCandidateRow(tx: TransactionSql, id: number): Promise<CandidateRow | null> {
	const [row] = await tx<CandidateRow[]>`
		select c.id, c.category_id as "categoryId", g.name as "categoryName", c.title, c.summary, c.targets,
		       c.lead_department as "leadDepartment", c.budget_yuan as "budgetYuan",
		       to_char(c.expected_completion, 'YYYY-MM-DD') as "expectedCompletion"
		from candidate c join category g on g.id = c.category_id where c.id = ${id}`;
	return row ?? null;
}

async function categoryName(tx: TransactionSql, id: number): Promise<string | null> {
	const [row] = await tx<{ name: string }[]>`select name from category where id = ${id}`;
	return row?.name ?? null;
}

async function titleTaken(tx: TransactionSql, title: string, exceptId: number | null): Promise<boolean> {
	const [row] = await tx<{ taken: boolean }[]>`
		select exists (select 1 from candidate where title = ${title} and id is distinct from ${exceptId}) as taken`;
	return row?.taken ?? false;
}

async function nameTaken(tx: TransactionSql, name: string, exceptId: number | null): Promise<boolean> {
	const [row] = await tx<{ taken: boolean }[]>`
		select exists (select 1 from category where name = ${name} and id is distinct from ${exceptId}) as taken`;
	return row?.taken ?? false;
}

/** The names of the candidate fields that differ. */
export function changedCandidateFields(
	before: CandidateFields & { categoryId: number },
	after: CandidateFields & { categoryId: number }
): string[] {
	const changed: string[] = [];
	if (before.categoryId !== after.categoryId) changed.push('category');
	if (before.title !== after.title) changed.push('title');
	if (before.summary !== after.summary) changed.push('summary');
	if (JSON.stringify(before.targets) !== JSON.stringify(after.targets)) changed.push('targets');
	if (before.leadDepartment !== after.leadDepartment) changed.push('leadDepartment');
	if (before.budgetYuan !== after.budgetYuan) changed.push('budgetYuan');
	if (before.expectedCompletion !== after.expectedCompletion) changed.push('expectedCompletion');
	return changed;
}

/** Inserts a candidate at the end of its category (the caller holds the catalog lock). */
export async function insertCandidate(
	tx: TransactionSql,
	categoryId: number,
	fields: CandidateFields
): Promise<number> {
	const [row] = await tx<{ id: number }[]>`
		insert into candidate (category_id, title, summary, targets, lead_department, budget_yuan, expected_completion)
		values (${categoryId}, ${fields.title}, ${fields.summary}, ${fields.targets}::text[], ${fields.leadDepartment},
		        ${fields.budgetYuan}, ${fields.expectedCompletion}::date)
		returning id`;
	return (row as { id: number }).id;
}

/**
 * Rewrites a candidate's fields (the caller holds the catalog lock and has checked that it is not
 * frozen). A new category puts it at the end of that category and closes the gap it leaves.
 */
export async function rewriteCandidate(
	tx: TransactionSql,
	before: { id: number; categoryId: number },
	categoryId: number,
	fields: CandidateFields
): Promise<void> {
	const moving = before.categoryId !== categoryId;
	await tx`
		update candidate set
			category_id = ${categoryId},
			title = ${fields.title}, summary = ${fields.summary}, targets = ${fields.targets}::text[],
			lead_department = ${fields.leadDepartment}, budget_yuan = ${fields.budgetYuan},
			expected_completion = ${fields.expectedCompletion}::date
			${moving ? tx`, position = (select coalesce(max(position), 0) + 1 from candidate where category_id = ${categoryId})` : tx``}
		where id = ${before.id}`;
	if (moving) await renumberCandidates(tx, await orderedCandidateIds(tx, before.categoryId));
}

/** Inserts a category at the end of the list (the caller holds the catalog lock). */
export async function insertCategory(tx: TransactionSql, name: string): Promise<number> {
	const [row] = await tx<{ id: number }[]>`insert into category (name) values (${name}) returning id`;
	return (row as { id: number }).id;
}

/** Turns a refusal by the database (a concurrent change the checks above could not see) into a problem. */
function databaseProblem(error: unknown): CatalogFailure | null {
	const refused = refusalOf(error);
	switch (refused?.refusal) {
		case 'candidate_frozen':
			return { ok: false, error: 'frozen' };
		case 'category_frozen':
			return { ok: false, error: 'category_frozen' };
		case 'category_not_empty':
			return { ok: false, error: 'category_not_empty' };
		case 'unique_violation':
			if (refused.constraint === 'candidate_title_key') return { ok: false, error: 'title_taken' };
			if (refused.constraint === 'category_name_key') return { ok: false, error: 'name_taken' };
			return null;
		case 'foreign_key_violation':
			// A session's candidate list still names it; anything else pointing at the candidate
			// (merged proposals, selection rounds) keeps it too.
			return {
				ok: false,
				error: refused.constraint === 'voting_session_candidate_candidate_id_fkey' ? 'in_session' : 'has_provenance'
			};
		default:
			return null;
	}
}

async function guarded<T>(work: () => Promise<T>): Promise<T | CatalogFailure> {
	try {
		return await work();
	} catch (error) {
		const problem = databaseProblem(error);
		if (problem) return problem;
		throw error;
	}
}

// ---------------------------------------------------------------- candidates

export async function createCandidate(
	sql: Sql,
	input: CandidateInput,
	actorUserId: number | null
): Promise<{ ok: true; id: number } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; id: number } | CatalogFailure> => {
			await lockCatalog(tx);
			const category = await categoryName(tx, input.categoryId);
			if (category === null) return { ok: false, error: 'category_not_found' };
			if (await titleTaken(tx, input.title, null)) return { ok: false, error: 'title_taken' };
			const id = await insertCandidate(tx, input.categoryId, input);
			if (input.position !== null)
				await renumberCandidates(tx, placed(await orderedCandidateIds(tx, input.categoryId), id, input.position));
			await appendAudit(tx, {
				actorUserId,
				action: 'candidate.created',
				details: { candidateId: id, title: input.title, category }
			});
			return { ok: true, id };
		})
	);
}

export async function updateCandidate(
	sql: Sql,
	id: number,
	input: CandidateInput,
	actorUserId: number | null
): Promise<{ ok: true; changed: string[] } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; changed: string[] } | CatalogFailure> => {
			await lockCatalog(tx);
			const before = await readCandidateRow(tx, id);
			if (!before) return { ok: false, error: 'not_found' };
			const category = await categoryName(tx, input.categoryId);
			if (category === null) return { ok: false, error: 'category_not_found' };
			const changed = changedCandidateFields(before, input);
			const sessions = (await sessionUses(tx, [id])).get(id) ?? [];
			if (changed.length > 0 && isFrozen(sessions))
				return { ok: false, error: 'frozen', sessions: sessions.filter((use) => use.status !== 'draft') };
			if (changed.includes('title') && (await titleTaken(tx, input.title, id)))
				return { ok: false, error: 'title_taken' };
			if (changed.length > 0) await rewriteCandidate(tx, before, input.categoryId, input);
			if (input.position !== null) {
				const ids = await orderedCandidateIds(tx, input.categoryId);
				const reordered = placed(ids, id, input.position);
				if (reordered.indexOf(id) !== ids.indexOf(id)) {
					await renumberCandidates(tx, reordered);
					if (!changed.includes('category')) changed.push('position');
				}
			}
			if (changed.length > 0) {
				await appendAudit(tx, {
					actorUserId,
					action: 'candidate.updated',
					details: { candidateId: id, title: input.title, category, changed }
				});
			}
			return { ok: true, changed };
		})
	);
}

export async function moveCandidate(
	sql: Sql,
	id: number,
	direction: 'up' | 'down',
	actorUserId: number | null
): Promise<{ ok: true; moved: boolean } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; moved: boolean } | CatalogFailure> => {
			await lockCatalog(tx);
			const candidate = await readCandidateRow(tx, id);
			if (!candidate) return { ok: false, error: 'not_found' };
			const ids = await orderedCandidateIds(tx, candidate.categoryId);
			const reordered = stepped(ids, id, direction);
			if (reordered === ids) return { ok: true, moved: false };
			await renumberCandidates(tx, reordered);
			await appendAudit(tx, {
				actorUserId,
				action: 'candidate.updated',
				details: {
					candidateId: id,
					title: candidate.title,
					category: candidate.categoryName,
					changed: ['position'],
					position: reordered.indexOf(id) + 1
				}
			});
			return { ok: true, moved: true };
		})
	);
}

export async function deleteCandidate(
	sql: Sql,
	id: number,
	actorUserId: number | null
): Promise<{ ok: true } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true } | CatalogFailure> => {
			await lockCatalog(tx);
			const candidate = await readCandidateRow(tx, id);
			if (!candidate) return { ok: false, error: 'not_found' };
			const sessions = (await sessionUses(tx, [id])).get(id) ?? [];
			if (isFrozen(sessions))
				return { ok: false, error: 'frozen', sessions: sessions.filter((use) => use.status !== 'draft') };
			if (sessions.length > 0) return { ok: false, error: 'in_session', sessions };
			await tx`delete from candidate where id = ${id}`;
			await renumberCandidates(tx, await orderedCandidateIds(tx, candidate.categoryId));
			await appendAudit(tx, {
				actorUserId,
				action: 'candidate.deleted',
				details: { candidateId: id, title: candidate.title, category: candidate.categoryName }
			});
			return { ok: true };
		})
	);
}

// ---------------------------------------------------------------- categories

async function categoryIsFrozen(tx: TransactionSql, categoryId: number): Promise<SessionUse[]> {
	return tx<SessionUse[]>`
		select distinct s.id, s.title, s.status
		from voting_session s join voting_session_candidate v on v.voting_session_id = s.id join candidate c on c.id = v.candidate_id
		where c.category_id = ${categoryId} and s.status <> 'draft'
		order by s.id`;
}

export async function createCategory(
	sql: Sql,
	input: CategoryInput,
	actorUserId: number | null
): Promise<{ ok: true; id: number } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; id: number } | CatalogFailure> => {
			await lockCatalog(tx);
			if (await nameTaken(tx, input.name, null)) return { ok: false, error: 'name_taken' };
			const id = await insertCategory(tx, input.name);
			if (input.position !== null)
				await renumberCategories(tx, placed(await orderedCategoryIds(tx), id, input.position));
			await appendAudit(tx, { actorUserId, action: 'category.created', details: { categoryId: id, name: input.name } });
			return { ok: true, id };
		})
	);
}

export async function updateCategory(
	sql: Sql,
	id: number,
	input: CategoryInput,
	actorUserId: number | null
): Promise<{ ok: true; changed: string[] } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; changed: string[] } | CatalogFailure> => {
			await lockCatalog(tx);
			const before = await categoryName(tx, id);
			if (before === null) return { ok: false, error: 'not_found' };
			const changed: string[] = [];
			if (input.name !== before) {
				const frozenBy = await categoryIsFrozen(tx, id);
				if (frozenBy.length > 0) return { ok: false, error: 'category_frozen', sessions: frozenBy };
				if (await nameTaken(tx, input.name, id)) return { ok: false, error: 'name_taken' };
				await tx`update category set name = ${input.name} where id = ${id}`;
				changed.push('name');
			}
			if (input.position !== null) {
				const ids = await orderedCategoryIds(tx);
				const reordered = placed(ids, id, input.position);
				if (reordered.indexOf(id) !== ids.indexOf(id)) {
					await renumberCategories(tx, reordered);
					changed.push('position');
				}
			}
			if (changed.length > 0) {
				await appendAudit(tx, {
					actorUserId,
					action: 'category.updated',
					details: {
						categoryId: id,
						name: input.name,
						...(changed.includes('name') ? { previousName: before } : {}),
						changed
					}
				});
			}
			return { ok: true, changed };
		})
	);
}

export async function moveCategory(
	sql: Sql,
	id: number,
	direction: 'up' | 'down',
	actorUserId: number | null
): Promise<{ ok: true; moved: boolean } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true; moved: boolean } | CatalogFailure> => {
			await lockCatalog(tx);
			const name = await categoryName(tx, id);
			if (name === null) return { ok: false, error: 'not_found' };
			const ids = await orderedCategoryIds(tx);
			const reordered = stepped(ids, id, direction);
			if (reordered === ids) return { ok: true, moved: false };
			await renumberCategories(tx, reordered);
			await appendAudit(tx, {
				actorUserId,
				action: 'category.updated',
				details: { categoryId: id, name, changed: ['position'], position: reordered.indexOf(id) + 1 }
			});
			return { ok: true, moved: true };
		})
	);
}

export async function deleteCategory(
	sql: Sql,
	id: number,
	actorUserId: number | null
): Promise<{ ok: true } | CatalogFailure> {
	return guarded(() =>
		inTransaction(sql, async (tx): Promise<{ ok: true } | CatalogFailure> => {
			await lockCatalog(tx);
			const name = await categoryName(tx, id);
			if (name === null) return { ok: false, error: 'not_found' };
			const [row] = await tx<
				{ count: number }[]
			>`select count(*)::int as count from candidate where category_id = ${id}`;
			if ((row?.count ?? 0) > 0) return { ok: false, error: 'category_not_empty' };
			await tx`delete from category where id = ${id}`;
			await renumberCategories(tx, await orderedCategoryIds(tx));
			await appendAudit(tx, { actorUserId, action: 'category.deleted', details: { categoryId: id, name } });
			return { ok: true };
		})
	);
}
