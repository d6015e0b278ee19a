// Verifying a mobile number over real HTTP against the built app, with each SMS sender:
// `console` (the default: the code in the server log, the number masked) and `http` (a signed JSON
// message POSTed to a receiver this test starts on 127.0.0.1). A phone-verified round tells an
// unverified resident how to verify and refuses their supports until they have.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRound } from '../../src/lib/server/residents/selection';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, TEST_PASSWORD } from '../helpers/factory';

const SECRET = 'the shared secret of the SMS adapter';
const database = useTestDatabase();
let consoleApp: RunningApp;
let httpApp: RunningApp;
let receiver: Server;
let receiverAnswers = 200;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let candidateIds: number[];
let roundId: number;

async function signedIn(app: RunningApp, username: string, address: string): Promise<Visitor> {
	const client = new Visitor(app.baseUrl, { 'x-forwarded-for': address });
	expect((await client.signIn(username, TEST_PASSWORD)).status).toBe(303);
	return client;
}

beforeAll(async () => {
	receiver = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			received.push({ headers: request.headers, body });
			response.writeHead(receiverAnswers).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	const port = (receiver.address() as { port: number }).port;
	const proxy = { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' };
	consoleApp = await startApp(database.url, proxy);
	httpApp = await startApp(database.url, {
		...proxy,
		SMS_PROVIDER: 'http',
		SMS_HTTP_URL: `http://127.0.0.1:${port}/sms`,
		SMS_HTTP_SECRET: SECRET
	});
	const staff = await createUser(database.sql, ['staff'], 'staff');
	candidateIds = await createCandidates(database.sql, 4);
	const round = await createRound(
		database.sql,
		{
			title: '需验证手机号的网上评选',
			opensAt: new Date(Date.now() - 60_000),
			closesAt: new Date(Date.now() + 3_600_000),
			maxSupports: 2,
			liveRanking: true,
			candidateIds
		},
		staff.id
	);
	roundId = (round as { id: number }).id;
});
afterAll(async () => {
	await consoleApp?.stop();
	await httpApp?.stop();
	await new Promise((resolve) => receiver?.close(resolve));
});

describe('SMS verification over HTTP', () => {
	it('console sender: the round asks to verify, the code comes from the server log, then supports are taken', async () => {
		const resident = await createUser(database.sql, ['resident'], 'phone');
		const client = await signedIn(consoleApp, resident.username, '192.0.2.10');
		const roundPage = await (await client.get(`/selection/${roundId}`)).text();
		expect(roundPage).toContain('本轮仅限已验证手机号的居民参与，您的手机号尚未验证。');
		expect(roundPage).toContain(`href="/me/verify?redirectTo=%2Fselection%2F${roundId}"`);
		const refused = await client.post(`/selection/${roundId}`, [['candidate', String(candidateIds[0])]]);
		expect(refused.status).toBe(403);
		expect(await refused.text()).toContain('本轮仅限已验证手机号的居民参与');
		expect(await database.sql`select 1 from selection_support where resident_id = ${resident.id}`).toHaveLength(0);

		const verifyPath = `/me/verify?redirectTo=%2Fselection%2F${roundId}`;
		const form = await (await client.get(verifyPath)).text();
		expect(form).toContain('我们收集：您的手机号码，加密保存');
		expect(form).toContain('2026-01-mobile-v1');
		const noConsent = await client.post(`${verifyPath.replace('?', '?/send&')}`, { mobile: '13812341234' });
		expect(noConsent.status).toBe(400);
		expect(await noConsent.text()).toContain('请阅读个人信息处理说明并勾选同意');
		const sent = await client.post(verifyPath.replace('?', '?/send&'), { mobile: '138 1234 1234', consent: 'yes' });
		expect(sent.status).toBe(200);
		expect(await sent.text()).toContain('验证码已发送至 138****1234');
		const logged = /SMS code (\d{6}) to 138\*\*\*\*1234/.exec(consoleApp.log());
		expect(logged).not.toBeNull();
		expect(consoleApp.log()).not.toContain('13812341234');

		const wrong = await client.post(verifyPath.replace('?', '?/confirm&'), {
			code: logged![1] === '000000' ? '999999' : '000000'
		});
		expect(wrong.status).toBe(400);
		expect(await wrong.text()).toContain('验证码不正确，还可尝试 4 次');
		const right = await client.post(verifyPath.replace('?', '?/confirm&'), { code: logged![1]! });
		expect(right.status).toBe(303);
		expect(right.headers.get('location')).toBe(`/selection/${roundId}`);
		// The resident sees their number in full; nobody else does.
		expect(await (await client.get('/me')).text()).toContain('13812341234');

		const supported = await client.post(`/selection/${roundId}`, [['candidate', String(candidateIds[0])]]);
		expect(supported.status).toBe(303);
		const [participant] = await database.sql<{ prefix: string; agent: string | null }[]>`
			select host(address_prefix) || '/' || masklen(address_prefix) as prefix, user_agent as agent
			from selection_participant where round_id = ${roundId} and resident_id = ${resident.id}`;
		expect(participant!.prefix).toBe('192.0.2.0/24'); // the /24, never the address
	});

	it('http sender: POSTs a signed JSON message to the gateway adapter; a failing gateway keeps nothing', async () => {
		const resident = await createUser(database.sql, ['resident'], 'gateway');
		const client = await signedIn(httpApp, resident.username, '192.0.2.20');
		const sent = await client.post('/me/verify?/send', { mobile: '13987654321', consent: 'yes' });
		expect(sent.status).toBe(200);
		expect(received).toHaveLength(1);
		const message = received[0]!;
		const timestamp = String(message.headers['x-piaojue-timestamp']);
		expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
		const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${message.body}`).digest('hex')}`;
		expect(message.headers['x-piaojue-signature']).toBe(expected);
		expect(message.headers['content-type']).toBe('application/json');
		const body = JSON.parse(message.body) as {
			to: string;
			code: string;
			text: string;
			expiresInSeconds: number;
			id: string;
		};
		expect(body).toMatchObject({ to: '13987654321', expiresInSeconds: 300 });
		expect(body.code).toMatch(/^\d{6}$/);
		expect(body.text).toContain(body.code);
		expect(httpApp.log()).not.toContain(body.code);
		const right = await client.post('/me/verify?/confirm', { code: body.code });
		expect(right.status).toBe(303);
		expect(right.headers.get('location')).toBe('/me/verify?verified=1');

		receiverAnswers = 500;
		const other = await createUser(database.sql, ['resident'], 'gateway');
		const otherClient = await signedIn(httpApp, other.username, '192.0.2.21');
		const failed = await otherClient.post('/me/verify?/send', { mobile: '13911112222', consent: 'yes' });
		expect(failed.status).toBe(503);
		expect(await failed.text()).toContain('短信暂时无法发送');
		expect(await database.sql`select 1 from mobile_verification_code where user_id = ${other.id}`).toHaveLength(0);
		receiverAnswers = 200;
	});
});

describe('the app’s scheduler', () => {
	it('removes unverified accounts with no activity after the configured period', async () => {
		const [idle, verifiedOld] = [
			await createUser(database.sql, ['resident'], 'idle'),
			await createUser(database.sql, ['resident'], 'kept')
		];
		await database.sql`
			insert into resident_profile (user_id, registered_at, last_active_at)
			values (${idle.id}, now() - interval '40 days', now() - interval '40 days'),
			       (${verifiedOld.id}, now() - interval '40 days', now() - interval '40 days')`;
		await database.sql`update resident_profile set identity_verified_at = now() where user_id = ${verifiedOld.id}`;
		const app = await startApp(database.url, {
			PIAOJUE_INACTIVE_ACCOUNT_DAYS: '30',
			PIAOJUE_HOUSEKEEPING_INTERVAL_SECONDS: '1'
		});
		try {
			await expect
				.poll(async () => (await database.sql`select 1 from app_user where id = ${idle.id}`).length, {
					timeout: 15_000,
					interval: 200
				})
				.toBe(0);
			await expect
				.poll(() => app.log(), { timeout: 5_000 })
				.toMatch(/removed \d+ unverified resident accounts inactive for 30 days/);
			expect(await database.sql`select 1 from app_user where id = ${verifiedOld.id}`).toHaveLength(1);
		} finally {
			await app.stop();
		}
	});
});
