// Brute force over real HTTP: password sign-in per account at each address and per address, access
// codes and the second step back off exponentially and say how long to wait; parallel guesses do
// not slip through;
// a hall behind one address keeps a generous allowance; changing the password ends other sessions.
// Waiting is simulated by moving a key's stored times back, never by sleeping.
import { createHash, randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	backoffSeconds,
	LOGIN_ACCOUNT_GLOBAL_POLICY,
	LOGIN_ACCOUNT_POLICY,
	LOGIN_ADDRESS_POLICY,
	loginAccountAddressKey
} from '../../src/lib/server/auth/rate-limit';
import { beginEnrolment, confirmEnrolment, twoFactorStatus } from '../../src/lib/server/auth/two-factor';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, TEST_PASSWORD } from '../helpers/factory';

const TOTP_KEY = randomBytes(32).toString('base64');
process.env.PIAOJUE_TOTP_KEY = TOTP_KEY;

const database = useTestDatabase();
let app: RunningApp;
let addressCounter = 0;

beforeAll(async () => {
	// Client addresses come from a header, so each test signs in from addresses of its own.
	app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip', PIAOJUE_TOTP_KEY: TOTP_KEY });
});
afterAll(async () => {
	await app?.stop();
});

function freshAddress(): string {
	addressCounter += 1;
	return `203.0.113.${addressCounter}`;
}

function visitorFrom(address: string, headers: Record<string, string> = {}): Visitor {
	return new Visitor(app.baseUrl, { 'x-real-ip': address, ...headers });
}

function textOf(html: string): string {
	return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** The wait is over: the key's block ends now (its strikes stay). */
async function letWaitPass(key: string): Promise<void> {
	const updated = await database.sql`update rate_limit_bucket set blocked_until = now() where key = ${key}`;
	expect(updated.count, key).toBe(1);
}

async function tryPassword(
	visitor: Visitor,
	username: string,
	password: string
): Promise<{ status: number; text: string }> {
	const response = await visitor.post('/login', { username, password });
	return { status: response.status, text: textOf(await response.text()) };
}

describe('the policy in numbers', () => {
	it('doubles the wait from the first one up to the cap', () => {
		const waits = (policy: typeof LOGIN_ACCOUNT_POLICY) =>
			[1, 2, 3, 4, 5, 6, 7, 8].map((strike) => backoffSeconds(policy, strike));
		expect(waits(LOGIN_ACCOUNT_POLICY)).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
		expect(waits(LOGIN_ADDRESS_POLICY)).toEqual([12, 24, 48, 96, 192, 384, 768, 900]);
		// The limit of an account over every address never holds anyone for more than a minute.
		expect(waits(LOGIN_ACCOUNT_GLOBAL_POLICY)).toEqual([60, 60, 60, 60, 60, 60, 60, 60]);
		expect(LOGIN_ACCOUNT_POLICY.capacity).toBe(5);
		expect(LOGIN_ADDRESS_POLICY.capacity).toBe(50);
	});
});

describe('password sign-in', () => {
	it('backs off exponentially on one account at one address and says how long to wait; a right sign-in clears it', async () => {
		const target = await createUser(database.sql, ['delegate']);
		const address = freshAddress();
		const key = loginAccountAddressKey(target.username, address);
		const visitor = visitorFrom(address);
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 5; attempt += 1)
			statuses.push((await tryPassword(visitor, target.username, `guess ${attempt}`)).status);
		expect(statuses).toEqual([400, 400, 400, 400, 400]);
		const first = await tryPassword(visitor, target.username, 'guess 5');
		expect(first.status).toBe(429);
		expect(first.text).toContain('登录尝试次数过多，请等待 1 分钟后再试');
		// Even the right password waits.
		expect((await tryPassword(visitor, target.username, TEST_PASSWORD)).status).toBe(429);

		// Each further failure doubles the wait.
		for (const minutes of [2, 4]) {
			await letWaitPass(key);
			expect((await tryPassword(visitor, target.username, 'another guess')).status).toBe(400);
			const blocked = await tryPassword(visitor, target.username, 'and another');
			expect(blocked.status).toBe(429);
			expect(blocked.text).toContain(`请等待 ${minutes} 分钟后再试`);
		}
		const english = await tryPassword(visitorFrom(address, { 'accept-language': 'en' }), target.username, 'guess');
		expect(english.text).toContain('Too many sign-in attempts. Please wait 4 minutes before trying again.');

		// The right password after the wait signs in and clears the account at this address: five
		// failures again before the first wait.
		await letWaitPass(key);
		expect((await tryPassword(visitor, target.username, TEST_PASSWORD)).status).toBe(303);
		const again: number[] = [];
		for (let attempt = 0; attempt < 6; attempt += 1)
			again.push((await tryPassword(visitorFrom(address), target.username, `guess ${attempt}`)).status);
		expect(again).toEqual([400, 400, 400, 400, 400, 429]);
	});

	it('counts parallel guesses at one account from one address one after another: five are tried, the rest wait', async () => {
		const target = await createUser(database.sql, ['staff']);
		const address = freshAddress();
		const responses = await Promise.all(
			Array.from({ length: 20 }, (_, index) =>
				tryPassword(visitorFrom(address), target.username, `parallel guess ${index}`)
			)
		);
		const statuses = responses.map((response) => response.status).sort();
		expect(statuses.filter((status) => status === 400)).toHaveLength(5);
		expect(statuses.filter((status) => status === 429)).toHaveLength(15);
	});

	it('gives one address (a hall behind NAT) 50 failures at once, then short waits, and forgives a quiet hall', async () => {
		const hall = freshAddress();
		const key = `login:address:${hall}`;
		const hallVisitor = visitorFrom(hall);
		// Fifty different delegates mistyping at once, each once (at once: typed one after another on
		// a busy machine, the allowance regained meanwhile would let a few more through).
		const typos = await Promise.all(
			Array.from(
				{ length: 50 },
				async (_, attempt) =>
					(await tryPassword(hallVisitor, `nobody_${attempt}_${randomBytes(3).toString('hex')}`, 'typo')).status
			)
		);
		expect(typos).toEqual(Array.from({ length: 50 }, () => 400));
		const flooded = await tryPassword(hallVisitor, 'nobody_more', 'typo');
		expect(flooded.status).toBe(429);
		// The first wait is 12 s, less whatever the allowance regained while the fifty were answered.
		const wait = /请等待 (\d+) 秒后再试/.exec(flooded.text);
		expect(wait, 'the page states the wait').not.toBeNull();
		expect(Number(wait![1])).toBeGreaterThan(0);
		expect(Number(wait![1])).toBeLessThanOrEqual(12);
		// Other addresses are not affected.
		expect((await tryPassword(visitorFrom(freshAddress()), 'nobody_more', 'typo')).status).toBe(400);
		// Ten quiet minutes later the allowance is back and the strikes are forgotten.
		await database.sql`
			update rate_limit_bucket set refilled_at = refilled_at - interval '10 minutes', blocked_until = now() - interval '1 second'
			where key = ${key}`;
		expect((await tryPassword(hallVisitor, 'nobody_later', 'typo')).status).toBe(400);
		expect((await tryPassword(hallVisitor, 'nobody_later_2', 'typo')).status).toBe(400);
		const [bucket] = await database.sql<{ strikes: number; blocked: boolean }[]>`
			select strikes, blocked_until is not null and blocked_until > now() as blocked from rate_limit_bucket where key = ${key}`;
		expect(bucket).toEqual({ strikes: 0, blocked: false });
	});
});

describe('access codes', () => {
	it('back off per address with the wait in the message, the form keeping the code', async () => {
		const address = freshAddress();
		const guesser = visitorFrom(address);
		const guess = async () => {
			const response = await guesser.post('/login/code?/check', { code: 'ABCD-EFGH-JKMN-PQRS' });
			return { status: response.status, text: textOf(await response.text()) };
		};
		for (let attempt = 0; attempt < 30; attempt += 1) expect((await guess()).status).toBe(400);
		const first = await guess();
		expect(first.status).toBe(429);
		expect(first.text).toContain('尝试次数过多，请等待 10 秒后再试');
		expect(first.text).toContain('ABCD-EFGH-JKMN-PQRS');
		await letWaitPass(`login-code:address:${address}`);
		expect((await guess()).status).toBe(400);
		const second = await guess();
		expect(second.status).toBe(429);
		expect(second.text).toContain('请等待 20 秒后再试');
	});
});

describe('the second step', () => {
	it('backs off per user after five wrong codes, refusing even a right code while it waits', async () => {
		const staff = await createUser(database.sql, ['staff']);
		await beginEnrolment(database.sql, staff, null);
		const shown = (await twoFactorStatus(database.sql, staff)).enrolment!;
		const secret = decodeBase32IgnorePadding(shown.secretText.replace(/\s+/g, ''));
		const step = Math.floor(Date.now() / 30_000);
		expect(
			(
				await confirmEnrolment(database.sql, {
					user: staff,
					code: generateHOTP(secret, BigInt(step), 6),
					keepSessionId: null
				})
			).ok
		).toBe(true);

		const visitor = visitorFrom(freshAddress());
		expect((await visitor.post('/login', { username: staff.username, password: TEST_PASSWORD })).status).toBe(303);
		const near = new Set([-1, 0, 1, 2].map((offset) => generateHOTP(secret, BigInt(step + offset), 6)));
		const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666'].filter(
			(code) => !near.has(code)
		);
		for (const code of wrong.slice(0, 5)) {
			const response = await visitor.post('/login/two-factor', { code });
			expect(response.status).toBe(400);
			expect(textOf(await response.text())).toContain('验证码不正确');
		}
		const blocked = await visitor.post('/login/two-factor', { code: generateHOTP(secret, BigInt(step + 1), 6) });
		expect(blocked.status).toBe(429);
		expect(textOf(await blocked.text())).toContain('验证码错误次数过多，请等待 1 分钟后再试');
		expect(visitor.hasCookie('piaojue_session')).toBe(false);
	});
});

describe('changing the password', () => {
	it('needs the current password, ends every other session of the user, and is audited without the password', async () => {
		const user = await createUser(database.sql, ['staff']);
		const signedIn = async () => {
			const visitor = visitorFrom(freshAddress());
			expect((await visitor.signIn(user.username, TEST_PASSWORD)).status).toBe(303);
			return visitor;
		};
		const [here, phone, laptop] = [await signedIn(), await signedIn(), await signedIn()];
		const change = async (fields: Record<string, string>) => {
			const response = await here.post('/account/security?/password', fields);
			return { status: response.status, text: textOf(await response.text()) };
		};
		const newPassword = 'a fresh and long passphrase';
		const wrong = await change({ currentPassword: 'not it', newPassword, newPasswordConfirm: newPassword });
		expect(wrong.status).toBe(400);
		expect(wrong.text).toContain('密码不正确');
		const mismatch = await change({
			currentPassword: TEST_PASSWORD,
			newPassword,
			newPasswordConfirm: `${newPassword}!`
		});
		expect(mismatch.status).toBe(400);
		expect(mismatch.text).toContain('两次输入的新密码不一致');
		expect(
			(await change({ currentPassword: TEST_PASSWORD, newPassword: 'short', newPasswordConfirm: 'short' })).text
		).toContain('密码至少需要 12 个字符');
		expect(
			(await change({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD, newPasswordConfirm: TEST_PASSWORD }))
				.text
		).toContain('新密码不能与当前密码相同');
		expect((await phone.get('/admin')).status).toBe(200); // nothing changed yet

		const done = await change({ currentPassword: TEST_PASSWORD, newPassword, newPasswordConfirm: newPassword });
		expect(done.status).toBe(200);
		expect(done.text).toContain('密码已修改。其他设备上的 2 个登录已退出');
		for (const other of [phone, laptop]) {
			const response = await other.get('/admin');
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toMatch(/^\/login\?/);
		}
		expect((await here.get('/admin')).status).toBe(200);
		expect((await tryPassword(visitorFrom(freshAddress()), user.username, TEST_PASSWORD)).status).toBe(400);
		expect((await tryPassword(visitorFrom(freshAddress()), user.username, newPassword)).status).toBe(303);

		const [entry] = await database.sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'account.password_changed' and actor_user_id = ${user.id}`;
		expect(entry?.details).toEqual({ user: user.username, endedSessions: 2 });
		const stored = JSON.stringify(entry);
		expect(stored).not.toContain(newPassword);
		expect(stored).not.toContain(TEST_PASSWORD);
		expect(stored).not.toContain(createHash('sha256').update(newPassword).digest('hex'));
	});

	it('counts wrong current passwords against the account, with the wait stated', async () => {
		const user = await createUser(database.sql, ['delegate']);
		const visitor = visitorFrom(freshAddress());
		expect((await visitor.signIn(user.username, TEST_PASSWORD)).status).toBe(303);
		const newPassword = 'another long passphrase';
		const statuses: number[] = [];
		let last = '';
		for (let attempt = 0; attempt < 6; attempt += 1) {
			const response = await visitor.post('/account/security?/password', {
				currentPassword: `guess ${attempt}`,
				newPassword,
				newPasswordConfirm: newPassword
			});
			statuses.push(response.status);
			last = textOf(await response.text());
		}
		expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
		expect(last).toContain('尝试次数过多，请等待 1 分钟后再试');
		// The page's limit is its own: the account still signs in with its password (rate-limits.test.ts).
		expect((await tryPassword(visitorFrom(freshAddress()), user.username, TEST_PASSWORD)).status).toBe(303);
	});
});
