// Department accounts (role `department`): one user per account, tied to the name of the lead
// department whose projects it reports on. Created by staff (or the CLI) with a generated password.
import type { DepartmentAccountInput } from '$lib/domain/delivery';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { generatePassword, hashPassword } from '../auth/password';
import { insertUser, UsernameTakenError } from '../users/users';

export interface DepartmentAccount {
	userId: number;
	username: string;
	displayName: string;
	departmentName: string;
	disabled: boolean;
	projects: number;
}

export async function listDepartmentAccounts(sql: Sql): Promise<DepartmentAccount[]> {
	return sql<DepartmentAccount[]>`
		select d.user_id as "userId", u.username, u.display_name as "displayName", d.department_name as "departmentName",
		       u.disabled_at is not null as disabled,
		       (select count(*) from livelihood_project p where p.lead_department = d.department_name)::int as projects
		from department_account d join app_user u on u.id = d.user_id
		order by d.department_name, u.username`;
}

/** The lead departments named by projects, for choosing one. */
export async function listLeadDepartments(sql: Sql): Promise<string[]> {
	const rows = await sql<{ name: string }[]>`
		select distinct lead_department as name from livelihood_project where lead_department <> '' order by name`;
	return rows.map((row) => row.name);
}

/** Inserts a department account in the caller's transaction (with its audit entry). */
export async function insertDepartmentAccount(
	tx: TransactionSql,
	input: DepartmentAccountInput & { passwordHash: string },
	actorUserId: number | null
): Promise<number> {
	const userId = await insertUser(tx, {
		username: input.username,
		displayName: input.displayName || input.departmentName,
		passwordHash: input.passwordHash,
		roles: ['department']
	});
	await tx`insert into department_account (user_id, department_name) values (${userId}, ${input.departmentName})`;
	await appendAudit(tx, {
		actorUserId,
		action: 'delivery.department_created',
		details: { userId, username: input.username, department: input.departmentName }
	});
	return userId;
}

export type CreateDepartmentResult =
	{ ok: true; userId: number; password: string } | { ok: false; error: 'username_taken' };

/** Creates a department account with a generated password (returned once, to show). */
export async function createDepartmentAccount(
	sql: Sql,
	input: DepartmentAccountInput,
	actorUserId: number | null
): Promise<CreateDepartmentResult> {
	const password = generatePassword();
	const passwordHash = await hashPassword(password);
	try {
		const userId = (await sql.begin((tx) =>
			insertDepartmentAccount(tx, { ...input, passwordHash }, actorUserId)
		)) as number;
		return { ok: true, userId, password };
	} catch (error) {
		if (error instanceof UsernameTakenError) return { ok: false, error: 'username_taken' };
		throw error;
	}
}
