// The newest year's stage calendar, for the empty pages (issue 15): null when nothing is planned yet.
import type { Sql } from '../db/client';
import { currentYear, yearChain, type YearChain } from '../delivery/years';

export async function currentCalendar(sql: Sql): Promise<YearChain | null> {
	const year = await currentYear(sql);
	return year === null ? null : yearChain(sql, year);
}
