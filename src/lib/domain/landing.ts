// Where a person lands after signing in when no page asked for the sign-in (issue 15): a delegate
// at their open ballot, staff at the console of the session being held (/admin/sessions/{id}: turnout,
// check-in, closing), a department at its
// projects, a resident at their own page. Pure: the facts are read by server/auth/landing.ts.
import type { Role } from './types';

export interface LandingFacts {
	roles: readonly Role[];
	/** Open sessions the delegate is enrolled in and has not voted in yet. */
	openBallots: readonly number[];
	/** The sessions being held now (open, or a draft whose check-in has begun): staff's consoles. */
	liveSessions: readonly number[];
}

/** The path for these facts: the first rule that applies, most pressing first (a ballot to cast). */
export function landingPath(facts: LandingFacts): string {
	const has = (role: Role) => facts.roles.includes(role);
	if (has('delegate') && facts.openBallots.length > 0)
		return facts.openBallots.length === 1 ? `/vote/${facts.openBallots[0]}` : '/vote';
	if (has('staff')) return facts.liveSessions.length === 1 ? `/admin/sessions/${facts.liveSessions[0]}` : '/admin';
	if (has('scrutineer')) return '/admin';
	if (has('department')) return '/department';
	if (has('delegate')) return '/vote';
	if (has('resident')) return '/me';
	return '/';
}
