// The role the running app connects as (issue 12). Migrations run as the owner of the schema; the
// app, the CLI's everyday commands and the tests connect as a login role that is a member of
// `piaojue_runtime` (granted in migrations/00011_trust.sql): rows only, no DDL, no superuser, no
// UPDATE or DELETE where the schema is append-only.
//
// For the embedded PostgreSQL this module makes that login role (`piaojue_app`, its password in
// PIAOJUE_DATA_DIR/postgres-app-credentials.json, 0600). With DATABASE_URL the operator makes it
// (README, "Database roles").
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './client';
import { isRefusal } from './refusal';

export const RUNTIME_GROUP_ROLE = 'piaojue_runtime';
export const EMBEDDED_RUNTIME_USER = 'piaojue_app';

export interface RoleCredentials {
	user: string;
	password: string;
}

/** The same server and database, another user. */
export function urlWithCredentials(url: string, credentials: RoleCredentials): string {
	const parsed = new URL(url);
	parsed.username = encodeURIComponent(credentials.user);
	parsed.password = encodeURIComponent(credentials.password);
	return parsed.toString();
}

function isDuplicateRole(error: unknown): boolean {
	// duplicate_object; or the catalog's unique index when two make it at once
	return (error as { code?: string }).code === '42710' || isRefusal(error, 'unique_violation');
}

/** Runs `create …`, or `alter …` when the role already exists (also when another process made it meanwhile). */
async function createOrAlterRole(owner: Sql, create: string, alter: string): Promise<void> {
	try {
		await owner.unsafe(create);
	} catch (error) {
		if (!isDuplicateRole(error)) throw error;
		await owner.unsafe(alter);
	}
}

/**
 * Makes (or brings back in line) a login role that can do what the app does and nothing more: a
 * member of piaojue_runtime, no superuser, no role or database creation, no replication, no
 * row-level-security bypass. Run by a superuser (or a role with CREATEROLE).
 */
export async function ensureRuntimeLogin(owner: Sql, credentials: RoleCredentials): Promise<void> {
	const [quoted] = await owner<{ group: string; user: string; password: string }[]>`
		select quote_ident(${RUNTIME_GROUP_ROLE}) as group, quote_ident(${credentials.user}) as user,
		       quote_literal(${credentials.password}) as password`;
	const { group, user, password } = quoted as { group: string; user: string; password: string };
	const [existing] = await owner<{ group: boolean; user: boolean }[]>`
		select exists (select from pg_roles where rolname = ${RUNTIME_GROUP_ROLE}) as group,
		       exists (select from pg_roles where rolname = ${credentials.user}) as user`;
	if (!existing?.group) await createOrAlterRole(owner, `create role ${group} nologin`, `select 1`);
	const limits = 'login inherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls';
	if (existing?.user) await owner.unsafe(`alter role ${user} with ${limits} password ${password}`);
	else
		await createOrAlterRole(
			owner,
			`create role ${user} with ${limits} password ${password} in role ${group}`,
			`alter role ${user} with ${limits} password ${password}`
		);
	await owner.unsafe(`grant ${group} to ${user}`);
}

/** Drops a login role made by ensureRuntimeLogin (the test runs' own roles). */
export async function dropRuntimeLogin(owner: Sql, user: string): Promise<void> {
	const [quoted] = await owner<{ user: string }[]>`select quote_ident(${user}) as user`;
	await owner.unsafe(`drop role if exists ${(quoted as { user: string }).user}`);
}

/**
 * The embedded server's runtime login: its credentials are made once (kept beside the owner's,
 * mode 0600) and the role is brought in line at every start. Returns the URL the app uses.
 */
export async function embeddedRuntimeUrl(owner: Sql, ownerUrl: string, dataRoot: string): Promise<string> {
	const file = path.join(dataRoot, 'postgres-app-credentials.json');
	let credentials: RoleCredentials | null = null;
	if (existsSync(file)) credentials = JSON.parse(await readFile(file, 'utf8')) as RoleCredentials;
	if (!credentials?.user || !credentials.password) {
		credentials = { user: EMBEDDED_RUNTIME_USER, password: randomBytes(24).toString('base64url') };
		await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
	}
	await ensureRuntimeLogin(owner, credentials);
	return urlWithCredentials(ownerUrl, credentials);
}

export interface ConnectionRole {
	user: string;
	superuser: boolean;
	/** Whether it can create objects in the schema or owns any of its tables (so it can change them). */
	canChangeSchema: boolean;
}

/** What the connection's role may do to the schema: the app warns when it runs as more than the runtime role. */
export async function describeConnectionRole(sql: Sql): Promise<ConnectionRole> {
	const [row] = await sql<ConnectionRole[]>`
		select current_user as user, r.rolsuper as superuser,
		       has_schema_privilege('public', 'create')
		       or exists (select from pg_tables t where t.schemaname = 'public' and pg_has_role(t.tableowner, 'usage')) as "canChangeSchema"
		from pg_roles r where r.rolname = current_user`;
	return row as ConnectionRole;
}
