// Accounts and roles.
import type { Role } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { hashPassword } from '../auth/password';

export interface UserRecord {
	id: number;
	username: string;
	displayName: string;
	passwordHash: string | null;
	disabled: boolean;
	roles: Role[];
}

export async function findUserByUsername(sql: Sql, username: string): Promise<UserRecord | null> {
	const [user] = await sql<UserRecord[]>`
		select u.id, u.username, u.display_name as "displayName", u.password_hash as "passwordHash",
		       u.disabled_at is not null as disabled,
		       coalesce((select array_agg(r.role order by r.role) from user_role r where r.user_id = u.id), '{}') as roles
		from app_user u where lower(u.username) = lower(${username})`;
	return user ?? null;
}

export class UsernameTakenError extends Error {
	constructor(readonly username: string) {
		super(`the username ${username} is taken`);
	}
}

/** Inserts a user and their roles inside the caller's transaction. */
export async function insertUser(
	tx: TransactionSql,
	input: { username: string; displayName?: string; passwordHash: string | null; roles: readonly Role[] }
): Promise<number> {
	const [user] = await tx<{ id: number }[]>`
		insert into app_user (username, display_name, password_hash)
		values (${input.username}, ${input.displayName ?? input.username}, ${input.passwordHash})
		on conflict ((lower(username))) do nothing
		returning id`;
	if (!user) throw new UsernameTakenError(input.username);
	const roles = [...new Set(input.roles)];
	if (roles.length > 0) await tx`insert into user_role ${tx(roles.map((role) => ({ user_id: user.id, role })))}`;
	return user.id;
}

/** Creates a user with a password and roles in one transaction. */
export async function createUser(
	sql: Sql,
	input: { username: string; displayName?: string; password: string; roles: readonly Role[] }
): Promise<number> {
	const passwordHash = await hashPassword(input.password);
	return sql.begin((tx) => insertUser(tx, { ...input, passwordHash })) as Promise<number>;
}

export async function userIdsByUsername(sql: Sql, usernames: string[]): Promise<Map<string, number>> {
	const rows = await sql<{ id: number; username: string }[]>`
		select id, lower(username) as username from app_user where lower(username) = any(${usernames.map((name) => name.toLowerCase())})`;
	return new Map(rows.map((row) => [row.username, row.id]));
}
