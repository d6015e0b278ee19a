// Test database server: DATABASE_URL when set (CI's system PostgreSQL), else the embedded
// server with its own data directory (.data/test). A migrated template database is made once;
// each test file copies it (tests/helpers/database.ts).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/lib/server/db/client';
import { isAlive, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import { databaseUrl, runPrefix } from '../helpers/urls';
import { ensureCliBundle } from '../../scripts/cli-bundle.js';

declare module 'vitest' {
	export interface ProvidedContext {
		serverUrl: string;
		templateDatabase: string;
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
	const { serverUrl, templateDatabase } = await state.server;
	project.provide('serverUrl', serverUrl);
	project.provide('templateDatabase', templateDatabase);
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
		embedded = await startEmbeddedPostgres(path.resolve('.data/test'));
		serverUrl = embedded.url;
		console.log('tests run on the embedded PostgreSQL (.data/test)');
	} else {
		console.log('tests run on the PostgreSQL server at DATABASE_URL');
	}
	// Databases are named after this run's process, so runs side by side never touch each other's;
	// those left by runs that died are removed.
	const templateDatabase = `${runPrefix(process.pid)}_template`;
	const admin = createSql(serverUrl, { max: 1 });
	try {
		const existing = await admin<
			{ datname: string }[]
		>`select datname from pg_database where datname like 'piaojue_t%'`;
		for (const { datname } of existing) {
			const pid = Number(/^piaojue_t(\d+)_/.exec(datname)?.[1]);
			if (pid && !isAlive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
		}
		await admin.unsafe(`create database "${templateDatabase}"`);
	} finally {
		await admin.end();
	}
	const template = createSql(databaseUrl(serverUrl, templateDatabase), { max: 1 });
	try {
		await migrate(template);
	} finally {
		await template.end();
	}
	return {
		serverUrl,
		templateDatabase,
		stop: async () => {
			const cleanup = createSql(serverUrl, { max: 1 });
			try {
				const mine = await cleanup<
					{ datname: string }[]
				>`select datname from pg_database where datname like ${`${runPrefix(process.pid)}_%`}`;
				for (const { datname } of mine) await cleanup.unsafe(`drop database if exists "${datname}" with (force)`);
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
