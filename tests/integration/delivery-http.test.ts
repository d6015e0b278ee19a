// Delivery tracking over real HTTP against the built server, as people use it without JavaScript:
// a department account reaches its own projects only, posts progress with a photo (stored and
// served without its metadata), gets clear errors with its text kept; a delegate's inspection
// note appears on the public page only once staff approve it; the year's overview, report and
// exports; the home page's chain links the year's delivery.
import { deflateSync, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDepartmentAccount } from '../../src/lib/server/delivery/departments';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, passwordSignIn } from '../helpers/factory';
import { HttpAgent, leakIn, signedInAgent } from '../helpers/security';

const database = useTestDatabase();
let app: RunningApp;
let staffAgent: HttpAgent;
let department: HttpAgent;
let ownProject: { id: number; title: string };
let otherProject: { id: number; title: string };
let member: { id: number; username: string };

const GPS = 'GPSLatitude 28.6558N';

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A decodable 2×2 PNG carrying a location in a text chunk. */
function pngWithLocation(): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(2, 0);
	header.writeUInt32BE(2, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const rows = Buffer.concat([Buffer.from([0]), Buffer.alloc(6, 0x40), Buffer.from([0]), Buffer.alloc(6, 0xc0)]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('tEXt', Buffer.from(`Location\0${GPS}`, 'latin1')),
		pngChunk('IDAT', deflateSync(rows)),
		pngChunk('IEND', Buffer.alloc(0))
	]);
}

function updateForm(
	fields: Record<string, string>,
	files: { name: string; type: string; bytes: Uint8Array }[] = []
): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries({
		reportedOn: '2022-06-30',
		body: '首批 5 家中心开工',
		status: 'on_track',
		'percent-0': '30',
		'percent-1': '40',
		...fields
	}))
		form.append(name, value);
	for (const file of files) form.append('photos', new Blob([file.bytes as BlobPart], { type: file.type }), file.name);
	return form;
}

async function progressRows(projectId: number): Promise<number> {
	const [row] = await database.sql<
		{ count: number }[]
	>`select count(*)::int as count from progress_update where project_id = ${projectId}`;
	return row?.count ?? 0;
}

beforeAll(async () => {
	app = await startApp(database.url);
	const sql = database.sql;
	const staff = await createUser(sql, ['staff'], 'staff');
	const publisher = await createUser(sql, ['staff'], 'publisher');
	const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
	const session = await createVotingSession(sql, { candidates: 3, seats: 2, delegates: 3, open: false });
	const departments = ['市民政局', '市教育局', '市民政局'];
	for (const [index, candidateId] of session.candidateIds.entries()) {
		await sql`update candidate set lead_department = ${departments[index]!}, targets = ${['新建中心 20 家', '新增助餐点 50 个']} where id = ${candidateId}`;
	}
	expect((await applyLifecycle(sql, session.id, 'open', staff.id)).ok).toBe(true);
	for (const delegate of session.delegates) {
		await castBallot(sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, 2) }
		});
	}
	expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
	expect((await confirmTally(sql, session.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).ok).toBe(true);
	expect((await applyLifecycle(sql, session.id, 'publish', publisher.id)).ok).toBe(true);
	const projects = await sql<{ id: number; title: string; leadDepartment: string }[]>`
		select id, title, lead_department as "leadDepartment" from livelihood_project where voting_session_id = ${session.id} order by rank, id`;
	ownProject = projects.find((project) => project.leadDepartment === '市民政局')!;
	otherProject = projects.find((project) => project.leadDepartment === '市教育局')!;
	const account = await createDepartmentAccount(
		sql,
		{ username: 'dept_minzheng', displayName: '民政局账号', departmentName: '市民政局' },
		staff.id
	);
	if (!account.ok) throw new Error('no department account');
	department = await signedInAgent(app.baseUrl, 'dept_minzheng', account.password);
	staffAgent = await signedInAgent(app.baseUrl, staff.username);
	member = session.delegates[0]!;
});

afterAll(async () => {
	await app?.stop();
});

describe('a department account', () => {
	it('sees its own projects only', async () => {
		const desk = await department.get('/department');
		expect(desk.status).toBe(200);
		const html = await desk.text();
		expect(html).toContain(ownProject.title);
		expect(html).not.toContain(otherProject.title);
		expect((await department.get(`/department/projects/${ownProject.id}`)).status).toBe(200);
		const other = await department.get(`/department/projects/${otherProject.id}`);
		expect(other.status).toBe(403);
		expect(await other.text()).not.toContain('新建中心 20 家');
		expect((await department.get('/admin/projects')).status).toBe(403);
		expect((await department.get(`/admin/projects/${ownProject.id}`)).status).toBe(403);
	});

	it("cannot post to another department's project, by either page", async () => {
		for (const path of [
			`/department/projects/${otherProject.id}?/postUpdate`,
			`/admin/projects/${otherProject.id}?/postUpdate`,
			`/admin/projects/${ownProject.id}?/postUpdate`
		]) {
			const response = await department.post(path, updateForm({}));
			expect(response.status, path).toBe(403);
			expect(leakIn(await response.text())).toBeNull();
		}
		expect(await progressRows(otherProject.id)).toBe(0);
		expect(await progressRows(ownProject.id)).toBe(0);
	});

	it('gets a clear error with its text kept for a bad percentage or a file that is no image', async () => {
		const percent = await department.post(
			`/department/projects/${ownProject.id}?/postUpdate`,
			updateForm({ 'percent-1': '101', body: '保留这段文字' })
		);
		expect(percent.status).toBe(400);
		const percentPage = await percent.text();
		expect(percentPage).toContain('请输入 0 到 100 之间的整数');
		expect(percentPage).toContain('保留这段文字');
		const done = await department.post(
			`/department/projects/${ownProject.id}?/postUpdate`,
			updateForm({ status: 'done' })
		);
		expect(done.status).toBe(400);
		expect(await done.text()).toContain('只有所有目标都达到 100% 时才能标记为“已完成”');
		const notImage = await department.post(
			`/department/projects/${ownProject.id}?/postUpdate`,
			updateForm({ body: '附件不是图片' }, [
				{
					name: 'photo.png',
					type: 'image/png',
					bytes: new TextEncoder().encode('<html><script>alert(1)</script></html>')
				}
			])
		);
		expect(notImage.status).toBe(400);
		const notImagePage = await notImage.text();
		expect(notImagePage).toContain('文件 photo.png 不是 JPEG、PNG 或 WebP 图片');
		expect(notImagePage).toContain('附件不是图片');
		expect(await progressRows(ownProject.id)).toBe(0);
	});

	it('posts an update with a photo; the public page shows it and the photo is served without its metadata', async () => {
		const posted = await department.post(
			`/department/projects/${ownProject.id}?/postUpdate`,
			updateForm({ body: '首批 5 家中心开工建设' }, [{ name: 'site.png', type: 'image/png', bytes: pngWithLocation() }])
		);
		expect(posted.status).toBe(200);
		expect(await posted.text()).toContain('进展已发布');
		const publicPage = await (await new HttpAgent(app.baseUrl).get(`/delivery/${ownProject.id}`)).text();
		expect(publicPage).toContain('首批 5 家中心开工建设');
		expect(publicPage).toContain('由牵头部门 民政局账号 报告');
		expect(publicPage).toContain('按计划推进');
		const photoId = /\/delivery\/photos\/(\d+)/.exec(publicPage)?.[1];
		expect(photoId).toBeDefined();
		const photo = await new HttpAgent(app.baseUrl).get(`/delivery/photos/${photoId}`);
		expect(photo.status).toBe(200);
		expect(photo.headers.get('content-type')).toBe('image/png');
		expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
		const bytes = Buffer.from(await photo.arrayBuffer());
		expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
		expect(bytes.toString('latin1')).not.toContain(GPS);
		const overview = await (await new HttpAgent(app.baseUrl).get('/delivery?year=2022')).text();
		expect(overview).toContain(ownProject.title);
		expect(overview).toContain('aria-valuenow="35"');
	});
});

describe('inspection notes over HTTP', () => {
	it('a member posts a note; it is public only after staff approve it', async () => {
		const added = await staffAgent.post(`/admin/projects/${ownProject.id}?/addMember`, { delegate: member.username });
		expect(added.status).toBe(200);
		const delegate = await signedInAgent(app.baseUrl, member.username);
		const outsider = await delegate.post('/me/monitoring?/note', {
			projectId: String(otherProject.id),
			visitedOn: '2022-07-01',
			body: '不是我的小组'
		});
		expect(outsider.status).toBe(400);
		expect(await outsider.text()).toContain('您不在这个项目的监督小组中');
		const posted = await delegate.post('/me/monitoring?/note', {
			projectId: String(ownProject.id),
			visitedOn: '2022-07-01',
			body: '视察了两家中心，进展良好'
		});
		expect(posted.status).toBe(200);
		expect(await (await new HttpAgent(app.baseUrl).get(`/delivery/${ownProject.id}`)).text()).not.toContain(
			'视察了两家中心'
		);
		// Staff review it before approval; the lead department sees notes only as the public does
		// (issue 12): not a pending note, nor who wrote it.
		const pendingForDepartment = await (await department.get(`/department/projects/${ownProject.id}`)).text();
		expect(pendingForDepartment).not.toContain('视察了两家中心');
		const staffPage = await (await staffAgent.get(`/admin/projects/${ownProject.id}`)).text();
		expect(staffPage).toContain('视察了两家中心');
		const [note] = await database.sql<
			{ id: number }[]
		>`select id from inspection_note where project_id = ${ownProject.id}`;
		const approved = await staffAgent.post(`/admin/projects/${ownProject.id}?/reviewNote`, {
			noteId: String(note!.id),
			decision: 'approved'
		});
		expect(approved.status).toBe(200);
		expect(await (await new HttpAgent(app.baseUrl).get(`/delivery/${ownProject.id}`)).text()).toContain(
			'视察了两家中心，进展良好'
		);
		expect(await (await department.get(`/department/projects/${ownProject.id}`)).text()).toContain(
			'视察了两家中心，进展良好'
		);
		// A rejected note stays between staff and its author.
		expect(
			(
				await delegate.post('/me/monitoring?/note', {
					projectId: String(ownProject.id),
					visitedOn: '2022-07-02',
					body: '有一处工地安全隐患，被驳回的记录'
				})
			).status
		).toBe(200);
		const [second] = await database.sql<{ id: number }[]>`
			select id from inspection_note where project_id = ${ownProject.id} and status = 'pending'`;
		expect(
			(
				await staffAgent.post(`/admin/projects/${ownProject.id}?/reviewNote`, {
					noteId: String(second!.id),
					decision: 'rejected'
				})
			).status
		).toBe(200);
		expect(await (await department.get(`/department/projects/${ownProject.id}`)).text()).not.toContain('被驳回的记录');
		expect(await (await staffAgent.get(`/admin/projects/${ownProject.id}`)).text()).toContain('被驳回的记录');
	});
});

describe('the year at a glance', () => {
	it('offers the annual report and the overview as CSV and JSON; the home page links the year', async () => {
		const visitor = new HttpAgent(app.baseUrl);
		const report = await visitor.get('/delivery/report/2022');
		expect(report.status).toBe(200);
		expect(await report.text()).toContain('2022 年民生实事项目实施情况');
		const csv = await visitor.get('/delivery/export.csv?year=2022');
		expect(csv.headers.get('content-type')).toContain('text/csv');
		expect(await csv.text()).toContain(ownProject.title);
		const json = (await (await visitor.get('/delivery/export.json?year=2022')).json()) as {
			year: number;
			projects: { title: string; percent: number }[];
		};
		expect(json.year).toBe(2022);
		expect(json.projects.find((project) => project.title === ownProject.title)?.percent).toBe(35);
		expect((await visitor.get('/delivery/export.csv?year=2031')).status).toBe(404);
		const home = await (await visitor.get('/')).text();
		expect(home).toContain('2022 年进行到哪一步');
		expect(home).toContain('href="/delivery?year=2022"');
	});
});
