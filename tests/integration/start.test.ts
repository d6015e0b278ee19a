// `npm start` as a newcomer runs it: embedded PostgreSQL in a fresh data folder, demo data,
// sign-in details printed once, a working vote in the browser's terms, a clean stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/lib/server/db/client';
import { Visitor } from '../helpers/app';

const ADMIN_PASSWORD = 'a newcomer admin password';
let dataDir: string;
let port: number;

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

function start(): { child: ChildProcess; output: () => string; ready: Promise<void>; exited: Promise<number | null> } {
	// `npm test` has just built the app; others may be editing sources while tests run.
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PIAOJUE_DATA_DIR: dataDir,
		PORT: String(port),
		ADMIN_PASSWORD,
		PIAOJUE_SKIP_BUILD: '1'
	};
	delete env.DATABASE_URL; // the newcomer's path: the embedded database
	delete env.ORIGIN;
	delete env.HOST;
	const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/start.ts'], {
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const ready = new Promise<void>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			output += chunk;
			if (output.includes('Listening on')) resolve();
			if (output.includes('npm start failed')) reject(new Error(output));
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', () => reject(new Error(`npm start exited early: ${output}`)));
	});
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	return { child, output: () => output, ready, exited };
}

/** The roles the app's connections use (application_name piaojue), seen by the embedded server's superuser. */
async function connectedAppRoles(): Promise<{ user: string; superuser: boolean; ownsTables: boolean }[]> {
	const owner = JSON.parse(await readFile(path.join(dataDir, 'postgres-credentials.json'), 'utf8')) as {
		user: string;
		password: string;
	};
	const postmasterPort = Number(
		(await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[3]
	);
	const sql = createSql(
		`postgres://${owner.user}:${encodeURIComponent(owner.password)}@127.0.0.1:${postmasterPort}/postgres`,
		{ max: 1 }
	);
	try {
		return await sql<{ user: string; superuser: boolean; ownsTables: boolean }[]>`
			select distinct a.usename as user, r.rolsuper as superuser,
			       exists (select from pg_tables t where t.schemaname = 'public' and t.tableowner = a.usename) as "ownsTables"
			from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
			where a.application_name = 'piaojue' and a.pid <> pg_backend_pid()`;
	} finally {
		await sql.end();
	}
}

function postmasterRunning(): boolean {
	return spawnSync('pgrep', ['-f', `${dataDir}/postgres`]).status === 0;
}

beforeAll(async () => {
	dataDir = await mkdtemp(path.join(tmpdir(), 'piaojue-start-'));
	port = await freePort();
});
afterAll(async () => {
	await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh machine', () => {
	it('serves the demo vote on localhost, prints the sign-in details once, and stops cleanly', async () => {
		const first = start();
		try {
			await first.ready;
			const printed = first.output();
			expect(printed).toContain(`admin / (ADMIN_PASSWORD)`);
			const delegatePassword = /delegate001 \/ (\S+)/.exec(printed)?.[1];
			expect(delegatePassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
			expect(printed).toContain(`http://localhost:${port}/vote/1`);

			const baseUrl = `http://localhost:${port}`;
			const categories = (await (await fetch(`${baseUrl}/api/categories`)).json()) as { candidates: unknown[] }[];
			expect(categories).toHaveLength(12);
			// The 2022 vote holds Taizhou's 34 candidates; the catalog also keeps the demo 2021 vote's, whose chosen ones are being delivered.
			const demoVote = (await (await fetch(`${baseUrl}/api/sessions/1`)).json()) as {
				candidateCount: number;
				status: string;
			};
			expect(demoVote).toMatchObject({ candidateCount: 34, status: 'open' });
			expect(categories.flatMap((category) => category.candidates).length).toBeGreaterThanOrEqual(34);
			const votingSession = (await (await fetch(`${baseUrl}/api/sessions/1`)).json()) as Record<string, unknown>;
			expect(votingSession).toMatchObject({
				title: '2022年台州市民生实事项目票决',
				status: 'open',
				enrolled: 444,
				rules: { ballotMethod: 'approval', seats: 10 }
			});
			expect(await (await fetch(`${baseUrl}/projects`)).text()).toContain('示例数据');

			// Forms work on plain http://localhost (no "cross-site" refusal).
			const admin = new Visitor(baseUrl);
			expect((await admin.signIn('admin', ADMIN_PASSWORD)).status).toBe(303);
			expect((await admin.get('/admin')).status).toBe(200);
			const delegate = new Visitor(baseUrl);
			expect((await delegate.signIn('delegate001', delegatePassword!)).status).toBe(303);
			const cast = await delegate.post('/vote/1?/cast', [
				['candidate', String((categories[0]!.candidates[0] as { id: number }).id)]
			]);
			expect(cast.status).toBe(200);
			expect(await cast.text()).toContain('投票成功');

			// The server connects as the runtime role, not as the embedded server's superuser (issue 12).
			const appRoles = await connectedAppRoles();
			expect(appRoles.length).toBeGreaterThan(0);
			expect(appRoles).toEqual(appRoles.map((role) => ({ ...role, superuser: false, ownsTables: false })));
		} finally {
			first.child.kill('SIGTERM');
			await first.exited;
		}
		expect(postmasterRunning()).toBe(false);

		// A second start keeps the data and prints no password.
		const second = start();
		try {
			await second.ready;
			expect(second.output()).not.toContain('Sign-in details');
			const votingSession = (await (await fetch(`http://localhost:${port}/api/sessions/1`)).json()) as { cast: number };
			expect(votingSession.cast).toBe(1);
		} finally {
			second.child.kill('SIGINT');
			await second.exited;
		}
		expect(postmasterRunning()).toBe(false);
	}, 120_000);
});
