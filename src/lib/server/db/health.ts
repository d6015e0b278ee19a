import type { Sql } from './client';

export async function databaseAnswers(sql: Sql): Promise<boolean> {
	try {
		await sql`select 1`;
		return true;
	} catch {
		return false;
	}
}
