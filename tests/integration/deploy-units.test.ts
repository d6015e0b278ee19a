// The systemd units an operator copies from deploy/systemd (issue 18, README "Deploying"): systemd's
// own checker accepts each of them (an instance of piaojue@.service as systemctl would name it),
// what they start is in a built release, and the shared environment file sets what the app reads
// behind nginx. systemd itself is not started here (the units run as an operator's services);
// nginx with the site file and the instances is tests/integration/nginx.test.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedEnvironment } from '../../bench/harness/nginx-site';
import { findOnPath } from '../../bench/harness/preflight';

const UNITS = path.resolve('deploy/systemd');
let scratch: string;

beforeAll(() => {
	if (!findOnPath('systemd-analyze'))
		throw new Error(
			'systemd-analyze is not installed: apt-get install systemd (this test checks deploy/systemd; .ci/run installs it)'
		);
	scratch = mkdtempSync(path.join(tmpdir(), 'piaojue-units-'));
});

afterAll(() => {
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function unitFiles(): string[] {
	return readdirSync(UNITS).filter((name) => /\.(service|timer)$/.test(name));
}

describe('the deployed systemd units', () => {
	it('pass systemd-analyze verify, the instance template as piaojue@3001', () => {
		const names = unitFiles();
		expect(names.sort()).toEqual([
			'piaojue-backup.service',
			'piaojue-backup.timer',
			'piaojue-migrate.service',
			'piaojue@.service'
		]);
		const copies = names.map((name) => {
			const copy = path.join(scratch, name.replace('@.service', '@3001.service'));
			copyFileSync(path.join(UNITS, name), copy);
			return copy;
		});
		// The checker proves it looks: a unit with a wrong setting fails.
		const broken = path.join(scratch, 'broken.service');
		copyFileSync(path.join(UNITS, 'piaojue-migrate.service'), broken);
		writeFileSync(broken, readFileSync(broken, 'utf8').replace('ExecStart=/usr/bin/node', 'ExecStart=node-relative'));
		const refused = spawnSync('systemd-analyze', ['verify', '--man=no', broken], { encoding: 'utf8' });
		expect(refused.status).not.toBe(0);
		expect(refused.stderr).toMatch(/ExecStart|executable/);

		const checked = spawnSync('systemd-analyze', ['verify', '--man=no', ...copies], { encoding: 'utf8' });
		expect(checked.stderr).toBe('');
		expect(checked.status).toBe(0);
	});

	it('start what a built release holds, as the service user, with the shared environment file', () => {
		const units = Object.fromEntries(unitFiles().map((name) => [name, readFileSync(path.join(UNITS, name), 'utf8')]));
		const started = Object.values(units).flatMap((text) =>
			[...text.matchAll(/\/usr\/bin\/node ([\w./-]+\.js)/g)].map((match) => match[1]!)
		);
		expect(new Set(started)).toEqual(new Set(['build/index.js', 'scripts/run-cli.js']));
		for (const script of started) expect(existsSync(path.resolve(script)), script).toBe(true);
		for (const name of ['piaojue@.service', 'piaojue-migrate.service', 'piaojue-backup.service']) {
			expect(units[name]).toContain('EnvironmentFile=/etc/piaojue/piaojue.env');
			expect(units[name]).toMatch(/^User=piaojue$/m);
		}
		// Only the migration and backup units see the owner's URL.
		expect(units['piaojue@.service']).not.toContain('owner.env');
		expect(units['piaojue-migrate.service']).toContain('EnvironmentFile=/etc/piaojue/owner.env');
		expect(units['piaojue-backup.service']).toContain('EnvironmentFile=/etc/piaojue/owner.env');
		expect(units['piaojue-backup.timer']).toMatch(/^OnCalendar=/m);
	});

	it('share an environment file that keeps the instances on 127.0.0.1 behind nginx, with no real secret in it', () => {
		const settings = deployedEnvironment();
		expect(settings).toMatchObject({
			NODE_ENV: 'production',
			HOST: '127.0.0.1',
			ADDRESS_HEADER: 'X-Forwarded-For',
			XFF_DEPTH: '1',
			BODY_SIZE_LIMIT: '21M'
		});
		for (const secret of ['PIAOJUE_TOTP_KEY', 'PIAOJUE_METRICS_TOKEN', 'SMS_HTTP_SECRET'])
			expect(settings[secret], secret).toBe('CHANGE-ME');
		expect(settings.DATABASE_URL).toContain(':CHANGE-ME@');
		// Codes go to the SMS gateway, never to the journal (the console sender is for demos).
		expect(settings.SMS_PROVIDER).toBe('http');
		expect(settings).not.toHaveProperty('DATABASE_OWNER_URL');
		const owner = deployedEnvironment(path.join(UNITS, 'owner.env'));
		expect(Object.keys(owner)).toEqual(['DATABASE_OWNER_URL']);
	});
});
