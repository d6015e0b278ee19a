// The operator CLI's roster and access-code commands against a real database.
import { runCli } from '../helpers/cli';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAccessCode } from '../../src/lib/server/electorate/access-codes';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession } from '../helpers/factory';

const database = useTestDatabase();
const directory = mkdtempSync(path.join(tmpdir(), 'piaojue-electorate-cli-'));

const cli = (args: string[]) => runCli(args, { databaseUrl: database.url });

describe('roster:import and codes:issue', () => {
	it('imports a roster file, all or nothing', () => {
		const good = path.join(directory, 'roster.csv');
		writeFileSync(good, '\uFEFF姓名,代表团,代表证号\n黄河,三门县代表团,C001\n长江,三门县代表团,C002\n');
		const imported = cli(['roster:import', good]);
		expect(imported.code).toBe(0);
		expect(imported.stdout).toContain('2 created, 0 updated, 0 unchanged');
		const bad = path.join(directory, 'bad.csv');
		writeFileSync(bad, '姓名,代表团,代表证号\n黄河,三门县代表团,C001\n,三门县代表团,C003\n');
		const refused = cli(['roster:import', bad]);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('row 3 (name): name required');
		expect(cli(['roster:import']).code).toBe(2);
	});

	it('issues codes to a session into a new owner-only file, with a warning, and the codes work', async () => {
		const session = await createVotingSession(database.sql, { delegates: 2, open: false });
		const staff = await createUser(database.sql, ['staff'], 'staff');
		expect(cli(['codes:issue', String(session.id)]).code).toBe(2); // --as is required
		const out = path.join(directory, 'codes.csv');
		const issued = cli(['codes:issue', String(session.id), '--as', staff.username, '--out', out]);
		expect(issued.code, issued.stderr).toBe(0);
		expect(issued.stderr).toContain('WARNING');
		expect(statSync(out).mode & 0o777).toBe(0o600);
		const lines = readFileSync(out, 'utf8')
			.replace(/^\uFEFF/, '')
			.trim()
			.split('\r\n');
		expect(lines[0]).toBe('username,name,code');
		expect(lines).toHaveLength(3);
		for (const line of lines.slice(1)) {
			const code = line.split(',')[2]!;
			expect(await checkAccessCode(database.sql, { code, address: '198.51.100.200' })).toMatchObject({ ok: true });
		}
		// Never over an existing file (it might be another session's codes).
		expect(cli(['codes:issue', String(session.id), '--as', staff.username, '--out', out]).code).toBe(2);
	});
});
