// Test database server: DATABASE_URL when set (CI's system PostgreSQL), else the embedded
// server with its own data directory (.data/test). A migrated template database is made once;
// each test file copies it (tests/helpers/database.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/lib/server/db/client';
import { isAlive, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import { databaseStartReport } from '../../src/lib/server/db/embedded-start';
import { localeFromEnvironment } from '../../src/lib/server/environment-locale';
import { dropRuntimeLogin, ensureRuntimeLogin, type RoleCredentials } from '../../src/lib/server/db/runtime-role';
import { databaseUrl, runPrefix } from '../helpers/urls';
import { ensureCliBundle } from '../../scripts/cli-bundle.js';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The server as its superuser, who owns the test databases (migrations, and tests that play a superuser). */
		serverUrl: string;
		templateDatabase: string;
		/** This run's login role for the app: a member of piaojue_runtime only (migrations/00011). */
		runtimeRole: RoleCredentials;
	}
}

let embedded: EmbeddedDatabase | null = null;

// Every run using the embedded server registers here before it starts or joins it, so the run that
// started it stops it only when no other live run is registered (one may be starting right now).
const RUNS_DIR = path.resolve('.data/test/runs');
const runFile = path.join(RUNS_DIR, String(process.pid));

function otherLiveRuns(): boolean {
	return readdirSync(RUNS_DIR).some((name) => Number(name) !== process.pid && isAlive(Number(name)));
}

interface SharedServer {
	serverUrl: string;
	templateDatabase: string;
	runtimeRole: RoleCredentials;
	stop(): Promise<void>;
}

/**
 * The integration and browser tiers are two vitest projects, each running this setup: they share one
 * server and one template, kept on globalThis (each project may load this module on its own) and
 * stopped when the last project's teardown runs.
 */
const shared = globalThis as typeof globalThis & {
	piaojueTestServer?: { server: Promise<SharedServer>; users: number };
};

export async function setup(project: TestProject) {
	shared.piaojueTestServer ??= { server: startSharedServer(), users: 0 };
	const state = shared.piaojueTestServer;
	state.users += 1;
	const { serverUrl, templateDatabase, runtimeRole } = await state.server;
	project.provide('serverUrl', serverUrl);
	project.provide('templateDatabase', templateDatabase);
	project.provide('runtimeRole', runtimeRole);
	return async () => {
		state.users -= 1;
		if (state.users > 0) return;
		shared.piaojueTestServer = undefined;
		await (await state.server).stop();
	};
}

async function startSharedServer(): Promise<SharedServer> {
	// The CLI's bundle is made here once, not by two test files racing to make it.
	await ensureCliBundle();
	let serverUrl = process.env.DATABASE_URL;
	if (!serverUrl) {
		mkdirSync(RUNS_DIR, { recursive: true });
		writeFileSync(runFile, '');
		try {
			embedded = await startEmbeddedPostgres(path.resolve('.data/test'));
		} catch (error) {
			rmSync(runFile, { force: true });
			// The explanation and PostgreSQL's last log lines, instead of the package's bare rejection.
			throw new Error(databaseStartReport(error, localeFromEnvironment()), { cause: error });
		}
		serverUrl = embedded.url;
		console.log('tests run on the embedded PostgreSQL (.data/test)');
	} else {
		console.log('tests run on the PostgreSQL server at DATABASE_URL');
	}
	// Databases are named after this run's process, so runs side by side never touch each other's;
	// those left by runs that died are removed.
	const templateDatabase = `${runPrefix(process.pid)}_template`;
	const runtimeRoleName = `${runPrefix(process.pid)}_app`;
	const admin = createSql(serverUrl, { max: 1 });
	try {
		const existing = await admin<
			{ datname: string }[]
		>`select datname from pg_database where datname like 'piaojue_t%'`;
		for (const { datname } of existing) {
			const pid = Number(/^piaojue_t(\d+)_/.exec(datname)?.[1]);
			if (pid && !isAlive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
		}
		const roles = await admin<{ rolname: string }[]>`select rolname from pg_roles where rolname like 'piaojue_t%_app'`;
		for (const { rolname } of roles) {
			const pid = Number(/^piaojue_t(\d+)_app$/.exec(rolname)?.[1]);
			if (pid && !isAlive(pid)) await dropRuntimeLogin(admin, rolname);
		}
		await admin.unsafe(`create database "${templateDatabase}"`);
	} finally {
		await admin.end();
	}
	const template = createSql(databaseUrl(serverUrl, templateDatabase), { max: 1 });
	// The app's role for this run: the migration made the group role it joins.
	const runtimeRole: RoleCredentials = { user: runtimeRoleName, password: randomBytes(18).toString('base64url') };
	try {
		await migrate(template);
		await ensureRuntimeLogin(template, runtimeRole);
	} finally {
		await template.end();
	}
	return {
		serverUrl,
		templateDatabase,
		runtimeRole,
		stop: async () => {
			const cleanup = createSql(serverUrl, { max: 1 });
			try {
				const mine = await cleanup<
					{ datname: string }[]
				>`select datname from pg_database where datname like ${`${runPrefix(process.pid)}_%`}`;
				for (const { datname } of mine) await cleanup.unsafe(`drop database if exists "${datname}" with (force)`);
				await dropRuntimeLogin(cleanup, runtimeRoleName);
				// Another run still using the embedded server keeps it running; the next run reuses it.
				const others = await cleanup<
					{ datname: string }[]
				>`select datname from pg_database where datname like 'piaojue_t%'`;
				const othersAlive = others.some(({ datname }) => isAlive(Number(/^piaojue_t(\d+)_/.exec(datname)?.[1])));
				if (embedded) rmSync(runFile, { force: true });
				if (othersAlive || (embedded && otherLiveRuns())) embedded?.detach();
				else await embedded?.stop();
			} finally {
				await cleanup.end();
			}
		}
	};
}
