// Importing the catalog from CSV against a real database: all rows or none, a report a person
// can act on, categories reused by name, candidates updated by title, one audit entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCsv } from '../../src/lib/domain/csv';
import { messageByKey } from '../../src/lib/i18n';
import { listCategoriesWithCandidates } from '../../src/lib/server/catalog/catalog';
import { IMPORT_MAX_BYTES, importCatalog, type ImportProblem } from '../../src/lib/server/catalog/csv-import';
import { catalogCsv } from '../../src/lib/server/catalog/export';
import { seedDemo } from '../../src/lib/server/seed/demo';
import { createUser, createVotingSession } from '../helpers/factory';
import { createTestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let staff: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
});

const encode = (text: string) => new TextEncoder().encode(text);
const HEADER = ['category', 'title', 'summary', 'targets', 'lead_department', 'budget_yuan', 'expected_completion'];

async function snapshot() {
	const [counts] = await database.sql<{ categories: number; candidates: number; audits: number }[]>`
		select (select count(*) from category)::int as categories, (select count(*) from candidate)::int as candidates,
		       (select count(*) from audit_entry)::int as audits`;
	return counts as { categories: number; candidates: number; audits: number };
}

async function lastAudit() {
	const [entry] = await database.sql<
		{ action: string; actorUserId: number | null; details: Record<string, unknown> }[]
	>`
		select action, actor_user_id as "actorUserId", details from audit_entry order by seq desc limit 1`;
	return entry;
}

async function candidateByTitle(title: string) {
	const categories = await listCategoriesWithCandidates(database.sql);
	return categories.flatMap((category) => category.candidates).find((candidate) => candidate.title === title);
}

function expectRefused(result: Awaited<ReturnType<typeof importCatalog>>): ImportProblem[] {
	expect(result.ok).toBe(false);
	return result.ok ? [] : result.problems;
}

describe('a valid file', () => {
	it('creates categories and candidates in file order, and records one audit entry with the counts', async () => {
		const csv = formatCsv([
			HEADER,
			[
				'交通出行',
				'新增公交线路',
				'新开 5 条公交线路',
				'新开线路 5 条;新增站点 40 个',
				'市交通运输局',
				'8000000',
				'2022-11-30'
			],
			['养老服务', '建设智慧养老院', '建设智慧公办养老院', '建成 10 家', '市民政局', '', ''],
			['交通出行', '改造公交候车亭', '', '', '', '1,500,000', '2022-09-30']
		]);
		const result = await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: 'first.csv' });
		expect(result).toEqual({
			ok: true,
			counts: { rows: 3, categoriesCreated: 2, candidatesCreated: 3, candidatesUpdated: 0, candidatesUnchanged: 0 }
		});

		const categories = await listCategoriesWithCandidates(database.sql);
		const imported = categories.filter((category) => ['交通出行', '养老服务'].includes(category.name));
		expect(
			imported.map((category) => [category.name, category.candidates.map((candidate) => candidate.title)])
		).toEqual([
			['交通出行', ['新增公交线路', '改造公交候车亭']],
			['养老服务', ['建设智慧养老院']]
		]);
		expect(await candidateByTitle('新增公交线路')).toMatchObject({
			summary: '新开 5 条公交线路',
			targets: ['新开线路 5 条', '新增站点 40 个'],
			leadDepartment: '市交通运输局',
			budgetYuan: 8_000_000,
			expectedCompletion: '2022-11-30'
		});
		expect(await candidateByTitle('建设智慧养老院')).toMatchObject({ budgetYuan: null, expectedCompletion: null });
		expect(await candidateByTitle('改造公交候车亭')).toMatchObject({ budgetYuan: 1_500_000 });

		expect(await lastAudit()).toMatchObject({
			action: 'catalog.imported',
			actorUserId: staff.id,
			details: {
				source: 'first.csv',
				rows: 3,
				categoriesCreated: 2,
				candidatesCreated: 3,
				candidatesUpdated: 0,
				candidatesUnchanged: 0
			}
		});
	});

	it('updates on re-import without duplicating, reuses categories, and leaves missing columns as they are', async () => {
		const before = await snapshot();
		const csv = formatCsv([
			['title', 'category', 'budget_yuan'],
			['新增公交线路', '交通出行', '9000000'], // changed budget
			['建设智慧养老院', '养老服务', ''], // unchanged
			['新建口袋公园', '养老服务', '300000'] // new, into an existing category
		]);
		const result = await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: 'second.csv' });
		expect(result).toEqual({
			ok: true,
			counts: { rows: 3, categoriesCreated: 0, candidatesCreated: 1, candidatesUpdated: 1, candidatesUnchanged: 1 }
		});
		const after = await snapshot();
		expect(after).toEqual({
			categories: before.categories,
			candidates: before.candidates + 1,
			audits: before.audits + 1
		});
		// The summary, targets, lead department and date columns were absent: kept.
		expect(await candidateByTitle('新增公交线路')).toMatchObject({
			budgetYuan: 9_000_000,
			summary: '新开 5 条公交线路',
			targets: ['新开线路 5 条', '新增站点 40 个'],
			expectedCompletion: '2022-11-30'
		});
		expect((await lastAudit())?.details).toMatchObject({
			candidatesUpdatedTitles: ['新增公交线路'],
			candidatesCreatedTitles: ['新建口袋公园']
		});
	});

	it('moves a candidate to another category named in the file and closes the gap it leaves', async () => {
		const csv = formatCsv([
			['category', 'title'],
			['养老服务', '新增公交线路']
		]);
		const result = await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: 'move.csv' });
		expect(result.ok && result.counts.candidatesUpdated).toBe(1);
		const categories = await listCategoriesWithCandidates(database.sql);
		expect(
			categories.find((category) => category.name === '交通出行')?.candidates.map((candidate) => candidate.title)
		).toEqual(['改造公交候车亭']);
		expect(
			categories.find((category) => category.name === '养老服务')?.candidates.map((candidate) => candidate.title)
		).toEqual(['建设智慧养老院', '新建口袋公园', '新增公交线路']);
		const [positions] = await database.sql<{ sensible: boolean }[]>`
			select bool_and(position between 1 and (select count(*) from candidate c2 where c2.category_id = c.category_id)) as sensible from candidate c`;
		expect(positions?.sensible).toBe(true);
	});

	it('reads a BOM, Chinese headers (any width of brackets), semicolons and line breaks between targets, grouped amounts and slashed dates', async () => {
		const csv = formatCsv(
			[
				['方面/类别', '项目名称', '概述', '量化目标', '牵头单位', '估算投资(元)', '预计完成时间'],
				[
					'教育补短',
					'新建中小学',
					'新建、改扩建中小学',
					'新建 8 所；改扩建 12 所\n新增学位 1 万个',
					'市教育局',
					'120,000,000',
					'2022/8/31'
				]
			],
			{ bom: true }
		);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const result = await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: '候选项目.csv' });
		expect(result).toMatchObject({ ok: true, counts: { categoriesCreated: 1, candidatesCreated: 1 } });
		expect(await candidateByTitle('新建中小学')).toMatchObject({
			categoryName: '教育补短',
			targets: ['新建 8 所', '改扩建 12 所', '新增学位 1 万个'],
			budgetYuan: 120_000_000,
			expectedCompletion: '2022-08-31'
		});
	});

	it('takes back its own export, in either language, with nothing to change', async () => {
		const categories = await listCategoriesWithCandidates(database.sql);
		const total = categories.reduce((sum, category) => sum + category.candidates.length, 0);
		for (const headers of [
			{
				category: '方面',
				title: '项目名称',
				summary: '概述',
				targets: '量化目标',
				lead_department: '牵头单位',
				budget_yuan: '估算投资（元）',
				expected_completion: '预计完成时间'
			},
			{
				category: 'Category',
				title: 'Title',
				summary: 'Summary',
				targets: 'Targets',
				lead_department: 'Lead department',
				budget_yuan: 'Budget (yuan)',
				expected_completion: 'Expected completion'
			}
		]) {
			const result = await importCatalog(database.sql, encode(catalogCsv(categories, headers)), {
				actorUserId: staff.id,
				source: 'export.csv'
			});
			expect(result).toEqual({
				ok: true,
				counts: {
					rows: total,
					categoriesCreated: 0,
					candidatesCreated: 0,
					candidatesUpdated: 0,
					candidatesUnchanged: total
				}
			});
		}
	});
});

describe('a file with problems', () => {
	it('writes nothing when one row is wrong, and says where and what', async () => {
		const before = await snapshot();
		const csv = formatCsv([
			HEADER,
			['文体服务', '新建体育公园', '', '', '', '5000000', '2022-12-31'],
			['文体服务', '新建图书馆分馆', '', '', '', '五百万', '2022-12-31'],
			['文体服务', '新建文化礼堂', '', '', '', '', '']
		]);
		const problems = expectRefused(
			await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: 'bad.csv' })
		);
		expect(problems).toEqual([{ row: 3, column: 'budget_yuan', message: 'catalog_error_budget_invalid' }]);
		expect(messageByKey(problems[0]!.message)).toContain('估算投资请填写以元为单位的整数');
		expect(await snapshot()).toEqual(before);
		expect(await candidateByTitle('新建体育公园')).toBeUndefined();
	});

	it('reports every problem of every row, each with its row and the column as the file names it', async () => {
		const before = await snapshot();
		const text = [
			'方面,项目名称,预计完成时间,估算投资（元）',
			'安居工程,,2022-12-31,1',
			'安居工程,改造老旧小区,2022-02-30,-5',
			'安居工程,加装电梯',
			'安居工程,改造老旧小区,2022-12-31,1',
			'',
			'安居工程,"新建""保障房",2022-12-31,1',
			`${'长'.repeat(51)},新建人才公寓,,`
		].join('\r\n');
		const problems = expectRefused(
			await importCatalog(database.sql, encode(text), { actorUserId: staff.id, source: 'many.csv' })
		);
		expect(problems.map(({ row, column, message }) => [row, column, message])).toEqual([
			[2, '项目名称', 'catalog_error_title_required'],
			[3, '预计完成时间', 'catalog_error_date_invalid'],
			[3, '估算投资（元）', 'catalog_error_budget_invalid'],
			[4, null, 'catalog_csv_wrong_field_count'],
			[8, '方面', 'catalog_error_category_name_too_long']
		]);
		expect(problems[3]?.inputs).toMatchObject({ expected: 4, actual: 2 });
		expect(messageByKey(problems[3]!.message, problems[3]!.inputs)).toBe(
			'这一行有 2 个单元格，而标题行有 4 个。请检查是否多了或少了逗号。'
		);
		expect(await snapshot()).toEqual(before);
	});

	it('refuses the same title twice in one file, naming the first row', async () => {
		const csv = formatCsv([
			['category', 'title'],
			['安居工程', '改造老旧小区'],
			['安居工程', '改造老旧小区']
		]);
		const problems = expectRefused(
			await importCatalog(database.sql, encode(csv), { actorUserId: staff.id, source: 'twice.csv' })
		);
		expect(problems).toEqual([
			{
				row: 3,
				column: 'title',
				message: 'catalog_import_duplicate_title',
				inputs: { title: '改造老旧小区', first: 2 }
			}
		]);
	});

	it('checks the header: unknown, doubled and missing columns', async () => {
		const unknown = expectRefused(
			await importCatalog(database.sql, encode('category,title,budget\nA,B,1\n'), {
				actorUserId: staff.id,
				source: 'h.csv'
			})
		);
		expect(unknown).toEqual([
			{ row: 1, column: 'budget', message: 'catalog_import_unknown_column', inputs: { name: 'budget' } }
		]);
		const doubled = expectRefused(
			await importCatalog(database.sql, encode('方面,类别,title\nA,A,B\n'), { actorUserId: staff.id, source: 'h.csv' })
		);
		expect(doubled).toEqual([
			{ row: 1, column: '类别', message: 'catalog_import_duplicate_column', inputs: { name: '类别', first: '方面' } }
		]);
		const missing = expectRefused(
			await importCatalog(database.sql, encode('项目名称,概述\nA,B\n'), { actorUserId: staff.id, source: 'h.csv' })
		);
		expect(missing).toEqual([
			{ row: 1, column: null, message: 'catalog_import_missing_column', inputs: { name: 'category / 方面' } }
		]);
	});

	it('refuses a file that is not UTF-8, an empty file, a header alone and an oversized file', async () => {
		const gbk = new Uint8Array([0xb7, 0xbd, 0xc3, 0xe6, 0x2c, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x0a]); // "方面,title" in GBK
		expect(expectRefused(await importCatalog(database.sql, gbk, { actorUserId: staff.id, source: 'gbk.csv' }))).toEqual(
			[expect.objectContaining({ row: null, message: 'catalog_csv_not_utf8' })]
		);
		expect(
			expectRefused(await importCatalog(database.sql, encode('\uFEFF'), { actorUserId: staff.id, source: 'e.csv' }))
		).toEqual([expect.objectContaining({ row: null, message: 'catalog_csv_empty_file' })]);
		expect(
			expectRefused(
				await importCatalog(database.sql, encode('category,title\r\n'), { actorUserId: staff.id, source: 'e.csv' })
			)
		).toEqual([{ row: null, column: null, message: 'catalog_import_no_rows' }]);
		const big = new Uint8Array(IMPORT_MAX_BYTES + 1).fill(0x61);
		expect(expectRefused(await importCatalog(database.sql, big, { actorUserId: staff.id, source: 'big.csv' }))).toEqual(
			[{ row: null, column: null, message: 'catalog_import_too_large', inputs: { maxKb: 512 } }]
		);
	});

	it('refuses to change a candidate of a vote that has opened, but accepts it unchanged', async () => {
		const session = await createVotingSession(database.sql, { candidates: 3, seats: 1 });
		const [frozen] = await database.sql<{ title: string; category: string }[]>`
			select c.title, g.name as category from candidate c join category g on g.id = c.category_id where c.id = ${session.candidateIds[0]!}`;
		const { title, category } = frozen as { title: string; category: string };
		const before = await snapshot();
		const changed = formatCsv([
			['category', 'title', 'summary'],
			['安居工程', '新建人才公寓', ''],
			[category, title, '改过的概述']
		]);
		const problems = expectRefused(
			await importCatalog(database.sql, encode(changed), { actorUserId: staff.id, source: 'frozen.csv' })
		);
		expect(problems).toEqual([
			{ row: 3, column: null, message: 'catalog_import_frozen', inputs: { title, sessions: expect.any(String) } }
		]);
		expect(await snapshot()).toEqual(before);

		const same = formatCsv([
			['category', 'title', 'summary'],
			[category, title, '']
		]);
		expect(
			await importCatalog(database.sql, encode(same), { actorUserId: staff.id, source: 'same.csv' })
		).toMatchObject({
			ok: true,
			counts: { candidatesUnchanged: 1 }
		});
	});
});

describe('the demo data', () => {
	it('keeps the catalog rules, and its export imports back with nothing to change', async () => {
		const demo = await createTestDatabase();
		try {
			await seedDemo(demo.sql, { adminPassword: 'demo admin password' });
			const [rules] = await demo.sql<{ sensible: boolean }[]>`
				select bool_and(position = ordinal) as sensible from (
					select position, row_number() over (partition by category_id order by position, id) as ordinal from candidate) numbered`;
			expect(rules?.sensible).toBe(true);
			const categories = await listCategoriesWithCandidates(demo.sql);
			expect(categories).toHaveLength(12);
			const csv = catalogCsv(categories, {
				category: '方面',
				title: '项目名称',
				summary: '概述',
				targets: '量化目标',
				lead_department: '牵头单位',
				budget_yuan: '估算投资（元）',
				expected_completion: '预计完成时间'
			});
			const result = await importCatalog(demo.sql, encode(csv), { actorUserId: null, source: 'demo.csv' });
			// 34 candidates of the 2022 vote and the 6 of the 2021 demo vote whose chosen projects are being delivered.
			expect(result).toEqual({
				ok: true,
				counts: { rows: 40, categoriesCreated: 0, candidatesCreated: 0, candidatesUpdated: 0, candidatesUnchanged: 40 }
			});
		} finally {
			await demo.drop();
		}
	});
});
