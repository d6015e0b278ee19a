// The catalog over real HTTP, used as a browser without JavaScript would use it: the role guard on
// every page and action, staff forms that keep what was typed, the CSV upload with its report,
// and the public exports carrying the same data as the pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsv, parseCsvTable } from '../../src/lib/domain/csv';
import { listCategoriesWithCandidates } from '../../src/lib/server/catalog/catalog';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createCandidates, createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let delegate: { id: number; username: string };
let scrutineer: { id: number; username: string };
let openSession: TestSession;
let draftCandidateId: number;
let draftCategoryId: number;
let emptyCategoryId: number;

beforeAll(async () => {
	app = await startApp(database.url);
	staff = await createUser(database.sql, ['staff'], 'staff');
	delegate = await createUser(database.sql, ['delegate'], 'delegate');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	openSession = await createVotingSession(database.sql, { candidates: 3, seats: 1 });
	[draftCandidateId] = (await createCandidates(database.sql, 2)) as [number];
	const [row] = await database.sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${draftCandidateId}`;
	draftCategoryId = (row as { categoryId: number }).categoryId;
	const [empty] = await database.sql<{ id: number }[]>`insert into category (name) values ('空的方面') returning id`;
	emptyCategoryId = (empty as { id: number }).id;
});
afterAll(async () => {
	await app?.stop();
});

async function signedIn(username: string, headers: Record<string, string> = {}): Promise<Visitor> {
	const visitor = new Visitor(app.baseUrl, headers);
	expect((await visitor.signIn(username, TEST_PASSWORD)).status).toBe(303);
	return visitor;
}

/** The session cookie of a fresh sign-in, for requests the Visitor cannot make (file uploads). */
async function sessionCookie(username: string): Promise<string> {
	const response = await fetch(`${app.baseUrl}/login`, {
		method: 'POST',
		redirect: 'manual',
		body: new URLSearchParams({ username, password: TEST_PASSWORD }),
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: app.baseUrl }
	});
	expect(response.status).toBe(303);
	const cookie = response.headers.getSetCookie().find((header) => header.startsWith('piaojue_session='));
	return (cookie ?? '').split(';')[0] as string;
}

/** Uploads a file through the import form, as a browser without JavaScript does (multipart). */
async function upload(
	cookie: string,
	fileName: string,
	content: string,
	headers: Record<string, string> = {}
): Promise<Response> {
	const form = new FormData();
	form.set('file', new File([content], fileName, { type: 'text/csv' }));
	return fetch(`${app.baseUrl}/admin/candidates/import`, {
		method: 'POST',
		redirect: 'manual',
		body: form,
		headers: { origin: app.baseUrl, accept: 'text/html', ...(cookie ? { cookie } : {}), ...headers }
	});
}

async function catalogState() {
	const [row] = await database.sql<{ categories: number; candidates: number; audits: number; fingerprint: string }[]>`
		select (select count(*) from category)::int as categories, (select count(*) from candidate)::int as candidates,
		       (select count(*) from audit_entry)::int as audits,
		       (select md5(string_agg(c::text, '|' order by c.id)) from candidate c) as fingerprint`;
	return row;
}

/** Text of an HTML page with tags removed and entities of the quotes decoded. */
function textOf(html: string): string {
	return html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/\s+/g, ' ');
}

const candidateFields = (categoryId: number, overrides: Record<string, string> = {}) => ({
	categoryId: String(categoryId),
	position: '',
	title: '新建智慧停车场',
	summary: '在城区新建智慧停车场，缓解停车难。',
	targets: '新增泊位 2000 个\n接入智慧停车平台',
	leadDepartment: '市综合行政执法局',
	budgetYuan: '30000000',
	expectedCompletion: '2022-12-31',
	...overrides
});

describe('the role guard', () => {
	const pages = () => [
		'/admin/candidates',
		'/admin/candidates/new',
		`/admin/candidates/${draftCandidateId}`,
		'/admin/candidates/categories/new',
		`/admin/candidates/categories/${draftCategoryId}`,
		'/admin/candidates/import',
		'/admin/candidates/import/template.csv'
	];
	const actions = (): [string, Record<string, string>][] => [
		['/admin/candidates?/moveCandidate', { id: String(draftCandidateId), direction: 'down' }],
		['/admin/candidates?/moveCategory', { id: String(draftCategoryId), direction: 'down' }],
		['/admin/candidates/new', candidateFields(draftCategoryId, { title: 'sneaked in' })],
		[`/admin/candidates/${draftCandidateId}?/save`, candidateFields(draftCategoryId, { title: 'sneaked edit' })],
		[`/admin/candidates/${draftCandidateId}?/delete`, { confirm: 'yes' }],
		['/admin/candidates/categories/new', { name: 'sneaked category', position: '' }],
		[`/admin/candidates/categories/${draftCategoryId}?/save`, { name: 'sneaked rename', position: '1' }],
		[`/admin/candidates/categories/${emptyCategoryId}?/delete`, { confirm: 'yes' }]
	];

	it('sends anonymous visitors to sign in, from every page and action', async () => {
		const before = await catalogState();
		const anonymous = new Visitor(app.baseUrl);
		for (const path of pages()) {
			const response = await anonymous.get(path);
			expect(response.status, path).toBe(303);
			expect(response.headers.get('location'), path).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
		}
		for (const [path, fields] of actions()) {
			const response = await anonymous.post(path, fields);
			expect(response.status, path).toBe(303);
			expect(response.headers.get('location'), path).toMatch(/^\/login\?redirectTo=/);
		}
		const uploaded = await upload('', 'x.csv', 'category,title\nA,sneaked upload\n');
		expect(uploaded.status).toBe(303);
		expect(await catalogState()).toEqual(before);
	});

	it('refuses delegates and scrutineers (403) and writes nothing', async () => {
		const before = await catalogState();
		for (const username of [delegate.username, scrutineer.username]) {
			const visitor = await signedIn(username);
			for (const path of pages()) expect((await visitor.get(path)).status, `${username} ${path}`).toBe(403);
			for (const [path, fields] of actions())
				expect((await visitor.post(path, fields)).status, `${username} ${path}`).toBe(403);
			expect((await upload(await sessionCookie(username), 'x.csv', 'category,title\nA,sneaked upload\n')).status).toBe(
				403
			);
		}
		expect(await catalogState()).toEqual(before);
	});

	it('opens every page to staff', async () => {
		const visitor = await signedIn(staff.username);
		for (const path of pages()) expect((await visitor.get(path)).status, path).toBe(200);
		const list = textOf(await (await visitor.get('/admin/candidates')).text());
		expect(list).toContain('候选项目管理');
		expect(list).toContain('已锁定'); // the candidates of the open session
	});
});

describe('staff edit through the forms without JavaScript', () => {
	it('creates a category, then a candidate after a validation error that keeps every field', async () => {
		const visitor = await signedIn(staff.username);
		const category = await visitor.post('/admin/candidates/categories/new', { name: '城市管理', position: '' });
		expect(category.status).toBe(303);
		const categoryId = Number(/id=(\d+)/.exec(category.headers.get('location') ?? '')?.[1]);
		expect(categoryId).toBeGreaterThan(0);
		expect(textOf(await (await visitor.get(category.headers.get('location') ?? '')).text())).toContain(
			'已新增方面“城市管理”'
		);

		const typed = candidateFields(categoryId, { budgetYuan: '三千万', expectedCompletion: '2022-02-30' });
		const refused = await visitor.post('/admin/candidates/new', typed);
		expect(refused.status).toBe(400);
		const html = await refused.text();
		const text = textOf(html);
		expect(text).toContain('没有保存，请修改以下内容');
		expect(text).toContain('估算投资请填写以元为单位的整数');
		expect(text).toContain('请按 YYYY-MM-DD 格式填写');
		expect(html).toContain('value="新建智慧停车场"');
		expect(html).toContain('value="三千万"');
		expect(html).toContain('value="2022-02-30"');
		expect(html).toContain('value="市综合行政执法局"');
		expect(html).toContain('>新增泊位 2000 个\n接入智慧停车平台</textarea>');
		expect(html).toMatch(new RegExp(`<option value="${categoryId}" selected`));
		expect(html).toMatch(/id="budgetYuan"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="budgetYuan"/);
		expect((await database.sql`select 1 from candidate where title = '新建智慧停车场'`).length).toBe(0);

		const created = await visitor.post('/admin/candidates/new', candidateFields(categoryId));
		expect(created.status).toBe(303);
		const [row] = await database.sql<{ id: number; targets: string[]; budgetYuan: number }[]>`
			select id, targets, budget_yuan as "budgetYuan" from candidate where title = '新建智慧停车场'`;
		expect(row).toMatchObject({ targets: ['新增泊位 2000 个', '接入智慧停车平台'], budgetYuan: 30_000_000 });
		expect(created.headers.get('location')).toBe(
			`/admin/candidates?done=candidate_created&id=${row!.id}#candidate-${row!.id}`
		);
	});

	it('edits a candidate: an error keeps the input (in the reader’s language), a valid save is audited', async () => {
		const visitor = await signedIn(staff.username);
		const english = await signedIn(staff.username, { 'accept-language': 'en' });
		const path = `/admin/candidates/${draftCandidateId}?/save`;
		const refused = await visitor.post(
			path,
			candidateFields(draftCategoryId, { title: '  ', summary: '保留我输入的概述' })
		);
		expect(refused.status).toBe(400);
		const html = await refused.text();
		expect(textOf(html)).toContain('请填写项目名称');
		expect(html).toContain('>保留我输入的概述</textarea>');
		const refusedInEnglish = await english.post(path, candidateFields(draftCategoryId, { title: '' }));
		expect(textOf(await refusedInEnglish.text())).toContain('Please enter the title.');

		const saved = await visitor.post(path, candidateFields(draftCategoryId, { title: '改造老旧小区', position: '2' }));
		expect(saved.status).toBe(303);
		const titles = (await listCategoriesWithCandidates(database.sql))
			.find((category) => category.id === draftCategoryId)
			?.candidates.map((candidate) => candidate.title);
		expect(titles?.[1]).toBe('改造老旧小区');
		const [audit] = await database.sql<{ action: string; actorUserId: number; details: { changed: string[] } }[]>`
			select action, actor_user_id as "actorUserId", details from audit_entry order by seq desc limit 1`;
		expect(audit).toMatchObject({ action: 'candidate.updated', actorUserId: staff.id });
		expect(audit?.details.changed).toEqual(expect.arrayContaining(['title', 'summary', 'position']));
	});

	it('moves candidates and categories with the up and down buttons', async () => {
		const visitor = await signedIn(staff.username);
		const order = async () =>
			(await listCategoriesWithCandidates(database.sql))
				.find((category) => category.id === draftCategoryId)
				?.candidates.map((candidate) => candidate.id) ?? [];
		const before = await order();
		expect(
			(await visitor.post('/admin/candidates?/moveCandidate', { id: String(before[1]), direction: 'up' })).status
		).toBe(200);
		expect(await order()).toEqual([before[1], before[0]]);
		const categoryIds = async () => (await listCategoriesWithCandidates(database.sql)).map((category) => category.id);
		const categoriesBefore = await categoryIds();
		const second = categoriesBefore[1] as number;
		expect(
			(await visitor.post('/admin/candidates?/moveCategory', { id: String(second), direction: 'up' })).status
		).toBe(200);
		expect((await categoryIds()).slice(0, 2)).toEqual([second, categoriesBefore[0]]);
	});

	it('refuses to change a candidate of the open session, saying why', async () => {
		const visitor = await signedIn(staff.username);
		const frozenId = openSession.candidateIds[0]!;
		const [row] = await database.sql<
			{ title: string; categoryId: number }[]
		>`select title, category_id as "categoryId" from candidate where id = ${frozenId}`;
		const page = textOf(await (await visitor.get(`/admin/candidates/${frozenId}`)).text());
		expect(page).toContain('内容已锁定');
		const refused = await visitor.post(
			`/admin/candidates/${frozenId}?/save`,
			candidateFields(row!.categoryId, { title: row!.title, summary: '改动' })
		);
		expect(refused.status).toBe(409);
		expect(textOf(await refused.text())).toContain('已列入已开始的票决');
		expect((await visitor.post(`/admin/candidates/${frozenId}?/delete`, { confirm: 'yes' })).status).toBe(409);
	});

	it('deletes an empty category after confirmation, and refuses one with candidates', async () => {
		const visitor = await signedIn(staff.username);
		const unconfirmed = await visitor.post(`/admin/candidates/categories/${emptyCategoryId}?/delete`, {});
		expect(unconfirmed.status).toBe(400);
		expect(textOf(await unconfirmed.text())).toContain('请先勾选确认框');
		const full = await visitor.post(`/admin/candidates/categories/${draftCategoryId}?/delete`, { confirm: 'yes' });
		expect(full.status).toBe(409);
		expect(textOf(await full.text())).toContain('该方面下还有候选项目，不能删除');
		const deleted = await visitor.post(`/admin/candidates/categories/${emptyCategoryId}?/delete`, { confirm: 'yes' });
		expect(deleted.status).toBe(303);
		expect((await database.sql`select 1 from category where id = ${emptyCategoryId}`).length).toBe(0);
	});
});

describe('the CSV import page', () => {
	it('documents the accepted headers and offers a template in the reader’s language', async () => {
		const visitor = await signedIn(staff.username);
		const page = textOf(await (await visitor.get('/admin/candidates/import')).text());
		for (const header of [
			'方面',
			'类别',
			'项目名称',
			'概述',
			'量化目标',
			'牵头单位',
			'估算投资（元）',
			'预计完成时间',
			'budget_yuan',
			'expected_completion'
		]) {
			expect(page).toContain(header);
		}
		const template = await visitor.get('/admin/candidates/import/template.csv');
		expect(template.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(template.headers.get('content-disposition')).toMatch(/^attachment; filename="candidates-template.csv"/);
		const bytes = new Uint8Array(await template.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const table = parseCsvTable(new TextDecoder().decode(bytes));
		expect(table.header).toEqual([
			'方面',
			'项目名称',
			'概述',
			'量化目标',
			'牵头单位',
			'估算投资（元）',
			'预计完成时间'
		]);
		expect(table.rows).toHaveLength(1);
		const english = await signedIn(staff.username, { 'accept-language': 'en' });
		expect(parseCsvTable(await (await english.get('/admin/candidates/import/template.csv')).text()).header[0]).toBe(
			'Category'
		);
	});

	it('imports an uploaded file and reports the counts', async () => {
		const cookie = await sessionCookie(staff.username);
		const csv = formatCsv(
			[
				['方面', '项目名称', '量化目标', '估算投资（元）', '预计完成时间'],
				['社会保障', '提高城乡低保标准', '低保标准提高 5%；惠及 3 万人', '60000000', '2022-06-30'],
				['社会保障', '扩大医保覆盖', '', '', '']
			],
			{ bom: true }
		);
		const response = await upload(cookie, '社会保障.csv', csv);
		expect(response.status).toBe(200);
		expect(textOf(await response.text())).toContain(
			'导入完成：共 2 行；新增方面 1 个，新增候选项目 2 个，更新 0 个，无变化 0 个。'
		);
		const again = await upload(cookie, '社会保障.csv', csv);
		expect(textOf(await again.text())).toContain('新增候选项目 0 个，更新 0 个，无变化 2 个');
		const [audit] = await database.sql<{ action: string; actorUserId: number; details: { source: string } }[]>`
			select action, actor_user_id as "actorUserId", details from audit_entry where action = 'catalog.imported' order by seq desc limit 1`;
		expect(audit).toMatchObject({
			action: 'catalog.imported',
			actorUserId: staff.id,
			details: { source: '社会保障.csv' }
		});
	});

	it('shows a report of every bad row and writes nothing', async () => {
		const cookie = await sessionCookie(staff.username);
		const before = await catalogState();
		const csv = [
			'方面,项目名称,预计完成时间',
			'社会保障,新建养老服务综合体,2022-12-31',
			'社会保障,,2022-12-31',
			'社会保障,新建婴幼儿照护机构,下半年'
		].join('\n');
		const response = await upload(cookie, 'bad.csv', csv);
		expect(response.status).toBe(400);
		const html = await response.text();
		const text = textOf(html);
		expect(text).toContain('没有导入任何内容。请改正以下 2 处问题后重新上传');
		expect(text).toContain('第 3 行“项目名称”列： 请填写项目名称。');
		expect(text).toContain('第 4 行“预计完成时间”列： 请按 YYYY-MM-DD 格式填写');
		expect(await catalogState()).toEqual(before);

		const english = await upload(cookie, 'bad.csv', csv, { 'accept-language': 'en' });
		expect(textOf(await english.text())).toContain(
			'Row 4, column “预计完成时间”: Enter a valid date between 2000 and 2100 as YYYY-MM-DD'
		);
	});

	it('asks for a file when none is chosen, and refuses an oversized one with a clear message', async () => {
		const cookie = await sessionCookie(staff.username);
		const empty = await upload(cookie, 'empty.csv', '');
		expect(empty.status).toBe(400);
		expect(textOf(await empty.text())).toContain('请选择要上传的 CSV 文件');
		const before = await catalogState();
		const oversized = `category,title\n${'养老服务,项目\n'.repeat(40_000)}`; // about 800 KB
		const response = await upload(cookie, 'big.csv', oversized);
		expect(response.status).toBe(413);
		expect(textOf(await response.text())).toContain('文件太大：最大 512 KB');
		expect(await catalogState()).toEqual(before);
	});
});

describe('the public exports', () => {
	it('give the candidate list as CSV with a BOM and headers in the reader’s language, equal to the data', async () => {
		const categories = await listCategoriesWithCandidates(database.sql);
		const response = await fetch(`${app.baseUrl}/projects/export.csv`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('content-disposition')).toMatch(
			/^attachment; filename="candidates.csv"; filename\*=UTF-8''/
		);
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const table = parseCsvTable(new TextDecoder().decode(bytes));
		expect(table.errors).toEqual([]);
		expect(table.header).toEqual([
			'方面',
			'项目名称',
			'概述',
			'量化目标',
			'牵头单位',
			'估算投资（元）',
			'预计完成时间'
		]);
		const expected = categories.flatMap((category) =>
			category.candidates.map((candidate) => [
				category.name,
				candidate.title,
				candidate.summary,
				candidate.targets.join('\n'),
				candidate.leadDepartment,
				candidate.budgetYuan === null ? '' : String(candidate.budgetYuan),
				candidate.expectedCompletion ?? ''
			])
		);
		expect(table.rows.map((row) => row.fields)).toEqual(expected);
		expect(expected.some((row) => row[5] === '60000000')).toBe(true);

		const english = await fetch(`${app.baseUrl}/projects/export.csv`, {
			headers: { 'accept-language': 'en-GB,en;q=0.9' }
		});
		expect(parseCsvTable(await english.text()).header).toEqual([
			'Category',
			'Title',
			'Summary',
			'Targets',
			'Lead department',
			'Budget (yuan)',
			'Expected completion'
		]);
	});

	it('give the same list as JSON, equal to the API and to the counts on the page, linked from the page', async () => {
		const categories = await listCategoriesWithCandidates(database.sql);
		const candidateCount = categories.reduce((sum, category) => sum + category.candidates.length, 0);
		const response = await fetch(`${app.baseUrl}/projects/export.json`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		const exported = (await response.json()) as {
			demo: boolean;
			categoryCount: number;
			candidateCount: number;
			categories: unknown;
		};
		expect(exported).toEqual({
			demo: false,
			categoryCount: categories.length,
			candidateCount,
			categories: JSON.parse(JSON.stringify(categories))
		});
		expect(exported.categories).toEqual(await (await fetch(`${app.baseUrl}/api/categories`)).json());

		const page = await (await fetch(`${app.baseUrl}/projects`)).text();
		expect(textOf(page)).toContain(`共 ${categories.length} 个方面、${candidateCount} 个候选项目。`);
		expect(page).toContain('href="/projects/export.csv"');
		expect(page).toContain('href="/projects/export.json"');
	});
});
