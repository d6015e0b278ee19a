// A newcomer's first start on a busy machine (issue 19): the embedded PostgreSQL comes up although
// the port it chose was taken, recovers after its previous server was killed, and when it cannot
// start at all `npm start` and the CLI say why (the explanation and PostgreSQL's own log lines)
// and exit with code 1.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/lib/server/db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/server/db/embedded';
import { choosePort, EmbeddedPostgresStartError } from '../../src/lib/server/db/embedded-start';
import { runCli } from '../helpers/cli';

let scratch: string;
const started: EmbeddedDatabase[] = [];

beforeAll(async () => {
	scratch = await mkdtemp(path.join(tmpdir(), 'piaojue-embedded-start-'));
	// As root, PostgreSQL runs as the 'postgres' user, which must pass through this folder to the data roots in it.
	await chmod(scratch, 0o711);
});
afterEach(async () => {
	for (const server of started.splice(0)) await server.stop().catch(() => {});
});
afterAll(async () => {
	await rm(scratch, { recursive: true, force: true });
});

async function answers(url: string): Promise<number> {
	const sql = createSql(url, { max: 1 });
	try {
		const [row] = await sql<{ answer: number }[]>`select 42 as answer`;
		return row!.answer;
	} finally {
		await sql.end();
	}
}

function portOf(url: string): number {
	return Number(new URL(url).port);
}

function holdPort(): Promise<{ server: Server; port: number }> {
	return new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
	});
}

/** Runs a script as a newcomer would (`npm start`, `npm run cli`), with the data in `dataRoot`. */
function runScript(
	script: string,
	args: string[],
	dataRoot: string,
	lang: string
): Promise<{ code: number | null; output: string }> {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PIAOJUE_DATA_DIR: dataRoot,
		PIAOJUE_SKIP_BUILD: '1',
		LANG: lang,
		LC_ALL: '',
		LC_MESSAGES: ''
	};
	delete env.DATABASE_URL;
	const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', script, ...args], {
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk));
	return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('the embedded PostgreSQL on a busy machine', () => {
	it('comes up on another port when the port it chose is taken before it binds, and says which', async () => {
		const occupied = await holdPort();
		const notices: string[] = [];
		let choices = 0;
		try {
			const server = await startEmbeddedPostgres(path.join(scratch, 'port'), () => {}, {
				// The first choice is the port this test listens on (what another program did between
				// the choice and PostgreSQL's bind); later choices are the module's own.
				pickPort: async () => (choices++ === 0 ? occupied.port : choosePort()),
				notice: (line) => notices.push(line),
				locale: 'en'
			});
			started.push(server);
			expect(portOf(server.url)).not.toBe(occupied.port);
			expect(await answers(server.url)).toBe(42);
			expect(notices.join('\n')).toContain(
				`Port ${occupied.port} was taken before PostgreSQL could listen on it; trying port ${portOf(server.url)}.`
			);
			expect(notices.join('\n')).toContain(`listens on 127.0.0.1:${portOf(server.url)}`);
		} finally {
			occupied.server.close();
		}
	});

	it('explains a port that stays taken, with the server’s own log lines', async () => {
		const occupied = await holdPort();
		try {
			const failure = await startEmbeddedPostgres(path.join(scratch, 'port-taken'), () => {}, {
				pickPort: async () => occupied.port,
				notice: () => {},
				locale: 'zh-CN'
			}).catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(EmbeddedPostgresStartError);
			const report = (failure as EmbeddedPostgresStartError).report('zh-CN');
			expect((failure as EmbeddedPostgresStartError).reason).toBe('port_in_use');
			expect(report).toContain(`端口 ${occupied.port} 已被其他程序占用（已尝试 5 个端口）`);
			expect(report).toContain('Address already in use');
		} finally {
			occupied.server.close();
		}
	});

	it('starts after its previous postmaster was killed, removing only the stale lock, with the data kept', async () => {
		const dataRoot = path.join(scratch, 'killed');
		const first = await startEmbeddedPostgres(dataRoot, () => {}, { notice: () => {} });
		const sql = createSql(first.url, { max: 1 });
		await sql`create table kept (note text)`;
		await sql`insert into kept values ('written before the kill')`;
		await sql.end();
		const pidFile = path.join(dataRoot, 'postgres', 'postmaster.pid');
		const killedPid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
		process.kill(killedPid, 'SIGKILL');
		first.detach();

		const notices: string[] = [];
		const second = await startEmbeddedPostgres(dataRoot, () => {}, {
			notice: (line) => notices.push(line),
			locale: 'en'
		});
		started.push(second);
		expect(second.owned).toBe(true);
		expect(notices.join('\n')).toContain(
			`was not stopped cleanly last time (its process ${killedPid} no longer runs): its stale lock file postmaster.pid is removed`
		);
		const after = createSql(second.url, { max: 1 });
		try {
			expect(await after`select note from kept`).toEqual([{ note: 'written before the kill' }]);
		} finally {
			await after.end();
		}
	});

	it('does not mistake a postmaster.pid whose pid now belongs to another program for a running server', async () => {
		const dataRoot = path.join(scratch, 'reused-pid');
		const first = await startEmbeddedPostgres(dataRoot, () => {}, { notice: () => {} });
		await first.stop();
		// A lock file as a killed server leaves it, naming a live process that is not PostgreSQL (this test).
		const pidFile = path.join(dataRoot, 'postgres', 'postmaster.pid');
		await writeFile(pidFile, `${process.pid}\n${path.join(dataRoot, 'postgres')}\n0\n1\n\n127.0.0.1\n0 0\nready\n`);
		const notices: string[] = [];
		const second = await startEmbeddedPostgres(dataRoot, () => {}, {
			notice: (line) => notices.push(line),
			locale: 'en'
		});
		started.push(second);
		expect(second.owned).toBe(true);
		expect(portOf(second.url)).not.toBe(1);
		expect(await answers(second.url)).toBe(42);
		expect(notices.join('\n')).toContain(`its process ${process.pid} no longer runs`);
	});
});

describe('a data directory PostgreSQL cannot use', () => {
	let dataRoot: string;

	beforeAll(async () => {
		// A real data directory, then made unusable: PostgreSQL refuses a data directory that others may read.
		dataRoot = path.join(scratch, 'unusable');
		const server = await startEmbeddedPostgres(dataRoot, () => {}, { notice: () => {} });
		await server.stop();
		await chmod(path.join(dataRoot, 'postgres'), 0o777);
	});

	it('makes npm start explain why, show PostgreSQL’s log lines and exit with code 1', async () => {
		const { code, output } = await runScript('scripts/start.ts', [], dataRoot, 'en_US.UTF-8');
		expect(code).toBe(1);
		expect(output).toContain(
			`npm start failed: The embedded PostgreSQL did not start: PostgreSQL cannot use its data directory ${path.join(dataRoot, 'postgres')}`
		);
		expect(output).toContain("The last lines of PostgreSQL's log:");
		expect(output).toMatch(/FATAL: +data directory ".*" has invalid permissions/);
		expect(output).not.toContain('TypeError');
	});

	it('makes the CLI say the same in Chinese under a Chinese locale, exit code 1', () => {
		const { code, stderr } = runCli(['migrate'], {
			env: { DATABASE_URL: undefined, PIAOJUE_DATA_DIR: dataRoot, LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
		});
		expect(code).toBe(1);
		expect(stderr).toContain(
			`内置 PostgreSQL 未能启动：PostgreSQL 无法使用数据目录 ${path.join(dataRoot, 'postgres')}`
		);
		expect(stderr).toContain('PostgreSQL 日志的最后几行：');
		expect(stderr).toMatch(/has invalid permissions/);
	});
});
