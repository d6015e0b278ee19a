// Journey 8: journey 5 in English with JavaScript switched off: credential code, keyboard-only ballot, review, cast, receipt, a second vote refused.
import { describe, expect, it } from 'vitest';
import { TABLET } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';
import { delegateWorld, voteAsDelegate, type DelegateWorld } from './delegate-vote';

describe('journey 8: journey 5 in English with JavaScript switched off: credential code, keyboard-only ballot, review, cast, receipt, a second vote refused', () => {
	let world: DelegateWorld;

	const suite = browserSuite(async (database) => {
		world = await delegateWorld(database);
	});

	it('takes one vote from the delegate and refuses a second', async () => {
		const { page, errors } = await suite.windows.open(TABLET, { locale: 'en', javaScriptEnabled: false });
		await voteAsDelegate(page, suite.app.baseUrl, world, { locale: 'en', javaScript: false, name: 'journey-8' });
		const [counts] = await suite.database.sql<{ ballots: number; marks: number }[]>`
			select (select count(*)::int from ballot where voting_session_id = ${world.session.id}) as ballots,
			       (select count(*)::int from ballot_mark where voting_session_id = ${world.session.id}) as marks`;
		expect(counts).toEqual({ ballots: 1, marks: 1 });
		// The refused second cast came back as an error page, which the suite.browser may log; nothing else went wrong.
		expect(errors.filter((error) => !/status of 4\d\d/.test(error))).toEqual([]);
	});
});
