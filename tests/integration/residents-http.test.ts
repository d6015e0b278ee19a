// Residents over real HTTP, as a browser without JavaScript uses the built app: registration,
// proposals and their review with each permission, inert markup, merging and provenance, the
// public selection (K under 200 concurrent requests from one resident, hidden vs live ranking)
// and carrying its result into a voting session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBeijingLocal } from '../../src/lib/server/voting/session-form';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, createUsers, TEST_PASSWORD } from '../helpers/factory';
import { solvedChallenge } from '../helpers/altcha';
import { verifyMobile } from '../helpers/verification';

const HOUR = 3_600_000;
const XSS_TITLE = '<script>alert("标题")</script>';
const XSS_TEXT = '<img src=x onerror=alert(1)>第一行\n第二行 <a href="javascript:alert(2)">点我</a>';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let residents: { id: number; username: string }[];
let candidateIds: number[];
let categoryId: number;
let addressCounter = 0;

/** A visitor from its own network address (registration is rate-limited per address). */
function visitor(headers: Record<string, string> = {}): Visitor {
	addressCounter += 1;
	return new Visitor(app.baseUrl, { 'x-forwarded-for': `10.1.0.${addressCounter}`, ...headers });
}

async function signedIn(username: string): Promise<Visitor> {
	const client = visitor();
	const response = await client.signIn(username, TEST_PASSWORD);
	expect(response.status).toBe(303);
	return client;
}

const completeProposal = (overrides: Record<string, string> = {}): Record<string, string> => ({
	campaignId: '',
	draftId: '',
	title: '老旧小区加装电梯',
	categoryId: String(categoryId),
	district: '椒江区',
	problem: '多层住宅没有电梯。',
	measure: '加装 50 部电梯。',
	beneficiaries: '约 2000 户',
	estimatedCost: '500',
	contact: '',
	...overrides
});

async function propose(client: Visitor, overrides: Record<string, string> = {}): Promise<number> {
	const response = await client.post('/proposals/new?/submit', completeProposal(overrides));
	expect(response.status).toBe(303);
	const match = /^\/proposals\/(\d+)\?submitted=1$/.exec(response.headers.get('location') ?? '');
	expect(match).not.toBeNull();
	return Number(match?.[1]);
}

async function statusOf(id: number): Promise<string> {
	const [row] = await database.sql<{ status: string }[]>`select status from proposal where id = ${id}`;
	return row?.status ?? '';
}

beforeAll(async () => {
	app = await startApp(database.url, { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' });
	staff = await createUser(database.sql, ['staff'], 'staff');
	residents = await createUsers(database.sql, 3, ['resident'], 'resident');
	// Rounds take phone-verified residents by default: these residents verified a number.
	for (const resident of residents) await verifyMobile(database.sql, resident.id);
	candidateIds = await createCandidates(database.sql, 6);
	const [row] = await database.sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${candidateIds[0]!}`;
	categoryId = (row as { categoryId: number }).categoryId;
});
afterAll(async () => {
	await app?.stop();
});

describe('registration', () => {
	it('names each rejected field in Chinese and keeps what was typed', async () => {
		const client = visitor();
		const response = await client.post('/register', {
			username: 'x!',
			displayName: '王芳',
			password: 'tiny-pw',
			passwordConfirm: 'other'
		});
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('用户名须为 3–64 位字母');
		expect(html).toContain('密码至少需要 12 个字符');
		expect(html).toContain('请阅读个人信息处理说明并勾选同意');
		expect(html).toContain('value="x!"');
		expect(html).toContain('value="王芳"');
		expect(html).not.toContain('tiny-pw'); // passwords are never sent back
		expect(client.hasCookie('piaojue_session')).toBe(false);
		const mismatch = await client.post('/register', {
			username: 'wang_fang',
			password: 'a long enough secret',
			passwordConfirm: 'a long enough secreT'
		});
		expect(await mismatch.text()).toContain('两次输入的密码不一致');
	});

	it('creates a resident with their consent recorded, signs them in and asks them to verify; the name is unique whatever its case', async () => {
		const client = visitor();
		const page = await (await client.get('/register')).text();
		expect(page).toContain('个人信息如何处理');
		expect(page).toContain('2026-01-registration-v1');
		const response = await client.post('/register', {
			username: 'Li.Ming',
			displayName: '',
			password: 'a long enough secret',
			passwordConfirm: 'a long enough secret',
			consent: 'yes'
		});
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/me/verify?redirectTo=%2Fme');
		expect(client.hasCookie('piaojue_session')).toBe(true);
		expect(await (await client.get('/me/verify?redirectTo=%2Fme')).text()).toContain('发送验证码');
		const [user] = await database.sql<{ roles: string[]; verified: Date | null; consents: string[] }[]>`
			select array_agg(distinct r.role) as roles, p.mobile_verified_at as verified,
			       (select array_agg(c.purpose || ' ' || c.text_version) from personal_data_consent c where c.user_id = u.id) as consents
			from app_user u join user_role r on r.user_id = u.id join resident_profile p on p.user_id = u.id
			where u.username = 'Li.Ming' group by u.id, p.mobile_verified_at`;
		expect(user).toEqual({ roles: ['resident'], verified: null, consents: ['registration 2026-01-registration-v1'] });

		const again = await visitor().post('/register', {
			username: 'li.MING',
			password: 'another long secret',
			passwordConfirm: 'another long secret',
			consent: 'yes'
		});
		expect(again.status).toBe(409);
		expect(await again.text()).toContain('该用户名已被使用');
	});

	it('answers in English when asked', async () => {
		const response = await visitor({ 'accept-language': 'en' }).post('/register', {
			username: '',
			password: '',
			passwordConfirm: ''
		});
		const html = await response.text();
		expect(html).toContain('Please enter your username.');
		expect(html).toContain('Please enter the password again.');
	});

	it('limits registrations per address: 10 with the proof of work, 3 without it (no JavaScript)', async () => {
		const form = (username: string, altcha?: string) => ({
			username,
			password: 'a long enough secret',
			passwordConfirm: 'a long enough secret',
			consent: 'yes',
			...(altcha ? { altcha } : {})
		});
		// Without JavaScript (no solution): three attempts, then the address waits.
		const noScript = new Visitor(app.baseUrl, { 'x-forwarded-for': '10.9.9.8' });
		const withoutProof: number[] = [];
		for (let attempt = 0; attempt < 4; attempt += 1)
			withoutProof.push((await noScript.post('/register', form('li.ming'))).status);
		expect(withoutProof).toEqual([409, 409, 409, 429]);
		const blocked = await noScript.post('/register', form('someone_new'));
		expect(blocked.status).toBe(429);
		expect(await blocked.text()).toContain('此网络地址注册次数过多');

		// With a solved challenge (as the widget solves it): ten, each solution used once.
		const client = new Visitor(app.baseUrl, { 'x-forwarded-for': '10.9.9.9' });
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 11; attempt += 1) {
			statuses.push((await client.post('/register', form('li.ming', await solvedChallenge(app.baseUrl)))).status);
		}
		expect(statuses).toEqual([...Array(10).fill(409), 429]);
		// A solution is accepted once: sent again it counts as no proof (the stricter allowance).
		const replayClient = new Visitor(app.baseUrl, { 'x-forwarded-for': '10.9.9.7' });
		const payload = await solvedChallenge(app.baseUrl);
		const replays: number[] = [];
		for (let attempt = 0; attempt < 5; attempt += 1)
			replays.push((await replayClient.post('/register', form('li.ming', payload))).status);
		expect(replays).toEqual([409, 409, 409, 409, 429]);
		expect((await visitor().post('/register', form('someone_new'))).status).toBe(303);
	});
});

describe('proposals and their review', () => {
	let campaignId: number;
	let author: Visitor;
	let xssProposal: number;

	beforeAll(async () => {
		const staffClient = await signedIn(staff.username);
		const created = await staffClient.post('/admin/campaigns?/create', {
			title: '2026年民生实事项目征集',
			year: '2026',
			opensAt: toBeijingLocal(new Date(Date.now() - HOUR)),
			closesAt: toBeijingLocal(new Date(Date.now() + 48 * HOUR)),
			criteria: '普惠性\n一事一建议'
		});
		expect(created.status).toBe(303);
		const [campaign] = await database.sql<
			{ id: number }[]
		>`select id from proposal_campaign where title = '2026年民生实事项目征集'`;
		campaignId = (campaign as { id: number }).id;
		author = await signedIn(residents[0]!.username);
	});

	it('asks anonymous visitors to sign in or register before proposing', async () => {
		const html = await (await visitor().get('/proposals/new')).text();
		expect(html).toContain('href="/register?redirectTo=%2Fproposals%2Fnew"');
		const staffOnly = await (await signedIn(staff.username)).get('/proposals/new');
		expect(staffOnly.status).toBe(403);
	});

	it('saves a draft, refuses an incomplete submission field by field keeping the text, then submits', async () => {
		const draft = await author.post('/proposals/new?/save', {
			...completeProposal({ campaignId: String(campaignId), categoryId: '', district: '', problem: '只写了一半' })
		});
		expect(draft.status).toBe(303);
		const draftId = Number(/draft=(\d+)/.exec(draft.headers.get('location') ?? '')?.[1]);
		expect(await statusOf(draftId)).toBe('draft');
		expect((await visitor().get(`/proposals/${draftId}`)).status).toBe(404);
		const continued = await (await author.get(`/proposals/new?draft=${draftId}`)).text();
		expect(continued).toContain('只写了一半');

		const incomplete = await author.post('/proposals/new?/submit', {
			...completeProposal({
				campaignId: String(campaignId),
				draftId: String(draftId),
				categoryId: '',
				district: '',
				problem: '只写了一半',
				estimatedCost: '很多'
			})
		});
		expect(incomplete.status).toBe(400);
		const html = await incomplete.text();
		expect(html).toContain('请选择建议所属的方面');
		expect(html).toContain('请选择所在区县');
		expect(html).toContain('请填写数字（单位万元');
		expect(html).toContain('只写了一半');
		expect(await statusOf(draftId)).toBe('draft');

		const done = await author.post(
			'/proposals/new?/submit',
			completeProposal({ campaignId: String(campaignId), draftId: String(draftId) })
		);
		expect(done.headers.get('location')).toBe(`/proposals/${draftId}?submitted=1`);
		expect(await statusOf(draftId)).toBe('submitted');
		const other = await signedIn(residents[1]!.username);
		expect((await other.post(`/proposals/${draftId}?/delete`, {})).status).toBe(409);
	});

	it('renders markup and script typed by a resident as inert text, line breaks kept', async () => {
		xssProposal = await propose(author, {
			campaignId: String(campaignId),
			title: XSS_TITLE,
			problem: XSS_TEXT,
			measure: XSS_TEXT,
			beneficiaries: '"><svg onload=alert(3)>'
		});
		for (const path of [`/proposals/${xssProposal}`, '/proposals', '/me']) {
			const html = await (await author.get(path)).text();
			expect(html, path).toContain('&lt;script>alert("标题")&lt;/script>');
			expect(html, path).not.toContain('<script>alert');
			expect(html, path).not.toContain('<img src=x');
			expect(html, path).not.toContain('<svg onload');
			expect(html, path).not.toContain('<a href="javascript:');
		}
		const detail = await (await visitor().get(`/proposals/${xssProposal}`)).text();
		expect(detail).toContain('&lt;img src=x onerror=alert(1)>第一行\n第二行');
		const staffPage = await (await (await signedIn(staff.username)).get(`/admin/proposals/${xssProposal}`)).text();
		expect(staffPage).not.toContain('<img src=x');
		const api = (await (await fetch(`${app.baseUrl}/api/proposals?q=${encodeURIComponent('标题')}`)).json()) as {
			proposals: { title: string }[];
		};
		expect(api.proposals.map((entry) => entry.title)).toEqual([XSS_TITLE]); // data stays data in JSON
	});

	it('lets only staff review, with a reason for a decline that the proposer and the public see', async () => {
		const id = await propose(author, { campaignId: String(campaignId), title: '公交站台遮雨棚' });
		// Anonymous: sent to sign in. A resident: forbidden. Neither changes anything.
		expect(
			(
				await visitor().post('/admin/proposals?/review', [
					['proposal', String(id)],
					['action', 'start_review']
				])
			).status
		).toBe(303);
		expect(
			(
				await author.post('/admin/proposals?/review', [
					['proposal', String(id)],
					['action', 'start_review']
				])
			).status
		).toBe(403);
		expect((await author.post(`/admin/proposals/${id}?/review`, { action: 'start_review', reason: '' })).status).toBe(
			403
		);
		expect((await author.get('/admin/proposals')).status).toBe(403);
		expect(await statusOf(id)).toBe('submitted');

		const staffClient = await signedIn(staff.username);
		const skipping = await staffClient.post(`/admin/proposals/${id}?/review`, { action: 'accept', reason: '' });
		expect(skipping.status).toBe(409);
		expect(await skipping.text()).toContain('当前的状态不允许此操作');
		const started = await staffClient.post('/admin/proposals?status=submitted&/review', [
			['proposal', String(id)],
			['action', 'start_review'],
			['reason', '']
		]);
		expect(started.status).toBe(303);
		expect(started.headers.get('location')).toBe('/admin/proposals?status=submitted&done=start_review&count=1');
		expect(await statusOf(id)).toBe('under_review');

		const noReason = await staffClient.post(`/admin/proposals/${id}?/review`, { action: 'decline', reason: '' });
		expect(noReason.status).toBe(400);
		expect(await noReason.text()).toContain('不予采纳时必须填写理由');
		expect(
			(
				await staffClient.post(`/admin/proposals/${id}?/review`, {
					action: 'decline',
					reason: '已列入交通部门\n年度计划'
				})
			).status
		).toBe(303);
		expect(await statusOf(id)).toBe('declined');
		for (const client of [author, visitor()]) {
			const html = await (await client.get(`/proposals/${id}`)).text();
			expect(html).toContain('未采纳');
			expect(html).toContain('已列入交通部门\n年度计划');
		}
		expect(await (await author.get('/me')).text()).toContain('已列入交通部门');
	});

	it('hides an abusive proposal from the public list with its reason, audited', async () => {
		const staffClient = await signedIn(staff.username);
		expect((await author.post(`/admin/proposals/${xssProposal}?/hide`, { hideReason: '含有恶意代码' })).status).toBe(
			403
		);
		const empty = await staffClient.post(`/admin/proposals/${xssProposal}?/hide`, { hideReason: ' ' });
		expect(empty.status).toBe(400);
		expect(await empty.text()).toContain('请填写隐藏的理由');
		expect(
			(await staffClient.post(`/admin/proposals/${xssProposal}?/hide`, { hideReason: '含有恶意代码' })).status
		).toBe(303);
		const publicPage = await (await visitor().get(`/proposals/${xssProposal}`)).text();
		expect(publicPage).toContain('此建议已被工作人员隐藏');
		expect(publicPage).toContain('含有恶意代码');
		expect(publicPage).not.toContain('第一行');
		expect(await (await visitor().get('/proposals')).text()).not.toContain('alert(');
		const [entry] =
			await database.sql`select 1 from audit_entry where action = 'proposal.hidden' and actor_user_id = ${staff.id}`;
		expect(entry).toBeDefined();
	});

	it('merges proposals into a new candidate whose page links back to them, and tells the proposers', async () => {
		const first = await propose(author, { campaignId: String(campaignId), title: '社区老年食堂', district: '黄岩区' });
		const second = await propose(await signedIn(residents[1]!.username), {
			campaignId: String(campaignId),
			title: '助餐服务点',
			district: '路桥区'
		});
		const staffClient = await signedIn(staff.username);
		await staffClient.post('/admin/proposals?/review', [
			['proposal', String(first)],
			['proposal', String(second)],
			['action', 'start_review']
		]);
		const missing = await staffClient.post('/admin/proposals?/merge', [
			['proposal', String(first)],
			['target', 'new'],
			['categoryId', String(categoryId)],
			['title', '']
		]);
		expect(missing.status).toBe(400);
		const merged = await staffClient.post('/admin/proposals?/merge', [
			['proposal', String(first)],
			['proposal', String(second)],
			['target', 'new'],
			['categoryId', String(categoryId)],
			['title', '老年助餐服务全覆盖'],
			['summary', '新建助餐点'],
			['reason', '同类建议合并']
		]);
		expect(merged.status).toBe(303);
		const candidateId = Number(/candidate=(\d+)/.exec(merged.headers.get('location') ?? '')?.[1]);
		const candidatePage = await (await visitor().get(`/projects/${candidateId}`)).text();
		expect(candidatePage).toContain('来源：2 条群众建议');
		expect(candidatePage).toContain(`href="/proposals/${first}"`);
		expect(candidatePage).toContain(`href="/proposals/${second}"`);
		const me = await (await author.get('/me')).text();
		expect(me).toContain('已合并到候选项目');
		expect(me).toContain(`href="/projects/${candidateId}"`);
		const detail = await (await visitor().get(`/proposals/${first}`)).text();
		expect(detail).toContain('老年助餐服务全覆盖');
	});

	it('searches Chinese text and filters the public list and its JSON', async () => {
		const list = await (await visitor().get(`/proposals?q=${encodeURIComponent('遮雨')}`)).text();
		expect(list).toContain('公交站台遮雨棚');
		expect(list).not.toContain('社区老年食堂');
		const api = (await (
			await fetch(`${app.baseUrl}/api/proposals?district=${encodeURIComponent('黄岩区')}&status=merged`)
		).json()) as {
			total: number;
			proposals: { title: string; status: string }[];
			categoryCounts: { categoryId: number; count: number }[];
		};
		expect(api.proposals).toEqual([expect.objectContaining({ title: '社区老年食堂', status: 'merged' })]);
		expect(api.categoryCounts.find((entry) => entry.categoryId === categoryId)?.count).toBe(1);
		expect(JSON.stringify(api)).not.toContain('contact');
	});
});

describe('the online public selection', () => {
	let hiddenRound: number;
	let liveRound: number;

	async function createRoundOverHttp(
		client: Visitor,
		title: string,
		candidates: number[],
		maxSupports: number,
		live: boolean
	): Promise<number> {
		const fields: [string, string][] = [
			['title', title],
			['opensAt', toBeijingLocal(new Date(Date.now() - 60_000))],
			['closesAt', toBeijingLocal(new Date(Date.now() + 24 * HOUR))],
			['maxSupports', String(maxSupports)],
			...(live ? ([['liveRanking', 'on']] as [string, string][]) : []),
			...candidates.map((id) => ['candidate', String(id)] as [string, string])
		];
		const response = await client.post('/admin/rounds/new', fields);
		expect(response.status).toBe(303);
		return Number(/\/admin\/rounds\/(\d+)/.exec(response.headers.get('location') ?? '')?.[1]);
	}

	beforeAll(async () => {
		const staffClient = await signedIn(staff.username);
		expect((await (await signedIn(residents[0]!.username)).post('/admin/rounds/new', [['title', 'x']])).status).toBe(
			403
		);
		const refused = await staffClient.post('/admin/rounds/new', [
			['title', '评选'],
			['maxSupports', '6'],
			...candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		]);
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('每人最多支持项数须少于候选项目数');
		hiddenRound = await createRoundOverHttp(staffClient, '2026年网上评选（结束后公布）', candidateIds, 3, false);
		liveRound = await createRoundOverHttp(staffClient, '2026年网上评选（实时排名）', candidateIds.slice(0, 4), 2, true);
	});

	it('shows the long list grouped by category and keeps a refused choice on the form', async () => {
		const resident = await signedIn(residents[0]!.username);
		const page = await (await resident.get(`/selection/${hiddenRound}`)).text();
		expect(page.match(/name="candidate"/g)).toHaveLength(6);
		expect(page).toContain('<fieldset class="ballot-category');
		const tooMany = await resident.post(
			`/selection/${hiddenRound}`,
			candidateIds.slice(0, 4).map((id) => ['candidate', String(id)] as [string, string])
		);
		expect(tooMany.status).toBe(400);
		const html = await tooMany.text();
		expect(html).toContain('您选择了 4 项，超过了最多 3 项的限制');
		expect(html.match(/value="\d+" checked/g)).toHaveLength(4);
		const saved = await resident.post(
			`/selection/${hiddenRound}`,
			candidateIds.slice(0, 2).map((id) => ['candidate', String(id)] as [string, string])
		);
		expect(saved.status).toBe(303);
		const after = await (await resident.get(`/selection/${hiddenRound}?saved=1`)).text();
		expect(after).toContain('您目前支持 2 个项目');
		expect(after).toContain('排名将在评选结束后公布');
		const anonymous = await visitor().post(`/selection/${hiddenRound}`, [['candidate', String(candidateIds[0])]]);
		expect(anonymous.status).toBe(303);
		expect(anonymous.headers.get('location')).toMatch(/^\/login/);
		expect(
			(
				await (
					await signedIn(staff.username)
				).post(`/selection/${hiddenRound}`, [['candidate', String(candidateIds[0])]])
			).status
		).toBe(409);
	});

	it('never exceeds K for one resident sending 200 requests at once', async () => {
		const resident = await signedIn(residents[1]!.username);
		const choices = Array.from({ length: 200 }, (_, index) => [
			candidateIds[index % 6]!,
			candidateIds[(index + 2) % 6]!,
			candidateIds[(index + 4) % 6]!
		]);
		const overLimit = Array.from({ length: 20 }, () => candidateIds.slice(0, 4));
		const responses = await Promise.all(
			[...choices, ...overLimit].map((choice) =>
				resident.post(
					`/selection/${hiddenRound}`,
					choice.map((id) => ['candidate', String(id)] as [string, string])
				)
			)
		);
		expect(responses.slice(0, 200).every((response) => response.status === 303)).toBe(true);
		expect(responses.slice(200).every((response) => response.status === 400)).toBe(true);
		const supports = await database.sql<{ candidateId: number }[]>`
			select candidate_id as "candidateId" from selection_support where round_id = ${hiddenRound} and resident_id = ${residents[1]!.id} order by 1`;
		expect(supports).toHaveLength(3);
		const sets = choices.map((choice) => [...choice].sort((a, b) => a - b).join());
		expect(sets).toContain(supports.map((row) => row.candidateId).join());
	});

	it('hides the ranking until closing unless the round shows it live; the API and CSV follow', async () => {
		expect((await fetch(`${app.baseUrl}/api/selection/${hiddenRound}/results`)).status).toBe(404);
		const resident = await signedIn(residents[2]!.username);
		await resident.post(`/selection/${liveRound}`, [['candidate', String(candidateIds[3])]]);
		const live = (await (await fetch(`${app.baseUrl}/api/selection/${liveRound}/results`)).json()) as {
			ranking: { candidateId: number; supports: number; rank: number }[];
			round: { phase: string };
		};
		expect(live.round.phase).toBe('open');
		expect(live.ranking[0]).toEqual(expect.objectContaining({ candidateId: candidateIds[3], supports: 1, rank: 1 }));
		expect(await (await visitor().get(`/selection/${liveRound}`)).text()).toContain('共 1 次支持');

		const staffClient = await signedIn(staff.username);
		expect((await resident.post(`/admin/rounds/${hiddenRound}?/close`, {})).status).toBe(403);
		expect((await staffClient.post(`/admin/rounds/${hiddenRound}?/close`, {})).status).toBe(303);
		const closed = (await (await fetch(`${app.baseUrl}/api/selection/${hiddenRound}/results`)).json()) as {
			totalSupports: number;
			round: { phase: string };
		};
		expect(closed).toMatchObject({ totalSupports: 5, round: { phase: 'closed' } });
		const csv = await fetch(`${app.baseUrl}/api/selection/${hiddenRound}/results?format=csv`);
		expect(csv.headers.get('content-type')).toContain('text/csv');
		const bytes = new Uint8Array(await csv.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM, so spreadsheet programs read UTF-8
		expect(new TextDecoder().decode(bytes).split('\r\n')[0]).toBe('名次,候选项目,所属方面,支持数,剔除异常支持');
		const late = await (
			await signedIn(residents[0]!.username)
		).post(`/selection/${hiddenRound}`, [['candidate', String(candidateIds[5])]]);
		expect(late.status).toBe(409);
		expect(await late.text()).toContain('不接受支持');
	});

	it('carries the top of the closed round into a voting-session draft', async () => {
		const staffClient = await signedIn(staff.username);
		const response = await staffClient.post(`/admin/rounds/${hiddenRound}?/carry`, {
			count: '3',
			title: '2026年民生实事项目票决',
			year: '2026',
			seats: '2'
		});
		expect(response.status).toBe(303);
		const sessionId = Number(/carried=(\d+)/.exec(response.headers.get('location') ?? '')?.[1]);
		// A draft is staff's until it opens (issue 12): staff read it.
		const session = (await (await staffClient.get(`/api/sessions/${sessionId}`)).json()) as {
			status: string;
			title: string;
		};
		expect(session).toMatchObject({ status: 'draft', title: '2026年民生实事项目票决' });
		const roundPage = await (await staffClient.get(`/admin/rounds/${hiddenRound}`)).text();
		expect(roundPage).toContain(`href="/admin/sessions/${sessionId}"`);
	});
});
