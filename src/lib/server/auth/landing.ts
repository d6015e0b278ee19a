// The facts behind a user's landing page after sign-in (the rule: src/lib/domain/landing.ts).
import { landingPath } from '$lib/domain/landing';
import type { Role } from '$lib/domain/types';
import type { Sql } from '../db/client';

/** Reads what landingPath needs for a user (a small query, only for the roles that need it). */
export async function landingFor(sql: Sql, user: { id: number; roles: readonly Role[] }): Promise<string> {
	const openBallots = user.roles.includes('delegate')
		? (
				await sql<{ id: number }[]>`
					select s.id from electorate_member e join voting_session s on s.id = e.voting_session_id
					where e.delegate_id = ${user.id} and s.status = 'open'
					  and not exists (select 1 from ballot_mark m where m.voting_session_id = s.id and m.delegate_id = ${user.id})
					order by s.id`
			).map((row) => row.id)
		: [];
	const liveSessions = user.roles.includes('staff')
		? (
				await sql<{ id: number }[]>`
					select s.id from voting_session s
					where s.status = 'open'
					   or (s.status = 'draft' and exists (
					        select 1 from electorate_member e where e.voting_session_id = s.id and e.present))
					order by s.id`
			).map((row) => row.id)
		: [];
	return landingPath({ roles: user.roles, openBallots, liveSessions });
}
