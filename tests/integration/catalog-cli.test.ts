// `catalog:import FILE` as an operator runs it: a report on standard error and exit code 1 when
// anything is wrong (nothing written), counts and exit code 0 when the file is imported.
import { runCli } from '../helpers/cli';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/factory';
import { useTestDatabase } from '../helpers/suite';

const database = useTestDatabase();
let directory: string;
beforeAll(async () => {
	directory = mkdtempSync(path.join(tmpdir(), 'piaojue-catalog-'));
});
afterAll(async () => {
	rmSync(directory, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { databaseUrl: database.url });

function file(name: string, text: string): string {
	const target = path.join(directory, name);
	writeFileSync(target, text);
	return target;
}

describe('catalog:import', () => {
	it('reports problems in English and writes nothing, then imports a good file under the staff member named', async () => {
		const staff = await createUser(database.sql, ['staff'], 'staff');
		const bad = cli(['catalog:import', file('bad.csv', '方面,项目名称,估算投资（元）\n养老服务,新建养老院,很多\n')]);
		expect(bad.code).toBe(1);
		expect(bad.stderr).toContain('nothing was written');
		expect(bad.stderr).toContain('row 2 (估算投资（元）): Enter the budget as a whole number of yuan');
		expect((await database.sql`select 1 from candidate`).length).toBe(0);

		expect(cli(['catalog:import']).code).toBe(2);
		expect(cli(['catalog:import', file('x.csv', 'category,title\nA,B\n'), '--as', 'nobody_here']).code).toBe(2);

		const good = cli([
			'catalog:import',
			file('good.csv', '\uFEFF方面,项目名称\r\n养老服务,新建养老院\r\n养老服务,改造敬老院\r\n'),
			'--as',
			staff.username
		]);
		expect(good.stderr).toBe('');
		expect(good.code).toBe(0);
		expect(good.stdout).toContain(
			'catalog imported: 2 rows; 1 categories created; candidates 2 created, 0 updated, 0 unchanged'
		);
		const [audit] = await database.sql<{ actorUserId: number; details: { source: string } }[]>`
			select actor_user_id as "actorUserId", details from audit_entry where action = 'catalog.imported'`;
		expect(audit).toMatchObject({ actorUserId: staff.id, details: { source: 'good.csv' } });
	});
});
