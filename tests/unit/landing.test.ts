// Where each role lands after signing in (issue 15), as the rule decides it from the facts read.
import { describe, expect, it } from 'vitest';
import { landingPath, type LandingFacts } from '../../src/lib/domain/landing';

const facts = (overrides: Partial<LandingFacts>): LandingFacts => ({
	roles: [],
	openBallots: [],
	liveSessions: [],
	...overrides
});

describe('landing after sign-in', () => {
	it.each([
		['a delegate with one open ballot goes to it', facts({ roles: ['delegate'], openBallots: [7] }), '/vote/7'],
		[
			'a delegate with several open ballots chooses on /vote',
			facts({ roles: ['delegate'], openBallots: [7, 9] }),
			'/vote'
		],
		['a delegate with nothing to cast sees their sessions', facts({ roles: ['delegate'] }), '/vote'],
		['staff during a session go to its console', facts({ roles: ['staff'], liveSessions: [3] }), '/admin/sessions/3'],
		['staff with two live sessions choose on /admin', facts({ roles: ['staff'], liveSessions: [3, 4] }), '/admin'],
		['staff with no live session go to /admin', facts({ roles: ['staff'] }), '/admin'],
		['a scrutineer goes to /admin', facts({ roles: ['scrutineer'] }), '/admin'],
		['a department goes to its workbench', facts({ roles: ['department'] }), '/department'],
		['a resident goes to their page', facts({ roles: ['resident'] }), '/me'],
		['an account without a role goes home', facts({}), '/'],
		[
			'a delegate who is also staff votes first',
			facts({ roles: ['delegate', 'staff'], openBallots: [5], liveSessions: [5] }),
			'/vote/5'
		],
		[
			'staff who are also delegates and have voted go to the console',
			facts({ roles: ['delegate', 'staff'], liveSessions: [5] }),
			'/admin/sessions/5'
		],
		['a delegate who is also a resident goes to /vote', facts({ roles: ['delegate', 'resident'] }), '/vote']
	])('%s', (_, input, expected) => {
		expect(landingPath(input)).toBe(expected);
	});
});
