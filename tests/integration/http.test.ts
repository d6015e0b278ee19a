// The built server over real HTTP, used as a browser without JavaScript would use it.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let app: RunningApp;
let session: TestSession;
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };
let resident: { id: number; username: string };
let receiptCode = '';

beforeAll(async () => {
	app = await startApp(database.url);
	session = await createVotingSession(database.sql, { candidates: 6, seats: 2, delegates: 4 });
	staff = await createUser(database.sql, ['staff'], 'staff');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	resident = await createUser(database.sql, ['resident'], 'resident');
});
afterAll(async () => {
	await app?.stop();
});

async function signedIn(username: string, headers: Record<string, string> = {}): Promise<Visitor> {
	const visitor = new Visitor(app.baseUrl, headers);
	const response = await visitor.signIn(username, TEST_PASSWORD);
	expect(response.status).toBe(303);
	return visitor;
}

describe('public pages and JSON', () => {
	it('answers the health check and lists sessions and categories', async () => {
		const health = await fetch(`${app.baseUrl}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ status: 'ok' });
		const sessions = (await (await fetch(`${app.baseUrl}/api/sessions`)).json()) as { id: number; status: string }[];
		expect(sessions).toContainEqual(expect.objectContaining({ id: session.id, status: 'open' }));
		const detail = (await (await fetch(`${app.baseUrl}/api/sessions/${session.id}`)).json()) as Record<string, unknown>;
		expect(detail).toMatchObject({
			status: 'open',
			enrolled: 4,
			cast: 0,
			rules: { ballotMethod: 'approval', seats: 2, thresholdBase: 'enrolled' }
		});
		const categories = (await (await fetch(`${app.baseUrl}/api/categories`)).json()) as {
			candidates: { id: number }[];
		}[];
		const candidateIds = categories.flatMap((category) => category.candidates.map((candidate) => candidate.id));
		expect(candidateIds).toEqual(expect.arrayContaining(session.candidateIds));
		expect((await fetch(`${app.baseUrl}/api/sessions/999999`)).status).toBe(404);
	});

	it('shows candidates grouped by category and a detail page', async () => {
		const page = await (await fetch(`${app.baseUrl}/projects`)).text();
		expect(page).toContain('候选项目');
		const detail = await fetch(`${app.baseUrl}/projects/${session.candidateIds[0]}`);
		expect(detail.status).toBe(200);
		expect((await fetch(`${app.baseUrl}/projects/abc`)).status).toBe(404);
	});

	it('sends security headers: a nonce-based CSP without inline scripts, no framing, nosniff', async () => {
		const response = await fetch(`${app.baseUrl}/`);
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('referrer-policy')).toBe('same-origin');
		expect(response.headers.get('strict-transport-security')).toBeNull(); // localhost only
		const html = await response.text();
		expect(html).toMatch(/<html lang="zh-CN">/);
	});
});

describe('signing in', () => {
	it('refuses a wrong password in Chinese and keeps the username', async () => {
		const visitor = new Visitor(app.baseUrl);
		const response = await visitor.post('/login', { username: resident.username, password: 'wrong password' });
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('用户名或密码不正确');
		expect(html).toContain(`value="${resident.username}"`);
		expect(visitor.hasCookie('piaojue_session')).toBe(false);
	});

	it('answers in English when the browser asks for it', async () => {
		const visitor = new Visitor(app.baseUrl, { 'accept-language': 'en-GB,en;q=0.9' });
		const response = await visitor.post('/login', { username: '', password: '' });
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('Please enter your username.');
		expect(html).toMatch(/<html lang="en">/);
	});

	it('rate-limits repeated failures on one account with a clear message', async () => {
		const target = await createUser(database.sql, ['delegate']);
		const visitor = new Visitor(app.baseUrl);
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 6; attempt += 1) {
			statuses.push((await visitor.post('/login', { username: target.username, password: `guess ${attempt}` })).status);
		}
		expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
		// Even the right password is refused while limited.
		const blocked = await visitor.post('/login', { username: target.username, password: TEST_PASSWORD });
		expect(blocked.status).toBe(429);
		expect(await blocked.text()).toContain('登录尝试次数过多');
	});

	it('starts a new session at each sign-in and ends it at sign-out', async () => {
		const visitor = await signedIn(resident.username);
		expect(visitor.hasCookie('piaojue_session')).toBe(true);
		expect((await visitor.get('/')).status).toBe(200);
		const logout = await visitor.post('/logout', {});
		expect(logout.status).toBe(303);
		expect(visitor.hasCookie('piaojue_session')).toBe(false);
	});

	it('returns to the page that asked for sign-in, never to another site (a resident otherwise lands on /me)', async () => {
		for (const [target, expected] of [
			['/vote', '/vote'],
			['//evil.example/x', '/me'],
			['/\\evil.example', '/me'],
			['https://evil.example', '/me']
		] as const) {
			const visitor = new Visitor(app.baseUrl);
			const response = await visitor.post(`/login?redirectTo=${encodeURIComponent(target)}`, {
				username: resident.username,
				password: TEST_PASSWORD
			});
			expect(response.status, target).toBe(303);
			expect(response.headers.get('location'), target).toBe(expected);
		}
	});

	it('refuses a form posted from another origin', async () => {
		const visitor = new Visitor(app.baseUrl);
		const response = await visitor.post(
			'/login',
			{ username: resident.username, password: TEST_PASSWORD },
			{ origin: 'http://evil.example' }
		);
		expect(response.status).toBe(403);
		expect(visitor.hasCookie('piaojue_session')).toBe(false);
	});
});

describe('role guards', () => {
	it('sends anonymous visitors of protected pages to sign in', async () => {
		const anonymous = new Visitor(app.baseUrl);
		for (const path of ['/vote', `/vote/${session.id}`, '/admin', `/admin/sessions/${session.id}`]) {
			const response = await anonymous.get(path);
			expect(response.status, path).toBe(303);
			expect(response.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
		}
		const action = await anonymous.post(`/admin/sessions/${session.id}?/close`, { confirm: 'yes' });
		expect(action.status).toBe(303);
	});

	it('gives each role only its own pages and actions', async () => {
		const delegate = await signedIn(session.delegates[0]!.username);
		const residentVisitor = await signedIn(resident.username);
		const staffVisitor = await signedIn(staff.username);
		const scrutineerVisitor = await signedIn(scrutineer.username);
		const matrix: [Visitor, string, number][] = [
			[delegate, '/vote', 200],
			[delegate, `/vote/${session.id}`, 200],
			[delegate, '/admin', 403],
			[delegate, `/admin/sessions/${session.id}`, 403],
			[residentVisitor, '/vote', 403],
			[residentVisitor, `/vote/${session.id}`, 403],
			[residentVisitor, '/admin', 403],
			[staffVisitor, '/admin', 200],
			[staffVisitor, `/admin/sessions/${session.id}`, 200],
			[staffVisitor, '/vote', 403],
			[scrutineerVisitor, '/admin', 200],
			[scrutineerVisitor, `/admin/sessions/${session.id}`, 200]
		];
		for (const [visitor, path, status] of matrix) expect((await visitor.get(path)).status, path).toBe(status);
		for (const visitor of [delegate, residentVisitor, scrutineerVisitor]) {
			expect((await visitor.post(`/admin/sessions/${session.id}?/close`, { confirm: 'yes' })).status).toBe(403);
		}
		const detail = (await (await fetch(`${app.baseUrl}/api/sessions/${session.id}`)).json()) as { status: string };
		expect(detail.status).toBe('open');
	});

	it("titles its error pages in the reader's language (404, 403)", async () => {
		const titleOf = async (response: Response) => /<title>([^<]*)<\/title>/.exec(await response.text())?.[1] ?? '';
		const missing = await fetch(`${app.baseUrl}/no-such-page`);
		expect(missing.status).toBe(404);
		expect(await titleOf(missing)).toMatch(/^找不到该页面 · 票决/);
		const missingInEnglish = await fetch(`${app.baseUrl}/no-such-page`, { headers: { 'accept-language': 'en' } });
		expect(await titleOf(missingInEnglish)).toMatch(/^Page not found · /);
		const residentVisitor = await signedIn(resident.username);
		const forbidden = await residentVisitor.get('/admin');
		expect(forbidden.status).toBe(403);
		expect(await titleOf(forbidden)).toMatch(/^无权访问 · 票决/);
	});

	it('keeps a delegate of one session out of another', async () => {
		const other = await createVotingSession(database.sql);
		const delegate = await signedIn(session.delegates[1]!.username);
		expect((await delegate.get(`/vote/${other.id}`)).status).toBe(403);
		const cast = await delegate.post(`/vote/${other.id}?/cast`, [['candidate', String(other.candidateIds[0])]]);
		expect(cast.status).toBe(403);
		expect(await cast.text()).toContain('您不在本次票决的代表名单中');
	});
});

describe('the vote without JavaScript, from ballot to published result', () => {
	it('reviews, casts, shows a receipt, and refuses a second cast', async () => {
		const delegate = await signedIn(session.delegates[2]!.username);
		const ballot = await (await delegate.get(`/vote/${session.id}`)).text();
		expect(ballot).toContain('最多选择 2 项');
		expect(ballot).toContain('type="checkbox" name="candidate"');

		const [first, second, third] = session.candidateIds.map(String) as [string, string, string];
		const over = await delegate.post(`/vote/${session.id}?/review`, [
			['candidate', first],
			['candidate', second],
			['candidate', third]
		]);
		expect(over.status).toBe(400);
		const overHtml = await over.text();
		expect(overHtml).toContain('超过了最多 2 项的限制');
		expect(overHtml.match(/<input[^>]*type="checkbox"[^>]*\schecked[^>]*>/g)?.length).toBe(3); // the form keeps what was chosen

		const review = await delegate.post(`/vote/${session.id}?/review`, [
			['candidate', first],
			['candidate', second]
		]);
		expect(review.status).toBe(200);
		const reviewHtml = await review.text();
		expect(reviewHtml).toContain('核对选票');
		expect(reviewHtml).toContain(`name="candidate" value="${first}"`);

		const cast = await delegate.post(`/vote/${session.id}?/cast`, [
			['candidate', first],
			['candidate', second]
		]);
		expect(cast.status).toBe(200);
		const receipt = await cast.text();
		expect(receipt).toContain('投票成功');
		const code = /class="receipt-code"[^>]*>(.*?)<\/code>/s.exec(receipt)?.[1]?.replace(/<[^>]+>/g, '');
		expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/);
		receiptCode = code!;

		const again = await delegate.post(`/vote/${session.id}?/cast`, [['candidate', third]]);
		expect(again.status).toBe(409);
		expect(await again.text()).toContain('您已经投过票');
		expect(await (await delegate.get(`/vote/${session.id}`)).text()).toContain('您已经投过票');
	});

	it('hides every count until staff publish, then shows them everywhere', async () => {
		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[3]!.id,
			selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
		});
		const publicResults = async () => ({
			page: await (await fetch(`${app.baseUrl}/results/${session.id}`)).text(),
			api: await fetch(`${app.baseUrl}/api/sessions/${session.id}/results`)
		});
		let view = await publicResults();
		expect(view.page).toContain('票决结果尚未公布');
		expect((await fetch(`${app.baseUrl}/api/sessions/${session.id}/receipts`)).status).toBe(404);
		expect(view.page).not.toContain('赞成票');
		expect(view.api.status).toBe(404);

		const staffVisitor = await signedIn(staff.username);
		const scrutineerVisitor = await signedIn(scrutineer.username);
		const openAdmin = await (await staffVisitor.get(`/admin/sessions/${session.id}`)).text();
		expect(openAdmin).not.toContain('赞成票');

		const unconfirmed = await staffVisitor.post(`/admin/sessions/${session.id}?/close`, {});
		expect(unconfirmed.status).toBe(400);
		expect(await unconfirmed.text()).toContain('请先勾选确认框');
		expect((await staffVisitor.post(`/admin/sessions/${session.id}?/close`, { confirm: 'yes' })).status).toBe(200);

		// Receipts: the delegate finds the ballot counted; a made-up code is not found.
		const receiptsPage = await (await fetch(`${app.baseUrl}/results/${session.id}/receipts`)).text();
		expect(receiptsPage).toContain('已计入的电子选票回执（2 张）');
		const anonymous = new Visitor(app.baseUrl);
		expect(await (await anonymous.post(`/results/${session.id}/receipts`, { code: receiptCode })).text()).toContain(
			'您的选票已被计入'
		);
		expect(
			await (
				await anonymous.post(`/results/${session.id}/receipts`, { code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG' })
			).text()
		).toContain('没有找到这个回执码');
		const receiptList = (await (await fetch(`${app.baseUrl}/api/sessions/${session.id}/receipts`)).json()) as {
			count: number;
			receiptHashes: string[];
		};
		expect(receiptList.count).toBe(2);
		expect(receiptList.receiptHashes).toEqual([...receiptList.receiptHashes].sort());
		expect(receiptList.receiptHashes).toContain(
			createHash('sha256').update(receiptCode.replace(/-/g, '')).digest('hex')
		);

		const closedAdmin = await (await scrutineerVisitor.get(`/admin/sessions/${session.id}`)).text();
		expect(closedAdmin).toContain('尚未公布');
		expect(closedAdmin).toContain('赞成票');
		view = await publicResults();
		expect(view.page).toContain('票决结果尚未公布');
		expect(view.api.status).toBe(404);

		const early = await staffVisitor.post(`/admin/sessions/${session.id}?/publish`, { confirm: 'yes' });
		expect(early.status).toBe(409);
		expect(await early.text()).toContain('须先由监票人确认计票结果');
		expect((await staffVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(403);
		expect((await scrutineerVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(
			200
		);
		expect(await (await staffVisitor.get(`/admin/sessions/${session.id}`)).text()).toMatch(
			/scrutineer_\w+ 已于 .* 确认计票结果/
		);
		view = await publicResults();
		expect(view.api.status).toBe(404);
		expect((await staffVisitor.post(`/admin/sessions/${session.id}?/publish`, { confirm: 'yes' })).status).toBe(200);
		view = await publicResults();
		expect(view.api.status).toBe(200);
		const result = (await view.api.json()) as {
			tally: {
				ballotsCast: number;
				enrolled: number;
				votesNeeded: number;
				candidates: { candidateId: number; for: number; outcome: string }[];
				shortfall: { seatsLeft: number } | null;
			};
		};
		expect(result.tally).toMatchObject({ ballotsCast: 2, enrolled: 4, votesNeeded: 3 });
		expect(result.tally.candidates.find((row) => row.candidateId === session.candidateIds[0])?.for).toBe(2);
		// Nobody reached more than half of the 4 enrolled: both seats need a further vote.
		expect(result.tally.shortfall).toEqual({ seatsLeft: 2 });
		expect(view.page).toContain('赞成票');
		expect(view.page).toContain('另行票决');
	});
});
