// The electorate pages over real HTTP, used as a browser without JavaScript would: role guards,
// roster upload, disabling, enrolling, presence while draft/open and refused after closing,
// issuing credential sheets, and signing in with an access code (which marks presence).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';

const database = useTestDatabase();
let app: RunningApp;
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };
let resident: { id: number; username: string };
let addressCounter = 0;

beforeAll(async () => {
	// Client addresses come from a header, so each test can sign in from an address of its own.
	app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip' });
	staff = await createUser(database.sql, ['staff'], 'staff');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
	resident = await createUser(database.sql, ['resident'], 'resident');
});
afterAll(async () => {
	await app?.stop();
});

function visitor(headers: Record<string, string> = {}): Visitor {
	addressCounter += 1;
	return new Visitor(app.baseUrl, { 'x-real-ip': `192.0.2.${addressCounter}`, ...headers });
}

async function signedIn(username: string, headers: Record<string, string> = {}): Promise<Visitor> {
	const signedInVisitor = visitor(headers);
	const response = await signedInVisitor.signIn(username, TEST_PASSWORD);
	expect(response.status, `sign-in of ${username}`).toBe(303);
	return signedInVisitor;
}

/** Signs in with fetch and keeps the cookie, for the multipart upload the Visitor does not do. */
async function staffCookie(): Promise<string> {
	const response = await fetch(`${app.baseUrl}/login`, {
		method: 'POST',
		redirect: 'manual',
		body: new URLSearchParams({ username: staff.username, password: TEST_PASSWORD }),
		headers: {
			origin: app.baseUrl,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			'x-real-ip': '192.0.2.250'
		}
	});
	expect(response.status).toBe(303);
	return (response.headers.getSetCookie()[0] ?? '').split(';')[0]!;
}

async function uploadRoster(cookie: string, content: string, headers: Record<string, string> = {}): Promise<Response> {
	const body = new FormData();
	body.set('roster', new Blob([content], { type: 'text/csv' }), 'roster.csv');
	return fetch(`${app.baseUrl}/admin/delegates?/import`, {
		method: 'POST',
		redirect: 'manual',
		body,
		headers: { origin: app.baseUrl, cookie, accept: 'text/html', ...headers }
	});
}

/** The text of a page without tags, whitespace collapsed. */
function textOf(html: string): string {
	return html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/\s+/g, ' ');
}

async function presentIds(votingSessionId: number): Promise<number[]> {
	const rows = await database.sql<{ id: number }[]>`
		select delegate_id as id from electorate_member where voting_session_id = ${votingSessionId} and present order by delegate_id`;
	return rows.map((row) => row.id);
}

describe('role guards', () => {
	it('sends anonymous visitors to sign in and gives each role only its own pages and actions', async () => {
		// Nobody checked in: the forbidden posts below must leave it so.
		const session = await createVotingSession(database.sql, { delegates: 2, open: false, checkedIn: 0 });
		const pages = [
			'/admin/delegates',
			`/admin/sessions/${session.id}/electorate`,
			`/admin/sessions/${session.id}/credentials`
		];
		const anonymous = visitor();
		for (const path of pages) {
			const response = await anonymous.get(path);
			expect(response.status, path).toBe(303);
			expect(response.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
		}
		const delegate = await signedIn(session.delegates[0]!.username);
		const residentVisitor = await signedIn(resident.username);
		const scrutineerVisitor = await signedIn(scrutineer.username);
		const staffVisitor = await signedIn(staff.username);
		const expected: [Visitor, number[]][] = [
			[delegate, [403, 403, 403]],
			[residentVisitor, [403, 403, 403]],
			[scrutineerVisitor, [403, 200, 403]],
			[staffVisitor, [200, 200, 200]]
		];
		for (const [who, statuses] of expected) {
			for (const [index, path] of pages.entries()) expect((await who.get(path)).status, path).toBe(statuses[index]);
		}
		const target = { delegateId: String(session.delegates[1]!.id), present: 'yes' };
		for (const who of [delegate, residentVisitor, scrutineerVisitor]) {
			expect((await who.post(`/admin/sessions/${session.id}/electorate?/presence`, target)).status).toBe(403);
			expect(
				(await who.post(`/admin/sessions/${session.id}/credentials?/issue`, { scope: 'all', confirm: 'yes' })).status
			).toBe(403);
			expect(
				(await who.post('/admin/delegates?/disable', { delegateId: String(session.delegates[1]!.id) })).status
			).toBe(403);
		}
		expect((await anonymous.post(`/admin/sessions/${session.id}/electorate?/presence`, target)).status).toBe(303);
		expect(await presentIds(session.id)).toEqual([]);
		const [codes] = await database.sql<{ count: number }[]>`select count(*)::int as count from access_code`;
		expect(codes?.count).toBe(0);
	});
});

describe('the roster over HTTP', () => {
	it('imports an uploaded file and reports bad rows in the user language, writing nothing', async () => {
		const cookie = await staffCookie();
		const imported = await uploadRoster(
			cookie,
			'\uFEFF姓名,代表团,代表证号,电话\n林海,三门县代表团,H001,13800001001\n林涛,三门县代表团,H002,\n'
		);
		expect(imported.status).toBe(200);
		expect(textOf(await imported.text())).toContain('新增 2 名代表，更新 0 名，0 名无变化');

		const bad = await uploadRoster(
			cookie,
			'name,delegation,delegate number\n林海,三门县代表团,H001\n,三门县代表团,H003\n',
			{ 'accept-language': 'en' }
		);
		expect(bad.status).toBe(400);
		const badText = textOf(await bad.text());
		expect(badText).toContain('1 problems found and nothing was written');
		expect(badText).toMatch(/3 Name The name is empty\./);
		const [count] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from app_user where delegate_number like 'H%'`;
		expect(count?.count).toBe(2);

		const list = textOf(
			await (
				await fetch(`${app.baseUrl}/admin/delegates?q=${encodeURIComponent('林')}`, { headers: { cookie } })
			).text()
		);
		expect(list).toContain('全部代表（2 名）');
		expect(list).toContain('dh001');
	});

	it('disables a delegate so that their sign-in fails, and enables them again', async () => {
		const delegate = await createUser(database.sql, ['delegate'], 'delegate');
		const staffVisitor = await signedIn(staff.username);
		const signedInDelegate = await signedIn(delegate.username);
		expect((await staffVisitor.post('/admin/delegates?/disable', { delegateId: String(delegate.id) })).status).toBe(
			200
		);
		expect((await signedInDelegate.get('/vote')).status).toBe(303); // the session ended
		const refused = await visitor().signIn(delegate.username, TEST_PASSWORD);
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('用户名或密码不正确');
		const list = textOf(await (await staffVisitor.get(`/admin/delegates?q=${delegate.username}`)).text());
		expect(list).toContain('已停用');
		expect((await staffVisitor.post('/admin/delegates?/enable', { delegateId: String(delegate.id) })).status).toBe(200);
		expect((await visitor().signIn(delegate.username, TEST_PASSWORD)).status).toBe(303);
	});
});

describe('a session electorate over HTTP', () => {
	it('enrols by delegation or all while draft, removes one, and shows the freeze once open', async () => {
		const roster = await uploadRoster(
			await staffCookie(),
			'姓名,代表团,代表证号\n甲,玉环市代表团,Y001\n乙,玉环市代表团,Y002\n丙,临海市代表团,L001\n'
		);
		expect(roster.status).toBe(200);
		const session = await createVotingSession(database.sql, { delegates: 0, open: false });
		const path = `/admin/sessions/${session.id}/electorate`;
		const staffVisitor = await signedIn(staff.username);
		expect((await staffVisitor.post(`${path}?/enrol`, { scope: 'delegations' })).status).toBe(400);
		const byDelegation = await staffVisitor.post(`${path}?/enrol`, [
			['scope', 'delegations'],
			['delegation', '玉环市代表团']
		]);
		expect(byDelegation.status).toBe(200);
		expect(textOf(await byDelegation.text())).toContain('已登记 2 名代表');
		const all = await staffVisitor.post(`${path}?/enrol`, { scope: 'all' });
		expect(textOf(await all.text())).toMatch(/已登记 \d+ 名代表/);
		const members = await database.sql<{ id: number; number: string | null }[]>`
			select u.id, u.delegate_number as number from electorate_member e join app_user u on u.id = e.delegate_id
			where e.voting_session_id = ${session.id}`;
		expect(members.map((member) => member.number)).toEqual(expect.arrayContaining(['Y001', 'Y002', 'L001']));
		const removed = members.find((member) => member.number === 'L001')!;
		// Taking a delegate off the list asks for the reason first, and keeps what was typed.
		const asking = textOf(await (await staffVisitor.get(`${path}?remove=${removed.id}`)).text());
		expect(asking).toContain('移出原因');
		const noReason = await staffVisitor.post(`${path}?/remove&remove=${removed.id}`, {
			delegateId: String(removed.id),
			reason: ' '
		});
		expect(noReason.status).toBe(400);
		const noReasonPage = await noReason.text();
		expect(textOf(noReasonPage)).toContain('请填写移出原因');
		expect(noReasonPage).toContain('id="remove-reason"');
		expect(
			(await staffVisitor.post(`${path}?/remove`, { delegateId: String(removed.id), reason: '代表资格终止' })).status
		).toBe(200);
		const page = textOf(await (await staffVisitor.get(`${path}?q=L001`)).text());
		expect(page).toContain('没有找到符合条件的代表');

		// Checked in at the hall, so the quorum is met.
		await database.sql`update electorate_member set present = true where voting_session_id = ${session.id}`;
		expect(await applyLifecycle(database.sql, session.id, 'open', staff.id)).toMatchObject({ ok: true });
		const frozenPage = textOf(await (await staffVisitor.get(path)).text());
		expect(frozenPage).toContain('代表名单已锁定');
		const refused = await staffVisitor.post(`${path}?/enrol`, { scope: 'all' });
		expect(refused.status).toBe(409);
		expect(textOf(await refused.text())).toContain('代表名单已锁定');
		expect(
			(await staffVisitor.post(`${path}?/remove`, { delegateId: String(members[0]!.id), reason: '代表资格终止' }))
				.status
		).toBe(409);
	});

	it('lets staff mark presence while open (audited, shown as 实到), shows no voting data, and refuses after closing', async () => {
		const session = await createVotingSession(database.sql, { delegates: 3 });
		const path = `/admin/sessions/${session.id}/electorate`;
		const staffVisitor = await signedIn(staff.username);
		const [first, second] = session.delegates as [TestSession['delegates'][number], TestSession['delegates'][number]];
		expect((await staffVisitor.post(`${path}?/presence`, { delegateId: String(first.id), present: 'no' })).status).toBe(
			200
		);
		// The delegate's own password sign-in does not check them in (the session's setting is off).
		await signedIn(first.username);
		expect(await presentIds(session.id)).not.toContain(first.id);
		expect(
			(await staffVisitor.post(`${path}?/presence`, { delegateId: String(first.id), present: 'yes' })).status
		).toBe(200);
		expect(
			(await staffVisitor.post(`${path}?/presence`, { delegateId: String(second.id), present: 'no' })).status
		).toBe(200);

		const scrutineerVisitor = await signedIn(scrutineer.username);
		const html = await (await scrutineerVisitor.get(path)).text();
		expect(html).toMatch(/id="figure-enrolled">3</);
		expect(html).toMatch(/id="figure-present">2</);
		expect(textOf(html)).not.toMatch(/已投票|未投票|投票进度/);
		expect(html).not.toContain('?/presence'); // a scrutineer views, staff act

		const entries = await database.sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'presence.marked' and voting_session_id = ${session.id} order by seq`;
		expect(entries).toEqual([
			{ actor: staff.id, details: { delegate: first.username, delegateNumber: null, present: false, by: 'staff' } },
			{ actor: staff.id, details: { delegate: first.username, delegateNumber: null, present: true, by: 'staff' } },
			{ actor: staff.id, details: { delegate: second.username, delegateNumber: null, present: false, by: 'staff' } }
		]);

		await applyLifecycle(database.sql, session.id, 'close', staff.id);
		const refused = await staffVisitor.post(`${path}?/presence`, {
			delegateId: String(second.id),
			present: 'yes'
		});
		expect(refused.status).toBe(409);
		expect(textOf(await refused.text())).toContain('投票已经结束，不能再更改签到');
		expect(await presentIds(session.id)).toHaveLength(2);
	});
});

describe('credentials and signing in with a code over HTTP', () => {
	it('shows each code once on a sheet with its QR code and link, then signs the delegate in (presence stays the check-in)', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2 });
		const path = `/admin/sessions/${session.id}/credentials`;
		const staffVisitor = await signedIn(staff.username);
		const unconfirmed = await staffVisitor.post(`${path}?/issue`, { scope: 'all' });
		expect(unconfirmed.status).toBe(400);
		expect(textOf(await unconfirmed.text())).toContain('请先勾选确认框');

		const issued = await staffVisitor.post(`${path}?/issue`, { scope: 'all', confirm: 'yes' });
		expect(issued.status).toBe(200);
		expect(issued.headers.get('cache-control')).toBe('no-store');
		const sheet = await issued.text();
		expect(sheet.match(/<article class="credential-sheet/g)).toHaveLength(2);
		expect(sheet.match(/<svg [^>]*viewBox/g)).toHaveLength(2);
		const links = [...sheet.matchAll(/<a href="([^"]+)"/g)]
			.map((match) => match[1]!)
			.filter((href) => href.includes('/login/code?code='));
		expect(links).toHaveLength(2);
		for (const link of links) expect(link).toMatch(new RegExp(`^${app.baseUrl}/login/code\\?code=[A-KMNP-Z2-9]{16}$`));
		const codes = [...sheet.matchAll(/<code class="access-code[^"]*">([^<]+)<\/code>/g)].map((match) => match[1]!);
		expect(codes).toHaveLength(2);
		expect(links.map((link) => new URL(link).searchParams.get('code'))).toEqual(
			codes.map((code) => code.replace(/-/g, ''))
		);
		// Shown once: the page itself never holds a code.
		const later = await (await staffVisitor.get(path)).text();
		for (const code of codes) expect(later).not.toContain(code);
		expect(textOf(later)).toContain('已签发');

		// The first sheet's code, through the link its QR code holds.
		const [code, link] = [codes[0]!, links[0]!];

		const delegate = visitor();
		const form = await (await delegate.get(new URL(link).pathname + new URL(link).search)).text();
		expect(form).toContain(`value="${code.replace(/-/g, '')}"`);
		const checked = await delegate.post('/login/code?/check', { code });
		expect(checked.status).toBe(200);
		const checkedText = textOf(await checked.text());
		expect(checkedText).toMatch(/访问码有效：\S+（—）/);
		const mismatch = await delegate.post('/login/code?/password', {
			code,
			password: 'twelve chars long',
			passwordConfirm: 'something else'
		});
		expect(mismatch.status).toBe(400);
		expect(textOf(await mismatch.text())).toContain('两次输入的密码不一致');
		const signIn = await delegate.post('/login/code?/once', { code });
		expect(signIn.status).toBe(303);
		// One open ballot for this delegate: the sign-in lands on it (issue 15).
		expect(signIn.headers.get('location')).toBe(`/vote/${session.id}`);
		expect((await delegate.get('/vote')).status).toBe(200);
		const [owner] = await database.sql<{ id: number }[]>`
			select user_id as id from access_code where used_at is not null and user_id = any(${session.delegates.map((d) => d.id)}::bigint[])`;
		expect(owner?.id).toBeDefined();
		expect(await presentIds(session.id)).toEqual(
			session.delegates
				.slice(0, 2)
				.map((delegate) => delegate.id)
				.sort((a, b) => a - b)
		);

		const reused = await visitor().post('/login/code?/check', { code });
		expect(reused.status).toBe(400);
		expect(textOf(await reused.text())).toContain('这个访问码已经使用过了');
	});

	it('re-issuing one delegate code on the page voids the old one', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1 });
		const path = `/admin/sessions/${session.id}/credentials`;
		const staffVisitor = await signedIn(staff.username);
		const codeOn = async (response: Response) =>
			/<code class="access-code[^"]*">([^<]+)<\/code>/.exec(await response.text())?.[1] ?? '';
		const oldCode = await codeOn(
			await staffVisitor.post(`${path}?/issue`, { scope: 'one', delegateId: String(session.delegates[0]!.id) })
		);
		// Replacing a code while voting is open asks for the reason (two-person-rule.test.ts).
		const newCode = await codeOn(
			await staffVisitor.post(`${path}?/issue`, {
				scope: 'one',
				delegateId: String(session.delegates[0]!.id),
				reason: '代表遗失了登录码'
			})
		);
		expect(oldCode).toMatch(/^[A-Z2-9-]{19}$/);
		expect(newCode).not.toBe(oldCode);
		const old = await visitor({ 'accept-language': 'en' }).post('/login/code?/check', { code: oldCode });
		expect(old.status).toBe(400);
		expect(textOf(await old.text())).toContain('This access code is not right');
		expect((await visitor().post('/login/code?/check', { code: newCode })).status).toBe(200);
	});

	it('rate-limits wrong codes from one address with a clear message', async () => {
		const guesser = visitor();
		let last: Response | null = null;
		for (let attempt = 0; attempt < 31; attempt += 1)
			last = await guesser.post('/login/code?/check', { code: 'ABCD-EFGH-JKMN-PQRS' });
		expect(last?.status).toBe(429);
		const text = textOf(await last!.text());
		expect(text).toContain('尝试次数过多');
		expect(text).toContain('ABCD-EFGH-JKMN-PQRS'); // the form keeps what was typed
	});

	it('links the password sign-in page to the code sign-in', async () => {
		const page = await (await visitor().get('/login')).text();
		expect(page).toContain('<a href="/login/code">用访问码登录</a>');
	});
});
