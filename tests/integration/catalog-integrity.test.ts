// The catalog's rules as the database holds them (writes that bypass the app are refused) and as
// the staff module applies them (clear problems, positions kept 1..n, an audit entry per change).
import { beforeAll, describe, expect, it } from 'vitest';
import { listCategoriesWithCandidates } from '../../src/lib/server/catalog/catalog';
import {
	createCandidate,
	createCategory,
	deleteCandidate,
	deleteCategory,
	moveCandidate,
	moveCategory,
	updateCandidate,
	updateCategory,
	type CandidateInput
} from '../../src/lib/server/catalog/manage';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { createCandidates, createUser, createVotingSession } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let staff: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
});

async function categoryOf(candidateId: number): Promise<number> {
	const [row] = await database.sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${candidateId}`;
	return (row as { categoryId: number }).categoryId;
}

async function titlesIn(categoryId: number): Promise<string[]> {
	const categories = await listCategoriesWithCandidates(database.sql);
	return (
		categories.find((category) => category.id === categoryId)?.candidates.map((candidate) => candidate.title) ?? []
	);
}

async function positionsIn(categoryId: number): Promise<number[]> {
	const rows = await database.sql<
		{ position: number }[]
	>`select position from candidate where category_id = ${categoryId} order by position`;
	return rows.map((row) => row.position);
}

async function auditActions(
	since: number
): Promise<{ action: string; actorUserId: number | null; details: Record<string, unknown> }[]> {
	return database.sql`select action, actor_user_id as "actorUserId", details from audit_entry where seq > ${since} order by seq`;
}

async function auditHeadSeq(): Promise<number> {
	const [row] = await database.sql<{ seq: number }[]>`select coalesce(max(seq), 0)::int as seq from audit_entry`;
	return row?.seq ?? 0;
}

function input(categoryId: number, title: string, overrides: Partial<CandidateInput> = {}): CandidateInput {
	return {
		categoryId,
		title,
		summary: '',
		targets: [],
		leadDepartment: '',
		budgetYuan: null,
		expectedCompletion: null,
		position: null,
		...overrides
	};
}

describe('a candidate of a vote that has opened is frozen in the database', () => {
	it('refuses direct edits and deletion, allows its place in the public list to change', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1 });
		const frozenId = session.candidateIds[0]!;
		await expect(sql`update candidate set title = 'changed behind the app' where id = ${frozenId}`).rejects.toThrow(
			/candidate \d+ is frozen: voting session \d+ is open/
		);
		await expect(sql`update candidate set budget_yuan = 1 where id = ${frozenId}`).rejects.toThrow(/is frozen/);
		const [elsewhere] = await sql<{ id: number }[]>`insert into category (name) values ('elsewhere') returning id`;
		await expect(
			sql`update candidate set category_id = ${elsewhere!.id}, position = 1 where id = ${frozenId}`
		).rejects.toThrow(/is frozen/);
		await expect(sql`delete from candidate where id = ${frozenId}`).rejects.toThrow(/is frozen/);
		await sql`update candidate set position = 99 where id = ${frozenId}`;
		expect((await sql`select position from candidate where id = ${frozenId}`)[0]?.position).toBe(99);
	});

	it('stays frozen after the vote closes', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1 });
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		await expect(sql`update candidate set summary = 'x' where id = ${session.candidateIds[1]!}`).rejects.toThrow(
			/voting session \d+ is closed/
		);
	});

	it('lets a candidate of a draft session change', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, open: false });
		await sql`update candidate set summary = 'still a draft' where id = ${session.candidateIds[0]!}`;
		expect((await sql`select summary from candidate where id = ${session.candidateIds[0]!}`)[0]?.summary).toBe(
			'still a draft'
		);
	});

	it('makes an edit that races the opening of its session wait, then refuses it', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, open: false });
		const candidateId = session.candidateIds[0]!;
		let releaseOpening: () => void = () => {};
		const openingHeld = new Promise<void>((resolve) => (releaseOpening = resolve));
		let opened: () => void = () => {};
		const openingDone = new Promise<void>((resolve) => (opened = resolve));
		const opening = sql.begin(async (tx) => {
			await tx`update voting_session set status = 'open' where id = ${session.id}`;
			opened();
			await openingHeld; // the session row stays locked, "open" not yet committed
		});
		await openingDone;
		const edit = sql`update candidate set summary = 'raced' where id = ${candidateId}`.then(
			() => 'written',
			(error: Error) => error.message
		);
		// Wait until the edit is blocked on the session row, then let the opening commit.
		for (;;) {
			const [row] = await sql<{ waiting: number }[]>`
				select count(*)::int as waiting from pg_stat_activity
				where datname = current_database() and wait_event_type = 'Lock' and query like '%raced%'`;
			if ((row?.waiting ?? 0) > 0) break;
			await new Promise((resolve) => setImmediate(resolve));
		}
		releaseOpening();
		await opening;
		expect(await edit).toMatch(/is frozen: voting session \d+ is open/);
		expect((await sql`select summary from candidate where id = ${candidateId}`)[0]?.summary).toBe('');
	});
});

describe('categories and positions in the database', () => {
	it('refuses to delete a category that holds candidates', async () => {
		const { sql } = database;
		const [candidateId] = await createCandidates(sql, 1);
		const categoryId = await categoryOf(candidateId!);
		await expect(sql`delete from category where id = ${categoryId}`).rejects.toThrow(
			/holds 1 candidates and cannot be deleted/
		);
	});

	it('keeps the name of a category whose candidates are in a vote that has opened', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 3, seats: 1 });
		const categoryId = await categoryOf(session.candidateIds[0]!);
		await expect(sql`update category set name = 'renamed' where id = ${categoryId}`).rejects.toThrow(
			/category \d+ is frozen/
		);
		await sql`update category set position = 7 where id = ${categoryId}`;
	});

	it('refuses positions below 1 and two candidates in one place, and appends when no position is given', async () => {
		const { sql } = database;
		const ids = await createCandidates(sql, 2);
		const categoryId = await categoryOf(ids[0]!);
		await expect(sql`update candidate set position = 0 where id = ${ids[0]!}`).rejects.toThrow(
			/candidate_position_positive/
		);
		await expect(sql`update candidate set position = 2 where id = ${ids[0]!}`).rejects.toThrow(
			/candidate_position_key/
		);
		await expect(sql`update category set position = 0 where id = ${categoryId}`).rejects.toThrow(
			/category_position_positive/
		);
		// Swapping places inside one transaction is fine: the uniqueness is checked at commit.
		await sql.begin(async (tx) => {
			await tx`update candidate set position = 2 where id = ${ids[0]!}`;
			await tx`update candidate set position = 1 where id = ${ids[1]!}`;
		});
		await sql`insert into candidate (category_id, title) values (${categoryId}, 'appended without a position')`;
		expect(await positionsIn(categoryId)).toEqual([1, 2, 3]);
		const [category] = await sql<
			{ position: number }[]
		>`insert into category (name) values ('appended category') returning position`;
		const [max] = await sql<{ max: number }[]>`select max(position)::int as max from category`;
		expect(category?.position).toBe(max?.max);
	});
});

describe('staff changes through the module', () => {
	it('creates, places, edits, moves and deletes, keeping positions 1..n and auditing each change with the actor', async () => {
		const since = await auditHeadSeq();
		const category = await createCategory(database.sql, { name: '生态环境', position: null }, staff.id);
		if (!category.ok) throw new Error(category.error);
		const first = await createCandidate(
			database.sql,
			input(category.id, '治理黑臭水体', { targets: ['完成 12 条'], budgetYuan: 5_000_000 }),
			staff.id
		);
		const second = await createCandidate(database.sql, input(category.id, '新建污水管网'), staff.id);
		const third = await createCandidate(
			database.sql,
			input(category.id, '建设垃圾分类示范小区', { position: 1 }),
			staff.id
		);
		if (!first.ok || !second.ok || !third.ok) throw new Error('not created');
		expect(await titlesIn(category.id)).toEqual(['建设垃圾分类示范小区', '治理黑臭水体', '新建污水管网']);

		const unchanged = await updateCandidate(
			database.sql,
			first.id,
			input(category.id, '治理黑臭水体', { targets: ['完成 12 条'], budgetYuan: 5_000_000 }),
			staff.id
		);
		expect(unchanged).toEqual({ ok: true, changed: [] });
		const edited = await updateCandidate(
			database.sql,
			first.id,
			input(category.id, '治理城乡黑臭水体', { targets: ['完成 15 条'], budgetYuan: 5_000_000, position: 3 }),
			staff.id
		);
		expect(edited).toEqual({ ok: true, changed: ['title', 'targets', 'position'] });
		expect(await titlesIn(category.id)).toEqual(['建设垃圾分类示范小区', '新建污水管网', '治理城乡黑臭水体']);

		expect(await moveCandidate(database.sql, first.id, 'up', staff.id)).toEqual({ ok: true, moved: true });
		expect(await moveCandidate(database.sql, third.id, 'up', staff.id)).toEqual({ ok: true, moved: false });
		expect(await titlesIn(category.id)).toEqual(['建设垃圾分类示范小区', '治理城乡黑臭水体', '新建污水管网']);

		expect(await deleteCandidate(database.sql, third.id, staff.id)).toEqual({ ok: true });
		expect(await positionsIn(category.id)).toEqual([1, 2]);
		expect(await deleteCategory(database.sql, category.id, staff.id)).toEqual({
			ok: false,
			error: 'category_not_empty'
		});

		const entries = await auditActions(since);
		expect(entries.map((entry) => entry.action)).toEqual([
			'category.created',
			'candidate.created',
			'candidate.created',
			'candidate.created',
			'candidate.updated',
			'candidate.updated',
			'candidate.deleted'
		]);
		expect(entries.every((entry) => entry.actorUserId === staff.id)).toBe(true);
		expect(entries[4]?.details).toMatchObject({
			candidateId: first.id,
			title: '治理城乡黑臭水体',
			changed: ['title', 'targets', 'position']
		});
		expect(entries[5]?.details).toMatchObject({ changed: ['position'], position: 2 });
	});

	it('refuses a taken title or name, and an unknown category', async () => {
		const category = await createCategory(database.sql, { name: '公共安全', position: null }, staff.id);
		if (!category.ok) throw new Error(category.error);
		expect(await createCategory(database.sql, { name: '公共安全', position: null }, staff.id)).toEqual({
			ok: false,
			error: 'name_taken'
		});
		await createCandidate(database.sql, input(category.id, '建设应急避难场所'), staff.id);
		expect(await createCandidate(database.sql, input(category.id, '建设应急避难场所'), staff.id)).toEqual({
			ok: false,
			error: 'title_taken'
		});
		expect(await createCandidate(database.sql, input(987654, '别的项目'), staff.id)).toEqual({
			ok: false,
			error: 'category_not_found'
		});
	});

	it('refuses to edit or delete a frozen candidate with the sessions named, and lets staff reorder around it', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1 });
		const [frozenId, , lastId] = session.candidateIds as [number, number, number];
		const categoryId = await categoryOf(frozenId);
		const [row] = await database.sql<{ title: string }[]>`select title from candidate where id = ${frozenId}`;
		const title = (row as { title: string }).title;

		const edit = await updateCandidate(database.sql, frozenId, input(categoryId, title, { summary: '改动' }), staff.id);
		expect(edit).toMatchObject({ ok: false, error: 'frozen', sessions: [{ id: session.id, status: 'open' }] });
		expect(await deleteCandidate(database.sql, frozenId, staff.id)).toMatchObject({ ok: false, error: 'frozen' });
		// Its place in the public list may change, by the form's position field or by moving others.
		expect(await updateCandidate(database.sql, frozenId, input(categoryId, title, { position: 2 }), staff.id)).toEqual({
			ok: true,
			changed: ['position']
		});
		expect(await moveCandidate(database.sql, lastId, 'up', staff.id)).toMatchObject({ ok: true, moved: true });
		expect(await updateCategory(database.sql, categoryId, { name: '改名', position: null }, staff.id)).toMatchObject({
			ok: false,
			error: 'category_frozen'
		});
	});

	it('refuses to delete a candidate listed in a draft session, naming it', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1, open: false });
		expect(await deleteCandidate(database.sql, session.candidateIds[0]!, staff.id)).toMatchObject({
			ok: false,
			error: 'in_session',
			sessions: [{ id: session.id, status: 'draft' }]
		});
	});

	it('reorders and deletes categories, keeping them 1..n', async () => {
		const a = await createCategory(database.sql, { name: '排序甲', position: 1 }, staff.id);
		const b = await createCategory(database.sql, { name: '排序乙', position: 1 }, staff.id);
		if (!a.ok || !b.ok) throw new Error('not created');
		const order = async () => (await listCategoriesWithCandidates(database.sql)).map((category) => category.name);
		expect((await order()).slice(0, 2)).toEqual(['排序乙', '排序甲']);
		expect(await moveCategory(database.sql, a.id, 'up', staff.id)).toEqual({ ok: true, moved: true });
		expect((await order()).slice(0, 2)).toEqual(['排序甲', '排序乙']);
		expect(await updateCategory(database.sql, a.id, { name: '排序甲（改）', position: 2 }, staff.id)).toEqual({
			ok: true,
			changed: ['name', 'position']
		});
		expect((await order()).slice(0, 2)).toEqual(['排序乙', '排序甲（改）']);
		expect(await deleteCategory(database.sql, b.id, staff.id)).toEqual({ ok: true });
		const positions = await database.sql<{ position: number }[]>`select position from category order by position`;
		expect(positions.map((row) => row.position)).toEqual(positions.map((_, index) => index + 1));
	});
});
