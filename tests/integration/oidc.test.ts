// Sign-in through an OpenID Connect provider, end to end: a real provider (the `oidc-provider`
// package, with its development login and consent pages) runs on 127.0.0.1, the built app is
// configured for it by environment, and a cookie-keeping client walks the flow as a browser does:
// discovery, authorization with PKCE, login, consent, the callback. Tampered callbacks (state,
// nonce, PKCE verifier, a replayed code, no flow cookie) are refused and sign no one in.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, TEST_PASSWORD } from '../helpers/factory';

const CLIENT_ID = 'piaojue-test';
const CLIENT_SECRET = 'a client secret long enough for client_secret_basic';

const database = useTestDatabase();
let app: RunningApp;
let providerServer: Server;
let issuer: string;

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createNetServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
			);
		});
	});
}

/** A browser's cookies and redirects across the app and the provider (cookies per origin; paths ignored). */
class Browser {
	readonly jars = new Map<string, Map<string, string>>();

	jar(url: URL): Map<string, string> {
		let jar = this.jars.get(url.origin);
		if (!jar) this.jars.set(url.origin, (jar = new Map()));
		return jar;
	}

	async request(
		target: string | URL,
		init: { method?: string; form?: Record<string, string> } = {}
	): Promise<Response> {
		const url = new URL(target);
		const jar = this.jar(url);
		const response = await fetch(url, {
			method: init.method ?? (init.form ? 'POST' : 'GET'),
			redirect: 'manual',
			headers: {
				cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
				accept: 'text/html',
				...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin } : {})
			},
			body: init.form ? new URLSearchParams(init.form) : undefined
		});
		for (const cookie of response.headers.getSetCookie()) {
			const [pair = ''] = cookie.split(';');
			const at = pair.indexOf('=');
			const name = pair.slice(0, at).trim();
			const value = pair.slice(at + 1);
			if (value === '' || /max-age=0\b/i.test(cookie) || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
			else jar.set(name, value);
		}
		return response;
	}

	/** Follows redirects (GET) from `target` until `stop` says so or a page answers. */
	async follow(
		target: string | URL,
		stop: (url: URL) => boolean = () => false,
		init: { form?: Record<string, string> } = {}
	) {
		let url = new URL(target);
		let response = await this.request(url, init);
		for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops += 1) {
			url = new URL(response.headers.get('location') ?? '', url);
			if (stop(url)) return { url, response };
			response = await this.request(url);
		}
		return { url, response };
	}
}

/** The form's action and its hidden fields on a provider page. */
function formOf(html: string, base: URL): { action: URL; hidden: Record<string, string> } {
	const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
	if (!action) throw new Error(`no form on the provider's page: ${html.slice(0, 300)}`);
	const hidden: Record<string, string> = {};
	for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
		hidden[name!] = value!;
	return { action: new URL(action.replace(/&amp;/g, '&'), base), hidden };
}

const isCallback = (url: URL) => url.origin === new URL(app.baseUrl).origin && url.pathname === '/login/oidc/callback';

/**
 * Starts the flow at the app and walks login and consent at the provider as `login`; returns the
 * callback URL the provider sent the browser to (not yet visited) and the flow cookie the app set.
 */
async function throughProvider(browser: Browser, login: string): Promise<{ callback: URL; flowCookie: string }> {
	const start = await browser.request(`${app.baseUrl}/login/oidc/start?redirectTo=${encodeURIComponent('/me')}`);
	expect(start.status).toBe(303);
	const authorization = new URL(start.headers.get('location') ?? '');
	expect(authorization.origin).toBe(new URL(issuer).origin);
	expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
	expect(authorization.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
	expect(authorization.searchParams.get('state')).toBeTruthy();
	expect(authorization.searchParams.get('nonce')).toBeTruthy();
	const flowCookie = browser.jar(new URL(app.baseUrl)).get('piaojue_oidc') ?? '';
	expect(flowCookie).not.toBe('');

	let { url, response } = await browser.follow(authorization, isCallback);
	// Login page, then consent page (the development interactions of oidc-provider).
	for (let step = 0; step < 3 && !isCallback(url); step += 1) {
		const html = await response.text();
		const { action, hidden } = formOf(html, url);
		const fields = hidden.prompt === 'login' ? { ...hidden, login, password: 'any' } : hidden;
		({ url, response } = await browser.follow(action, isCallback, { form: fields }));
	}
	expect(isCallback(url)).toBe(true);
	return { callback: url, flowCookie };
}

async function userBoundTo(subject: string) {
	const [row] = await database.sql<{ userId: number; verified: boolean; identityVerified: boolean; roles: string[] }[]>`
		select i.user_id as "userId", i.verified, p.identity_verified_at is not null as "identityVerified",
		       (select array_agg(role) from user_role r where r.user_id = i.user_id) as roles
		from resident_identity i left join resident_profile p on p.user_id = i.user_id
		where i.issuer = ${issuer} and i.subject = ${subject}`;
	return row ?? null;
}

beforeAll(async () => {
	const providerPort = await freePort();
	issuer = `http://127.0.0.1:${providerPort}`;
	app = await startApp(database.url, {
		OIDC_ISSUER: issuer,
		OIDC_CLIENT_ID: CLIENT_ID,
		OIDC_CLIENT_SECRET: CLIENT_SECRET,
		OIDC_VERIFIED_CLAIM: 'real_name_verified'
	});
	const provider = new Provider(issuer, {
		clients: [
			{
				client_id: CLIENT_ID,
				client_secret: CLIENT_SECRET,
				redirect_uris: [`${app.baseUrl}/login/oidc/callback`],
				grant_types: ['authorization_code'],
				response_types: ['code'],
				token_endpoint_auth_method: 'client_secret_basic'
			}
		],
		pkce: { required: () => true },
		claims: { openid: ['sub', 'real_name_verified'] },
		cookies: { keys: ['a test cookie signing key'] },
		features: { devInteractions: { enabled: true } },
		// The subject "unverified" stands for an account the platform has not verified.
		findAccount: async (_context, sub) => ({
			accountId: sub,
			claims: async () => ({ sub, real_name_verified: sub !== 'unverified' })
		})
	});
	providerServer = createServer(provider.callback());
	await new Promise<void>((resolve) => providerServer.listen(providerPort, '127.0.0.1', resolve));
});
afterAll(async () => {
	await app?.stop();
	await new Promise((resolve) => providerServer?.close(resolve));
});

describe('sign-in through an OpenID Connect provider', () => {
	it('offers the identity platform at sign-in and shows what it receives before leaving', async () => {
		expect(await (await fetch(`${app.baseUrl}/login`)).text()).toContain('使用统一身份认证登录');
		const notice = await (await fetch(`${app.baseUrl}/login/oidc`)).text();
		expect(notice).toContain('不获取姓名或证件号码');
		expect(notice).toContain('2026-01-identity-v1');
		expect(notice).toContain('href="/login/oidc/start"');
	});

	it('creates a resident bound to issuer and subject at the first sign-in, and finds it again later', async () => {
		const browser = new Browser();
		const { callback } = await throughProvider(browser, 'resident-alice');
		const done = await browser.request(callback);
		expect(done.status).toBe(303);
		expect(done.headers.get('location')).toBe('/me');
		expect(browser.jar(new URL(app.baseUrl)).has('piaojue_session')).toBe(true);
		expect(browser.jar(new URL(app.baseUrl)).has('piaojue_oidc')).toBe(false); // the flow cookie is used once
		const me = await (await browser.request(`${app.baseUrl}/me`)).text();
		expect(me).toMatch(/统一身份认证<\/dt>\s*<dd>已验证/);
		const bound = await userBoundTo('resident-alice');
		expect(bound).toMatchObject({ verified: true, identityVerified: true, roles: ['resident'] });
		const consents = await database.sql<{ purpose: string }[]>`
			select purpose from personal_data_consent where user_id = ${bound!.userId} order by purpose`;
		expect(consents.map((row) => row.purpose)).toEqual(['identity', 'registration']);

		const again = new Browser();
		const second = await throughProvider(again, 'resident-alice');
		expect((await again.request(second.callback)).status).toBe(303);
		expect((await userBoundTo('resident-alice'))!.userId).toBe(bound!.userId);
		const [count] = await database.sql<
			{ count: number }[]
		>`select count(*)::int from resident_identity where subject = 'resident-alice'`;
		expect(count!.count).toBe(1);
	});

	it('does not count an account the provider has not verified as identity-verified', async () => {
		const browser = new Browser();
		const { callback } = await throughProvider(browser, 'unverified');
		expect((await browser.request(callback)).status).toBe(303);
		expect(await userBoundTo('unverified')).toMatchObject({ verified: false, identityVerified: false });
	});

	it('links the identity to the resident who is signed in', async () => {
		const resident = await createUser(database.sql, ['resident'], 'linker');
		const browser = new Browser();
		expect(
			(
				await browser.request(`${app.baseUrl}/login`, {
					form: { username: resident.username, password: TEST_PASSWORD }
				})
			).status
		).toBe(303);
		const { callback } = await throughProvider(browser, 'resident-bob');
		expect((await browser.request(callback)).status).toBe(303);
		expect(await userBoundTo('resident-bob')).toMatchObject({ userId: resident.id, identityVerified: true });
	});

	it('refuses a tampered or replayed callback and signs no one in', async () => {
		const refused = async (browser: Browser, url: URL) => {
			const response = await browser.request(url);
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe('/login/oidc?failed=flow');
			expect(browser.jar(new URL(app.baseUrl)).has('piaojue_session')).toBe(false);
			const page = await (await browser.request(new URL('/login/oidc?failed=flow', app.baseUrl))).text();
			expect(page).toContain('统一身份认证未完成');
		};
		const withFlow = (browser: Browser, flow: Record<string, string>) =>
			browser.jar(new URL(app.baseUrl)).set('piaojue_oidc', Buffer.from(JSON.stringify(flow)).toString('base64url'));
		const decoded = (cookie: string) =>
			JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as Record<string, string>;

		// The state changed on the way back.
		let browser = new Browser();
		let { callback } = await throughProvider(browser, 'mallory-state');
		callback.searchParams.set('state', 'forged-state');
		await refused(browser, callback);

		// A wrong PKCE verifier (state and nonce right): the provider refuses the code.
		browser = new Browser();
		let flowCookie: string;
		({ callback, flowCookie } = await throughProvider(browser, 'mallory-pkce'));
		withFlow(browser, { ...decoded(flowCookie), codeVerifier: 'x'.repeat(43) });
		await refused(browser, callback);

		// A different nonce than the ID token carries.
		browser = new Browser();
		({ callback, flowCookie } = await throughProvider(browser, 'mallory-nonce'));
		withFlow(browser, { ...decoded(flowCookie), nonce: 'another-nonce' });
		await refused(browser, callback);

		// No flow cookie at all (a callback opened in another browser).
		browser = new Browser();
		({ callback } = await throughProvider(browser, 'mallory-cookie'));
		browser.jar(new URL(app.baseUrl)).delete('piaojue_oidc');
		await refused(browser, callback);

		// A code used twice: the second time, the flow and the code are both spent.
		browser = new Browser();
		({ callback, flowCookie } = await throughProvider(browser, 'mallory-replay'));
		expect((await browser.request(callback)).status).toBe(303);
		const replay = new Browser();
		withFlow(replay, decoded(flowCookie));
		await refused(replay, callback);

		// Each refusal for its own reason (the server log says which check failed).
		// The server writes its log line after the redirect has gone out: wait for it to arrive.
		const loggedRefusals = () =>
			app
				.log()
				.split('\n')
				.filter((line) => line.startsWith('{'))
				.map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '')
				.filter((message) => message.startsWith('OIDC: callback refused'));
		await expect.poll(() => loggedRefusals().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
		const refusals = loggedRefusals();
		expect(refusals).toHaveLength(4); // the fourth case never reached the provider
		expect(refusals[0]).toMatch(/unexpected "state" response parameter value/);
		expect(refusals[1]).toMatch(/invalid_grant/); // the wrong verifier
		expect(refusals[2]).toMatch(/unexpected ID Token "nonce" claim value/);
		expect(refusals[3]).toMatch(/invalid_grant/); // the spent code
		for (const subject of ['mallory-state', 'mallory-pkce', 'mallory-nonce', 'mallory-cookie']) {
			expect(await userBoundTo(subject), subject).toBeNull();
		}
	});
});
