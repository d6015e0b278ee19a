// The benchmark's check of the programs its scenarios start (issue 19).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, preflight } from '../../bench/harness/preflight';

const withNginx = mkdtempSync(path.join(tmpdir(), 'piaojue-preflight-'));
writeFileSync(path.join(withNginx, 'nginx'), '#!/bin/sh\n', { mode: 0o755 });
const withoutNginx = mkdtempSync(path.join(tmpdir(), 'piaojue-preflight-'));
writeFileSync(path.join(withoutNginx, 'nginx'), 'not executable', { mode: 0o644 });
// openssl is there in both.
for (const directory of [withNginx, withoutNginx])
	writeFileSync(path.join(directory, 'openssl'), '#!/bin/sh\n', { mode: 0o755 });
afterAll(() => {
	rmSync(withNginx, { recursive: true, force: true });
	rmSync(withoutNginx, { recursive: true, force: true });
});

const names = { scaleout: '6 scale-out', storm444: '1 vote storm (444)', province: '8 province' };

describe('the benchmark preflight', () => {
	it('finds only executable programs on PATH', () => {
		expect(findOnPath('nginx', `${withoutNginx}:${withNginx}`)).toBe(path.join(withNginx, 'nginx'));
		expect(findOnPath('nginx', withoutNginx)).toBeNull();
	});

	it('skips the scenarios whose program is missing, says what to install, and leaves the others', () => {
		const checked = preflight(() => true, names, withoutNginx);
		expect([...checked.skipped.keys()]).toEqual(['scaleout', 'province']);
		expect(checked.skipped.get('scaleout')).toBe('nginx is not installed (apt-get install nginx)');
		expect(checked.messages).toEqual([
			'nginx is not installed: install it with `apt-get install nginx` to run scenario 6 scale-out, scenario 8 province; they are skipped in this run, the others run.'
		]);
		// A run that does not ask for the province scenario names only the scale-out.
		expect(preflight((key) => key !== 'province', names, withoutNginx).messages).toEqual([
			'nginx is not installed: install it with `apt-get install nginx` to run scenario 6 scale-out; it is skipped in this run, the others run.'
		]);
	});

	it('says nothing when the program is there or no scenario that needs it runs', () => {
		expect(preflight(() => true, names, withNginx).messages).toEqual([]);
		expect(preflight((key) => key === 'storm444', names, withoutNginx).messages).toEqual([]);
	});
});
