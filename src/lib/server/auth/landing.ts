// The facts behind a user's landing page after sign-in (the rule: src/lib/domain/landing.ts).
import { landingPath } from '$lib/domain/landing';
import type { Role } from '$lib/domain/types';
import type { Sql } from '../db/client';

/**
 * Who is landing: an access-code sign-in (`votingSessionScope` set) reaches only the ballots its code
 * was issued for, and nothing staff or resident (guard.ts), so it lands on those ballots only.
 */
export interface LandingUser {
	id: number;
	roles: readonly Role[];
	votingSessionScope: readonly number[] | null;
}

/** Reads what landingPath needs for a user (a small query, only for the roles that need it). */
export async function landingFor(sql: Sql, user: LandingUser): Promise<string> {
	const scope = user.votingSessionScope;
	if (scope !== null) {
		const ballots = await openBallotsOf(sql, user.id);
		return landingPath({
			roles: ['delegate'],
			openBallots: ballots.filter((id) => scope.includes(id)),
			liveSessions: []
		});
	}
	const openBallots = user.roles.includes('delegate') ? await openBallotsOf(sql, user.id) : [];
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

/** Open sessions the delegate is enrolled in and has not cast a ballot in yet. */
async function openBallotsOf(sql: Sql, delegateId: number): Promise<number[]> {
	const rows = await sql<{ id: number }[]>`
		select s.id from electorate_member e join voting_session s on s.id = e.voting_session_id
		where e.delegate_id = ${delegateId} and s.status = 'open'
		  and not exists (select 1 from ballot_mark m where m.voting_session_id = s.id and m.delegate_id = ${delegateId})
		order by s.id`;
	return rows.map((row) => row.id);
}
