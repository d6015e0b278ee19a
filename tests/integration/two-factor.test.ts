// Two-factor sign-in over real HTTP (a browser without JavaScript) and at the module level:
// enrolment, the second step of a sign-in, reuse, expiry, recovery codes, turning it off and
// replacing it, mandatory enrolment (PIAOJUE_REQUIRE_2FA), and the secret at rest.
// Codes are computed here with @oslojs/otp from the key the page shows; nothing is mocked.
import { runCli } from '../helpers/cli';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeSecondStep, createPendingSignIn } from '../../src/lib/server/auth/two-factor';
import { decryptTotpSecret, loadTotpKey } from '../../src/lib/server/auth/totp-key';
import { validateSessionToken } from '../../src/lib/server/auth/session';
import { issueAccessCodes } from '../../src/lib/server/electorate/access-codes';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD } from '../helpers/factory';

// The server and this process share the key, as two app instances of one deployment do.
const TOTP_KEY = randomBytes(32).toString('base64');
process.env.PIAOJUE_TOTP_KEY = TOTP_KEY;

const database = useTestDatabase();
let app: RunningApp;
/** The same database served by an instance that requires two-factor sign-in of staff and scrutineers. */
let requiredApp: RunningApp;
let addressCounter = 0;

beforeAll(async () => {
	const env = { PIAOJUE_TOTP_KEY: TOTP_KEY, ADDRESS_HEADER: 'x-real-ip' };
	[app, requiredApp] = await Promise.all([
		startApp(database.url, env),
		startApp(database.url, { ...env, PIAOJUE_REQUIRE_2FA: '1' })
	]);
});
afterAll(async () => {
	await app?.stop();
	await requiredApp?.stop();
});

// ---------------------------------------------------------------- helpers

const STEP_MS = 30_000;
const currentStep = () => Math.floor(Date.now() / STEP_MS);
const codeAt = (secret: Uint8Array, step: number) => generateHOTP(secret, BigInt(step), 6);
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** An authenticator as the test holds it: the key and the last step whose code was used. */
interface Authenticator {
	secret: Uint8Array;
	lastStep: number;
}

/** A code the server accepts once: of a step after the last used one, within one step of now. */
function nextCode(authenticator: Authenticator): string {
	const step = Math.max(currentStep(), authenticator.lastStep + 1);
	expect(step, 'a fresh code exists within the window').toBeLessThanOrEqual(currentStep() + 1);
	authenticator.lastStep = step;
	return codeAt(authenticator.secret, step);
}

/** Six digits that are no code of this key anywhere near now. */
function wrongCode(secret: Uint8Array): string {
	const near = new Set([-2, -1, 0, 1, 2].map((offset) => codeAt(secret, currentStep() + offset)));
	for (let candidate = 0; ; candidate += 1) {
		const code = String(candidate).padStart(6, '0');
		if (!near.has(code)) return code;
	}
}

function visitorOf(target: RunningApp, headers: Record<string, string> = {}): Visitor {
	addressCounter += 1;
	return new Visitor(target.baseUrl, { 'x-real-ip': `198.51.100.${addressCounter}`, ...headers });
}

/** Visible text of a page, tags removed and whitespace collapsed. */
function textOf(html: string): string {
	return html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/\s+/g, ' ');
}

async function signedIn(username: string, target: RunningApp = app): Promise<Visitor> {
	const visitor = visitorOf(target);
	const response = await visitor.signIn(username, TEST_PASSWORD);
	expect(response.status, `sign-in of ${username}`).toBe(303);
	// Fully signed in: on to the role's landing page (issue 15), not to a second step.
	expect(response.headers.get('location')).not.toMatch(/^\/(login|account\/security)/);
	return visitor;
}

function secretOnPage(html: string): Uint8Array {
	const text = /<code[^>]*id="totp-secret"[^>]*>([^<]+)<\/code>/.exec(html)?.[1];
	expect(text, 'the key is shown as text').toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
	return decodeBase32IgnorePadding(text!.replace(/\s+/g, ''));
}

function recoveryCodesOnPage(html: string): string[] {
	return [...html.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((match) => match[1]!);
}

/** Enrols through the security page as a user would, computing the code from the key shown. */
async function enrolThroughPage(visitor: Visitor): Promise<{ authenticator: Authenticator; recoveryCodes: string[] }> {
	expect((await visitor.post('/account/security?/begin', {})).status).toBe(200);
	const page = await (await visitor.get('/account/security')).text();
	expect(page).toContain('<svg');
	const authenticator: Authenticator = { secret: secretOnPage(page), lastStep: -1 };
	const confirmed = await visitor.post('/account/security?/confirm', { code: nextCode(authenticator) });
	expect(confirmed.status).toBe(200);
	const recoveryCodes = recoveryCodesOnPage(await confirmed.text());
	expect(recoveryCodes).toHaveLength(10);
	return { authenticator, recoveryCodes };
}

/** Password step of a sign-in for an account with an authenticator: a pending sign-in, no session. */
async function passwordStep(username: string, target: RunningApp = app, redirectTo = '/admin'): Promise<Visitor> {
	const visitor = visitorOf(target);
	const response = await visitor.post(`/login?redirectTo=${encodeURIComponent(redirectTo)}`, {
		username,
		password: TEST_PASSWORD
	});
	expect(response.status).toBe(303);
	expect(response.headers.get('location')).toBe(`/login/two-factor?redirectTo=${encodeURIComponent(redirectTo)}`);
	expect(visitor.hasCookie('piaojue_session')).toBe(false);
	expect(visitor.hasCookie('piaojue_two_factor')).toBe(true);
	return visitor;
}

async function auditEntries(
	action: string,
	actorUserId: number
): Promise<{ details: Record<string, unknown>; text: string }[]> {
	const rows = await database.sql<{ details: Record<string, unknown> }[]>`
		select details from audit_entry where action = ${action} and actor_user_id = ${actorUserId} order by seq`;
	return rows.map((row) => ({ details: row.details, text: JSON.stringify(row.details) }));
}

// ---------------------------------------------------------------- enrolment

describe('enrolling an authenticator', () => {
	it('shows a QR code and the key, saves it only after a current code, and gives 10 recovery codes once', async () => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const visitor = await signedIn(staff.username);
		const before = await (await visitor.get('/account/security')).text();
		expect(textOf(before)).toContain('两步验证尚未开启');

		expect((await visitor.post('/account/security?/begin', {})).status).toBe(200);
		const setup = await (await visitor.get('/account/security')).text();
		expect(setup).toMatch(/<div class="qr[^"]*" role="img"[^>]*>(<!---->)?<svg/);
		const secret = secretOnPage(setup);
		expect(secret).toHaveLength(20);

		// A wrong code is refused and nothing is saved.
		const refused = await visitor.post('/account/security?/confirm', { code: wrongCode(secret) });
		expect(refused.status).toBe(400);
		expect(textOf(await refused.text())).toContain('验证码不正确');
		const malformed = await visitor.post('/account/security?/confirm', { code: '12ab' });
		expect(malformed.status).toBe(400);
		expect(textOf(await malformed.text())).toContain('验证码是 6 位数字');
		expect(await database.sql`select 1 from two_factor_credential where user_id = ${staff.id}`).toHaveLength(0);

		const confirmed = await visitor.post('/account/security?/confirm', { code: codeAt(secret, currentStep()) });
		expect(confirmed.status).toBe(200);
		const confirmedHtml = await confirmed.text();
		expect(textOf(confirmedHtml)).toContain('两步验证已开启');
		const recoveryCodes = recoveryCodesOnPage(confirmedHtml);
		expect(recoveryCodes).toHaveLength(10);
		expect(new Set(recoveryCodes).size).toBe(10);

		// Shown once: the page no longer holds them, and says how many are left.
		const after = await (await visitor.get('/account/security')).text();
		expect(recoveryCodesOnPage(after)).toEqual([]);
		expect(textOf(after)).toContain('剩余可用恢复码：10 个');
		expect(after).not.toContain('id="totp-secret"');

		// Stored hashed: SHA-256 of each code, never the code.
		const stored = await database.sql<{ codeHash: Buffer }[]>`
			select code_hash as "codeHash" from two_factor_recovery_code where user_id = ${staff.id}`;
		expect(stored.map((row) => row.codeHash.toString('hex')).sort()).toEqual(
			recoveryCodes.map((code) => sha256(code.replace('-', '')).toString('hex')).sort()
		);

		// Audited, without the key or a code.
		const [entry] = await auditEntries('two_factor.enrolled', staff.id);
		expect(entry?.details).toMatchObject({ user: staff.username, replaced: false, recoveryCodes: 10 });
		expect(entry?.text).not.toContain(encodeBase32NoPadding(secret));
		for (const code of recoveryCodes) expect(entry?.text).not.toContain(code);
	});

	it('keeps the key encrypted at rest: not the base32 text, not the raw key, useless with another key or on another row', async () => {
		const staff = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const { authenticator } = await enrolThroughPage(await signedIn(staff.username));
		const [row] = await database.sql<
			{ sealed: Buffer }[]
		>`select secret_ciphertext as sealed from two_factor_credential where user_id = ${staff.id}`;
		const sealed = row!.sealed;
		const base32 = encodeBase32NoPadding(authenticator.secret);
		// Everything the database holds about the user, as a dump would show it.
		const dump = JSON.stringify(
			await database.sql`
			select c.*, (select json_agg(r) from two_factor_recovery_code r where r.user_id = c.user_id) as codes
			from two_factor_credential c where c.user_id = ${staff.id}`
		);
		expect(dump).not.toContain(base32);
		expect(dump.toLowerCase()).not.toContain(Buffer.from(authenticator.secret).toString('hex'));
		expect(sealed.includes(Buffer.from(authenticator.secret))).toBe(false);
		expect(sealed.toString('latin1')).not.toContain(base32);
		// The app's key opens it; another key does not, nor does the same ciphertext on another user's row.
		expect(decryptTotpSecret(sealed, staff.id)).toEqual(authenticator.secret);
		expect(decryptTotpSecret(sealed, staff.id, randomBytes(32))).toBeNull();
		expect(decryptTotpSecret(sealed, staff.id + 1)).toBeNull();
	});

	it('generates the key file (mode 0600) in the data folder when PIAOJUE_TOTP_KEY is unset, and refuses a malformed key', () => {
		const dataDir = mkdtempSync(path.join(tmpdir(), 'piaojue-totp-'));
		try {
			const first = loadTotpKey({ PIAOJUE_DATA_DIR: dataDir });
			const file = path.join(dataDir, 'totp-key');
			expect(first.source).toBe(file);
			expect(first.key).toHaveLength(32);
			expect(statSync(file).mode & 0o777).toBe(0o600);
			expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toEqual(first.key);
			expect(loadTotpKey({ PIAOJUE_DATA_DIR: dataDir }).key).toEqual(first.key); // the same key next time
			expect(() => loadTotpKey({ PIAOJUE_TOTP_KEY: 'too short' })).toThrow(/32 bytes in base64/);
			expect(loadTotpKey({ PIAOJUE_TOTP_KEY: TOTP_KEY, PIAOJUE_DATA_DIR: dataDir }).source).toBe('PIAOJUE_TOTP_KEY');
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
		}
	});

	it('offers enrolment only to staff and scrutineers; every user can change the password there', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1 });
		const delegate = await signedIn(session.delegates[0]!.username);
		const page = await delegate.get('/account/security');
		expect(page.status).toBe(200);
		const html = textOf(await page.text());
		expect(html).toContain('修改密码');
		expect(html).not.toContain('开始设置两步验证');
		expect((await delegate.post('/account/security?/begin', {})).status).toBe(403);
		const anonymous = visitorOf(app);
		const away = await anonymous.get('/account/security');
		expect(away.status).toBe(303);
		expect(away.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent('/account/security')}`);
	});
});

// ---------------------------------------------------------------- signing in

describe('signing in with two factors', () => {
	let staff: { id: number; username: string };
	let authenticator: Authenticator;
	let recoveryCodes: string[];

	beforeAll(async () => {
		staff = await createUser(database.sql, ['staff'], 'staff');
		({ authenticator, recoveryCodes } = await enrolThroughPage(await signedIn(staff.username)));
	});

	it('asks for a code after the right password; the pending sign-in opens no page', async () => {
		const visitor = await passwordStep(staff.username);
		const admin = await visitor.get('/admin');
		expect(admin.status).toBe(303);
		expect(admin.headers.get('location')).toMatch(/^\/login\?/);
		const page = await visitor.get('/login/two-factor?redirectTo=%2Fadmin');
		expect(page.status).toBe(200);
		expect(textOf(await page.text())).toContain('两步验证');
		// Kept hashed, bound to the user, for five minutes.
		const [pending] = await database.sql<{ lifetime: number }[]>`
			select extract(epoch from expires_at - created_at)::int as lifetime from two_factor_pending where user_id = ${staff.id}`;
		expect(pending?.lifetime).toBe(300);
	});

	it('refuses a wrong code and a used code, then signs in with a fresh one', async () => {
		const visitor = await passwordStep(staff.username);
		const wrong = await visitor.post('/login/two-factor?redirectTo=%2Fadmin', {
			code: wrongCode(authenticator.secret)
		});
		expect(wrong.status).toBe(400);
		expect(textOf(await wrong.text())).toContain('验证码不正确');
		// The code used at enrolment (the last step used) is refused as used.
		const reused = await visitor.post('/login/two-factor?redirectTo=%2Fadmin', {
			code: codeAt(authenticator.secret, authenticator.lastStep)
		});
		expect(reused.status).toBe(400);
		expect(textOf(await reused.text())).toContain('这个验证码已经使用过了');
		expect(visitor.hasCookie('piaojue_session')).toBe(false);

		const code = nextCode(authenticator);
		const right = await visitor.post('/login/two-factor?redirectTo=%2Fadmin', {
			code: `${code.slice(0, 3)} ${code.slice(3)}`
		});
		expect(right.status).toBe(303);
		expect(right.headers.get('location')).toBe('/admin');
		expect(visitor.hasCookie('piaojue_session')).toBe(true);
		expect(visitor.hasCookie('piaojue_two_factor')).toBe(false);
		expect((await visitor.get('/admin')).status).toBe(200);
		expect(await database.sql`select 1 from two_factor_pending where user_id = ${staff.id}`).toHaveLength(0);

		// The same code again, on another sign-in: refused.
		const another = await passwordStep(staff.username);
		const again = await another.post('/login/two-factor?redirectTo=%2Fadmin', { code });
		expect(again.status).toBe(400);
		expect(textOf(await again.text())).toContain('这个验证码已经使用过了');
	});

	it('refuses an expired pending sign-in, even with a right code', async () => {
		const visitor = await passwordStep(staff.username);
		await database.sql`
			update two_factor_pending set created_at = created_at - interval '6 minutes', expires_at = expires_at - interval '6 minutes'
			where user_id = ${staff.id}`;
		const late = await visitor.post('/login/two-factor?redirectTo=%2Fadmin', {
			code: codeAt(authenticator.secret, currentStep())
		});
		expect(late.status).toBe(303);
		expect(late.headers.get('location')).toBe('/login?redirectTo=%2Fadmin&expired=1');
		expect(visitor.hasCookie('piaojue_session')).toBe(false);
		expect(visitor.hasCookie('piaojue_two_factor')).toBe(false);
		expect(textOf(await (await visitor.get('/login?redirectTo=%2Fadmin&expired=1')).text())).toContain('登录已超时');
		// The page itself sends a visitor without a pending sign-in back to the password.
		const page = await visitorOf(app).get('/login/two-factor?redirectTo=%2Fadmin');
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe('/login?redirectTo=%2Fadmin');
	});

	it('uses a pending sign-in once: two completions at once with one token give one session', async () => {
		const other = await createUser(database.sql, ['staff'], 'staff');
		const otherAuthenticator = (await enrolThroughPage(await signedIn(other.username))).authenticator;
		const token = await createPendingSignIn(database.sql, other.id);
		const code = nextCode(otherAuthenticator);
		const results = await Promise.all([
			completeSecondStep(database.sql, { pendingToken: token, code }),
			completeSecondStep(database.sql, { pendingToken: token, code })
		]);
		expect(results.filter((result) => result.ok)).toHaveLength(1);
		expect(results.find((result) => !result.ok)).toEqual({ ok: false, error: 'expired' });
		const winner = results.find((result) => result.ok);
		expect(winner?.ok && (await validateSessionToken(database.sql, winner.token))?.user.id).toBe(other.id);
		expect(await database.sql`select 1 from auth_session where user_id = ${other.id}`).toHaveLength(2); // the enrolling one and this
	});

	it('accepts a recovery code once, in any case and spacing, and audits its use', async () => {
		const code = recoveryCodes[0]!;
		const visitor = await passwordStep(staff.username);
		const typed = ` ${code.toUpperCase().replace('-', ' ')} `;
		const used = await visitor.post('/login/two-factor?redirectTo=%2Fadmin', { code: typed });
		expect(used.status).toBe(303);
		expect(visitor.hasCookie('piaojue_session')).toBe(true);
		const entries = await auditEntries('two_factor.recovery_code_used', staff.id);
		expect(entries.at(-1)?.details).toEqual({ remaining: 9 });
		expect(entries.at(-1)?.text).not.toContain(code);

		const second = await passwordStep(staff.username);
		const refused = await second.post('/login/two-factor?redirectTo=%2Fadmin', { code });
		expect(refused.status).toBe(400);
		expect(textOf(await refused.text())).toContain('这个恢复码已经使用过了');
		expect(second.hasCookie('piaojue_session')).toBe(false);
		expect(textOf(await (await visitor.get('/account/security')).text())).toContain('剩余可用恢复码：9 个');
	});

	it('answers in English when asked', async () => {
		const visitor = visitorOf(app, { 'accept-language': 'en' });
		await visitor.post('/login', { username: staff.username, password: TEST_PASSWORD });
		const wrong = await visitor.post('/login/two-factor', { code: wrongCode(authenticator.secret) });
		expect(textOf(await wrong.text())).toContain('The code is not right');
	});

	it('gives no access code to an enrolled account that holds staff: it signs in with its password and a code', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1, open: false });
		const delegate = session.delegates[0]!;
		await database.sql`insert into user_role (user_id, role) values (${delegate.id}, 'staff')`;
		const delegateAuthenticator = (await enrolThroughPage(await signedIn(delegate.username))).authenticator;
		expect(
			await issueAccessCodes(database.sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				actorUserId: staff.id
			})
		).toEqual({ ok: false, error: 'privileged' });
		const visitor = visitorOf(app);
		const password = await visitor.post('/login?redirectTo=%2Fvote', {
			username: delegate.username,
			password: TEST_PASSWORD
		});
		expect(password.status).toBe(303);
		expect(password.headers.get('location')).toBe('/login/two-factor?redirectTo=%2Fvote');
		const done = await visitor.post('/login/two-factor?redirectTo=%2Fvote', { code: nextCode(delegateAuthenticator) });
		expect(done.status).toBe(303);
		expect(done.headers.get('location')).toBe('/vote');
		expect((await visitor.get('/vote')).status).toBe(200);
	});
});

// ---------------------------------------------------------------- turning off and replacing

describe('turning two-factor sign-in off and replacing the authenticator', () => {
	it('needs the password and a current code to turn it off; then the password alone signs in', async () => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const visitor = await signedIn(staff.username);
		const { authenticator } = await enrolThroughPage(visitor);

		const badPassword = await visitor.post('/account/security?/disable', {
			password: 'not the password',
			code: codeAt(authenticator.secret, currentStep())
		});
		expect(badPassword.status).toBe(400);
		expect(textOf(await badPassword.text())).toContain('密码不正确');
		const badCode = await visitor.post('/account/security?/disable', {
			password: TEST_PASSWORD,
			code: wrongCode(authenticator.secret)
		});
		expect(badCode.status).toBe(400);
		expect(textOf(await badCode.text())).toContain('验证码不正确');
		expect(await database.sql`select 1 from two_factor_credential where user_id = ${staff.id}`).toHaveLength(1);

		const off = await visitor.post('/account/security?/disable', {
			password: TEST_PASSWORD,
			code: nextCode(authenticator)
		});
		expect(off.status).toBe(200);
		expect(textOf(await off.text())).toContain('两步验证已关闭');
		expect(await database.sql`select 1 from two_factor_recovery_code where user_id = ${staff.id}`).toHaveLength(0);
		expect((await auditEntries('two_factor.disabled', staff.id)).map((entry) => entry.details)).toEqual([
			{ user: staff.username }
		]);
		await signedIn(staff.username); // no second step any more
	});

	it('replaces the authenticator: both factors to start, the old one works until the new one is confirmed, new recovery codes', async () => {
		const staff = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const visitor = await signedIn(staff.username);
		const old = await enrolThroughPage(visitor);

		const withoutProof = await visitor.post('/account/security?/begin', {});
		expect(withoutProof.status).toBe(400);
		const started = await visitor.post('/account/security?/begin', {
			password: TEST_PASSWORD,
			code: nextCode(old.authenticator)
		});
		expect(started.status).toBe(200);
		const replacement: Authenticator = {
			secret: secretOnPage(await (await visitor.get('/account/security')).text()),
			lastStep: -1
		};
		expect(replacement.secret).not.toEqual(old.authenticator.secret);

		// Until confirmed, sign-in still takes the old authenticator (here one of its recovery codes).
		const meanwhile = await passwordStep(staff.username);
		expect((await meanwhile.post('/login/two-factor', { code: old.recoveryCodes[1]! })).status).toBe(303);

		const confirmed = await visitor.post('/account/security?/confirm', { code: nextCode(replacement) });
		expect(confirmed.status).toBe(200);
		const newCodes = recoveryCodesOnPage(await confirmed.text());
		expect(newCodes).toHaveLength(10);
		expect((await auditEntries('two_factor.enrolled', staff.id)).map((entry) => entry.details.replaced)).toEqual([
			false,
			true
		]);
		// The sign-in made meanwhile was another session: it ended with the change.
		expect((await meanwhile.get('/admin')).status).toBe(303);

		const oldRecovery = await passwordStep(staff.username);
		expect((await oldRecovery.post('/login/two-factor', { code: old.recoveryCodes[0]! })).status).toBe(400);
		expect(
			(await oldRecovery.post('/login/two-factor', { code: codeAt(old.authenticator.secret, currentStep()) })).status
		).toBe(400);
		expect((await oldRecovery.post('/login/two-factor', { code: newCodes[0]! })).status).toBe(303);
	});
});

// ---------------------------------------------------------------- mandatory enrolment

describe('PIAOJUE_REQUIRE_2FA=1', () => {
	it('signs an un-enrolled staff member in only to the security page until they enrol', async () => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const visitor = await signedIn(staff.username, requiredApp);
		for (const page of ['/admin', '/admin/audit', '/admin/candidates', '/', '/projects', '/account/security?x=1']) {
			const response = await visitor.get(page);
			if (page.startsWith('/account/security')) {
				expect(response.status, page).toBe(200);
				expect(textOf(await response.text())).toContain('本系统要求工作人员和监票人开启两步验证');
			} else {
				expect(response.status, page).toBe(303);
				expect(response.headers.get('location'), page).toBe('/account/security');
			}
		}
		// Actions too: nothing but the security page works.
		const session = await createVotingSession(database.sql, { open: false });
		const action = await visitor.post(`/admin/sessions/${session.id}?/open`, { confirm: 'yes' });
		expect(action.status).toBe(303);
		expect(action.headers.get('location')).toBe('/account/security');
		expect(
			(await database.sql<{ status: string }[]>`select status from voting_session where id = ${session.id}`)[0]?.status
		).toBe('draft');

		// Without the setting, the same account uses the admin pages as before.
		const elsewhere = await signedIn(staff.username, app);
		expect((await elsewhere.get('/admin')).status).toBe(200);

		// Enrolling lifts the restriction (and ends the other session, opened with the password alone).
		const { authenticator } = await enrolThroughPage(visitor);
		expect((await visitor.get('/admin')).status).toBe(200);
		expect((await elsewhere.get('/admin')).status).toBe(303);
		// It cannot be turned off where it is required.
		const off = await visitor.post('/account/security?/disable', {
			password: TEST_PASSWORD,
			code: nextCode(authenticator)
		});
		expect(off.status).toBe(400);
		expect(textOf(await off.text())).toContain('不能关闭');
		expect(await database.sql`select 1 from two_factor_credential where user_id = ${staff.id}`).toHaveLength(1);
	});

	it('leaves delegates and residents alone', async () => {
		const session = await createVotingSession(database.sql, { delegates: 1 });
		const delegate = await signedIn(session.delegates[0]!.username, requiredApp);
		expect((await delegate.get('/vote')).status).toBe(200);
	});
});

// ---------------------------------------------------------------- the operator

describe('npm run cli -- two-factor:reset', () => {
	const cli = (args: string[]) => runCli(args, { databaseUrl: database.url });

	it('removes a lost authenticator, ends the sessions and records who did it', async () => {
		const operator = await createUser(database.sql, ['staff'], 'staff');
		const scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
		const visitor = await signedIn(scrutineer.username);
		await enrolThroughPage(visitor);

		expect(cli(['two-factor:reset', scrutineer.username]).code).toBe(2); // --as is needed
		const reset = cli(['two-factor:reset', scrutineer.username, '--as', operator.username]);
		expect(reset.code, reset.stderr).toBe(0);
		expect(reset.stdout).toContain(`two-factor sign-in of ${scrutineer.username} removed`);
		expect(await database.sql`select 1 from two_factor_credential where user_id = ${scrutineer.id}`).toHaveLength(0);
		expect((await visitor.get('/admin')).status).toBe(303); // the session ended
		await signedIn(scrutineer.username); // the password alone signs in again
		const [entry] = await database.sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'two_factor.reset'`;
		expect(entry).toEqual({ actor: operator.id, details: { user: scrutineer.username } });
		expect(cli(['two-factor:reset', scrutineer.username, '--as', operator.username]).code).toBe(1); // nothing left to remove
	});
});
