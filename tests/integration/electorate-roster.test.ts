// The delegate roster against a real database: import (Chinese or English headings, with or
// without a BOM), re-import that updates without duplicating, all-or-nothing with a per-row
// report, usernames from delegate numbers, and disabling a delegate.
import { beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../src/lib/server/auth/login';
import { validateSessionToken } from '../../src/lib/server/auth/session';
import { importRosterFile, listRoster, setDelegateDisabled } from '../../src/lib/server/electorate/roster';
import { useTestDatabase } from '../helpers/suite';
import { createUser, TEST_PASSWORD } from '../helpers/factory';

const database = useTestDatabase();
let staff: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
});

const encoder = new TextEncoder();
const BOM = '\uFEFF';
const bytes = (text: string) => encoder.encode(text);

interface DelegateRow {
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string;
	phone: string | null;
	passwordHash: string | null;
	roles: string[];
}

async function delegatesByNumber(numbers: string[]): Promise<DelegateRow[]> {
	return database.sql<DelegateRow[]>`
		select u.username, u.display_name as "displayName", u.delegation, u.delegate_number as "delegateNumber", u.phone,
		       u.password_hash as "passwordHash", array(select r.role from user_role r where r.user_id = u.id order by r.role) as roles
		from app_user u where u.delegate_number = any(${numbers}::text[]) order by u.delegate_number`;
}

async function auditCount(action: string): Promise<number> {
	const [row] = await database.sql<
		{ count: number }[]
	>`select count(*)::int as count from audit_entry where action = ${action}`;
	return row?.count ?? 0;
}

async function userCount(): Promise<number> {
	const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from app_user`;
	return row?.count ?? 0;
}

describe('importing the roster', () => {
	it('creates delegates from a UTF-8 file with a BOM and Chinese headings, without passwords', async () => {
		const file = `${BOM}序号,姓名,代表团,代表证号,电话\r\n1,王芳,椒江区代表团,R001,13800000001\r\n2,"李 明",黄岩区代表团,r002,\r\n3,张伟,"路桥区代表团",R003,0576-8888 1234\r\n`;
		const result = await importRosterFile(database.sql, bytes(file), staff.id);
		expect(result).toEqual({ ok: true, created: 3, updated: 0, unchanged: 0 });
		const delegates = await delegatesByNumber(['R001', 'R002', 'R003']);
		expect(delegates).toEqual([
			{
				username: 'dr001',
				displayName: '王芳',
				delegation: '椒江区代表团',
				delegateNumber: 'R001',
				phone: '13800000001',
				passwordHash: null,
				roles: ['delegate']
			},
			{
				username: 'dr002',
				displayName: '李 明',
				delegation: '黄岩区代表团',
				delegateNumber: 'R002',
				phone: null,
				passwordHash: null,
				roles: ['delegate']
			},
			{
				username: 'dr003',
				displayName: '张伟',
				delegation: '路桥区代表团',
				delegateNumber: 'R003',
				phone: '0576-8888 1234',
				passwordHash: null,
				roles: ['delegate']
			}
		]);
		const [entry] = await database.sql<{ actor: number; details: Record<string, number> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'roster.imported' order by seq desc limit 1`;
		expect(entry).toEqual({ actor: staff.id, details: { created: 3, updated: 0, unchanged: 0, rows: 3 } });
	});

	it('updates known delegates on re-import (English headings, no BOM) and never duplicates them', async () => {
		const before = await userCount();
		const file =
			'Delegate Number,Name,Delegation,Phone\nR001,王芳,椒江区代表团,13800000001\nR002,李明,椒江区代表团,13900000002\nR003,张伟,路桥区代表团,\nR004,"陈静, 副团长",温岭市代表团,\n';
		const result = await importRosterFile(database.sql, bytes(file), staff.id);
		expect(result).toEqual({ ok: true, created: 1, updated: 2, unchanged: 1 });
		expect(await userCount()).toBe(before + 1);
		const delegates = await delegatesByNumber(['R001', 'R002', 'R003', 'R004']);
		expect(
			delegates.map((delegate) => [delegate.username, delegate.displayName, delegate.delegation, delegate.phone])
		).toEqual([
			['dr001', '王芳', '椒江区代表团', '13800000001'],
			['dr002', '李明', '椒江区代表团', '13900000002'],
			['dr003', '张伟', '路桥区代表团', null],
			['dr004', '陈静, 副团长', '温岭市代表团', null]
		]);
		// Importing the same file again changes nothing.
		expect(await importRosterFile(database.sql, bytes(file), staff.id)).toEqual({
			ok: true,
			created: 0,
			updated: 0,
			unchanged: 4
		});
		expect(await userCount()).toBe(before + 1);
	});

	it('gives a new delegate a free username when "d" + number is taken by someone else', async () => {
		await createUserNamed('d777');
		const result = await importRosterFile(
			database.sql,
			bytes('姓名,代表团,代表证号\n赵磊,天台县代表团,777\n钱多,天台县代表团,7\n'),
			staff.id
		);
		expect(result).toMatchObject({ ok: true, created: 2 });
		const delegates = await delegatesByNumber(['7', '777']);
		expect(delegates.map((delegate) => delegate.username)).toEqual(['d7_', 'd777-2']);
	});

	it('reports every bad row in one go and writes nothing', async () => {
		const before = { users: await userCount(), imports: await auditCount('roster.imported') };
		const file = [
			'姓名,代表团,代表证号,手机',
			'孙丽,仙居县代表团,R100,13800000100',
			',仙居县代表团,R101,',
			'周强,,R102,',
			'吴敏,仙居县代表团,R 103,',
			'郑涛,仙居县代表团,R100,',
			'冯雪,仙居县代表团,R105,call me',
			'"未闭合,仙居县代表团,R106,'
		].join('\n');
		const result = await importRosterFile(database.sql, bytes(file), staff.id);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems.map((problem) => [problem.row, problem.field, problem.message])).toEqual([
			[3, 'name', 'electorate_roster_name_required'],
			[4, 'delegation', 'electorate_roster_delegation_required'],
			[5, 'delegateNumber', 'electorate_roster_number_format'],
			[6, 'delegateNumber', 'electorate_roster_number_repeated'],
			[7, 'phone', 'electorate_roster_phone_format'],
			[8, null, 'catalog_csv_unterminated_quote']
		]);
		expect(result.problems.find((problem) => problem.row === 6)?.values).toEqual({ number: 'R100', row: 2 });
		expect(await userCount()).toBe(before.users);
		expect(await auditCount('roster.imported')).toBe(before.imports);
		expect(await delegatesByNumber(['R100'])).toEqual([]);
	});

	it('names a missing column, a file that is not UTF-8, an empty file and one too large', async () => {
		const missing = await importRosterFile(database.sql, bytes('姓名,代表证号\n王五,R200\n'), staff.id);
		expect(missing).toEqual({
			ok: false,
			problems: [{ row: 1, field: 'delegation', message: 'electorate_roster_missing_column' }]
		});
		// "姓名" in GBK, as a spreadsheet saved as plain "CSV" on a Chinese Windows writes it.
		const gbk = await importRosterFile(database.sql, Uint8Array.from([0xd0, 0xd5, 0xc3, 0xfb, 0x0a]), staff.id);
		expect(gbk.ok === false && gbk.problems.map((problem) => problem.message)).toEqual(['catalog_csv_not_utf8']);
		const headingOnly = await importRosterFile(database.sql, bytes('name,delegation,delegate number\n'), staff.id);
		expect(headingOnly.ok === false && headingOnly.problems.map((problem) => problem.message)).toEqual([
			'electorate_roster_no_rows'
		]);
		const large = await importRosterFile(
			database.sql,
			bytes(`name,delegation,delegate number\n${'王,团,1\n'.repeat(40_000)}`),
			staff.id
		);
		expect(large.ok === false && large.problems.map((problem) => problem.message)).toEqual([
			'electorate_roster_too_large'
		]);
	});
});

async function createUserNamed(username: string): Promise<void> {
	await database.sql`insert into app_user (username, display_name) values (${username}, ${username})`;
}

describe('the roster list', () => {
	it('finds delegates by name, number or delegation, a page at a time', async () => {
		expect(
			(await listRoster(database.sql, { query: '王芳' })).delegates.map((delegate) => delegate.delegateNumber)
		).toEqual(['R001']);
		expect(
			(await listRoster(database.sql, { query: 'r004' })).delegates.map((delegate) => delegate.displayName)
		).toEqual(['陈静, 副团长']);
		expect((await listRoster(database.sql, { query: '椒江区' })).total).toBe(2);
		expect((await listRoster(database.sql, { query: '100%' })).total).toBe(0);
		const all = await listRoster(database.sql);
		expect(all.total).toBe(6);
		expect(all.pageCount).toBe(1);
	});
});

describe('disabling a delegate', () => {
	it('stops sign-in, ends their sessions, and is reversible; both steps are audited', async () => {
		const delegate = await createUser(database.sql, ['delegate'], 'delegate');
		const address = '198.51.100.7';
		const first = await signIn(database.sql, { username: delegate.username, password: TEST_PASSWORD, address });
		expect(first.ok).toBe(true);
		const token = first.ok ? first.token : '';
		expect(await validateSessionToken(database.sql, token)).not.toBeNull();

		expect(
			await setDelegateDisabled(database.sql, { delegateId: delegate.id, disabled: true, actorUserId: staff.id })
		).toEqual({ ok: true, changed: true });
		const [sessions] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from auth_session where user_id = ${delegate.id}`;
		expect(sessions?.count).toBe(0);
		expect(await validateSessionToken(database.sql, token)).toBeNull();
		expect(await signIn(database.sql, { username: delegate.username, password: TEST_PASSWORD, address })).toEqual({
			ok: false,
			reason: 'invalid'
		});

		expect(
			await setDelegateDisabled(database.sql, { delegateId: delegate.id, disabled: false, actorUserId: staff.id })
		).toEqual({ ok: true, changed: true });
		expect((await signIn(database.sql, { username: delegate.username, password: TEST_PASSWORD, address })).ok).toBe(
			true
		);

		const entries = await database.sql<{ action: string; actor: number; details: Record<string, unknown> }[]>`
			select action, actor_user_id as actor, details from audit_entry where action like 'delegate.%' order by seq`;
		expect(entries).toEqual([
			{ action: 'delegate.disabled', actor: staff.id, details: { delegate: delegate.username, delegateNumber: null } },
			{ action: 'delegate.enabled', actor: staff.id, details: { delegate: delegate.username, delegateNumber: null } }
		]);
	});

	it('refuses to disable someone who is not a delegate', async () => {
		expect(
			await setDelegateDisabled(database.sql, { delegateId: staff.id, disabled: true, actorUserId: staff.id })
		).toEqual({ ok: false, error: 'not_found' });
	});
});
