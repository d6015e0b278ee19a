// Test database server: DATABASE_URL when set (CI's system PostgreSQL), else the embedded
// server with its own data directory (.data/test). A migrated template database is made once;
// each test file copies it (tests/helpers/database.ts).
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/lib/server/db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import { databaseUrl, TEMPLATE_DATABASE } from '../helpers/urls';

declare module 'vitest' {
	export interface ProvidedContext {
		serverUrl: string;
	}
}

let embedded: EmbeddedDatabase | null = null;

export async function setup(project: TestProject) {
	let serverUrl = process.env.DATABASE_URL;
	if (!serverUrl) {
		embedded = await startEmbeddedPostgres(path.resolve('.data/test'));
		serverUrl = embedded.url;
		console.log('tests run on the embedded PostgreSQL (.data/test)');
	} else {
		console.log('tests run on the PostgreSQL server at DATABASE_URL');
	}
	const admin = createSql(serverUrl, { max: 1 });
	try {
		const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'piaojue_test%'`;
		for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
		await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
	} finally {
		await admin.end();
	}
	const template = createSql(databaseUrl(serverUrl, TEMPLATE_DATABASE), { max: 1 });
	try {
		await migrate(template);
	} finally {
		await template.end();
	}
	project.provide('serverUrl', serverUrl);
}

export async function teardown() {
	await embedded?.stop();
}
