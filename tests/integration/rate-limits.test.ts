// Abuse that needs no account (issue 12, items 8 and 9), over real HTTP with client addresses from a
// header. Item 8: a stranger's wrong passwords no longer lock the owner out: the back-off is kept
// per account and address, a right password from an address without failures goes through, and
// the slower limit per account never refuses a right password for more than a minute. Item 9:
// limits take their token and decide in one statement under the row lock, so a burst of 100
// parallel requests gets exactly the allowance, not all of it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	LOGIN_ACCOUNT_GLOBAL_POLICY,
	LOGIN_ADDRESS_POLICY,
	loginAccountAddressKey,
	loginAccountKey
} from '../../src/lib/server/auth/rate-limit';
import { ACCESS_CODE_ADDRESS_POLICY } from '../../src/lib/server/electorate/access-codes';
import { REGISTRATION_WITHOUT_PROOF_POLICY } from '../../src/lib/server/residents/accounts';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, TEST_PASSWORD } from '../helpers/factory';

const database = useTestDatabase({ max: 20 });
let app: RunningApp;
let addressCounter = 0;

beforeAll(async () => {
	app = await startApp(database.url, { ADDRESS_HEADER: 'x-real-ip', DATABASE_POOL_SIZE: '20' });
});
afterAll(async () => {
	await app?.stop();
});

function freshAddress(): string {
	addressCounter += 1;
	return `198.51.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`;
}

const visitorFrom = (address: string) => new Visitor(app.baseUrl, { 'x-real-ip': address });

async function tryPassword(address: string, username: string, password: string): Promise<number> {
	return (await visitorFrom(address).post('/login', { username, password })).status;
}

function count(statuses: number[], status: number): number {
	return statuses.filter((value) => value === status).length;
}

describe('item 8: nobody locks an account out from elsewhere', () => {
	it('lets the owner in with the right password while a stranger is locked out of guessing', async () => {
		const owner = await createUser(database.sql, ['staff'], 'owner');
		const stranger = freshAddress();
		const guesses: number[] = [];
		for (let attempt = 0; attempt < 10; attempt += 1)
			guesses.push(await tryPassword(stranger, owner.username, `guess ${attempt}`));
		expect(guesses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
		expect(guesses.slice(5)).toEqual([429, 429, 429, 429, 429]);
		// The stranger waits even with the right password; the owner, at another address, does not.
		expect(await tryPassword(stranger, owner.username, TEST_PASSWORD)).toBe(429);
		expect(await tryPassword(freshAddress(), owner.username, TEST_PASSWORD)).toBe(303);
	});

	it('slows guessing from many addresses with a limit per account that refuses a right password for a minute at most', async () => {
		const owner = await createUser(database.sql, ['delegate'], 'owner');
		// A guess from each of many addresses: each address is new, so each is tried …
		const spread: number[] = [];
		for (let index = 0; index < LOGIN_ACCOUNT_GLOBAL_POLICY.capacity + 5; index += 1)
			spread.push(await tryPassword(freshAddress(), owner.username, `spread guess ${index}`));
		expect(count(spread, 400)).toBe(spread.length);
		// … but an address that has already failed on this account now waits for the account's limit.
		const typo = freshAddress();
		expect(await tryPassword(typo, owner.username, 'a typo')).toBe(400);
		const refused = await visitorFrom(typo).post('/login', { username: owner.username, password: TEST_PASSWORD });
		expect(refused.status).toBe(429);
		const [bucket] = await database.sql<{ wait: number }[]>`
			select extract(epoch from blocked_until - now())::float8 as wait from rate_limit_bucket where key = ${loginAccountKey(owner.username)}`;
		expect(bucket!.wait).toBeGreaterThan(0);
		expect(bucket!.wait).toBeLessThanOrEqual(60);
		// A minute later (simulated) the right password goes through, and clears that address's failures.
		await database.sql`update rate_limit_bucket set blocked_until = now() where key = ${loginAccountKey(owner.username)}`;
		expect(await tryPassword(typo, owner.username, TEST_PASSWORD)).toBe(303);
		const [cleared] = await database.sql<{ rows: number }[]>`
			select count(*)::int as rows from rate_limit_bucket where key = ${loginAccountAddressKey(owner.username, typo)}`;
		expect(cleared!.rows).toBe(0);
		// A right password from an address without failures is never held by the account's limit.
		await database.sql`update rate_limit_bucket set blocked_until = now() + interval '1 minute' where key = ${loginAccountKey(owner.username)}`;
		expect(await tryPassword(freshAddress(), owner.username, TEST_PASSWORD)).toBe(303);
	});
});

describe('item 9: a burst of 100 parallel requests gets the allowance, not more', () => {
	// Sent without the proof of work (a script, or a browser without JavaScript), the stricter of
	// registration's two allowances applies: 3 accounts per address, not 100.
	it('creates 3 resident accounts from one address without the proof of work, not 100', async () => {
		const address = freshAddress();
		const prefix = `burst_${randomBytes(3).toString('hex')}`;
		const statuses = await Promise.all(
			Array.from({ length: 100 }, async (_, index) => {
				const response = await visitorFrom(address).post('/register', {
					username: `${prefix}_${index}`,
					displayName: `居民${index}`,
					password: 'a resident passphrase',
					passwordConfirm: 'a resident passphrase',
					consent: 'yes'
				});
				return response.status;
			})
		);
		expect(count(statuses, 303)).toBe(REGISTRATION_WITHOUT_PROOF_POLICY.capacity);
		expect(count(statuses, 429)).toBe(100 - REGISTRATION_WITHOUT_PROOF_POLICY.capacity);
		const [created] = await database.sql<{ accounts: number }[]>`
			select count(*)::int as accounts from app_user where username like ${`${prefix}_%`}`;
		expect(created!.accounts).toBe(REGISTRATION_WITHOUT_PROOF_POLICY.capacity);
	});

	it('tries 30 wrong access codes from one address, not 100', async () => {
		const address = freshAddress();
		const statuses = await Promise.all(
			Array.from(
				{ length: 100 },
				async () => (await visitorFrom(address).post('/login/code?/check', { code: 'ABCD-EFGH-JKMN-PQRS' })).status
			)
		);
		expect(count(statuses, 400)).toBe(ACCESS_CODE_ADDRESS_POLICY.capacity);
		expect(count(statuses, 429)).toBe(100 - ACCESS_CODE_ADDRESS_POLICY.capacity);
	});

	it('tries 50 wrong passwords from one address, not 100, spread over many accounts', async () => {
		const address = freshAddress();
		const statuses = await Promise.all(
			Array.from({ length: 100 }, (_, index) =>
				tryPassword(address, `nobody_${index}_${randomBytes(3).toString('hex')}`, 'a wrong password')
			)
		);
		expect(count(statuses, 400)).toBe(LOGIN_ADDRESS_POLICY.capacity);
		expect(count(statuses, 429)).toBe(100 - LOGIN_ADDRESS_POLICY.capacity);
	});
});
