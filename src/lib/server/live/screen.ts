// What the projector screen shows: turnout while voting (and while counting), the result only once
// published (through publishedResult, the one code path for the public numbers), the audit chain's
// head when voting opened and closed (for the hall to note), and its current head from closing on.
import type { Sql } from '../db/client';
import { auditHead } from '../audit/audit';
import { publishedResult } from '../voting/public-results';
import { readTurnoutSnapshot } from './listener';

export async function screenView(sql: Sql, votingSessionId: number) {
	// Turnout first: a status only moves forward, so a "published" here always finds its tally below.
	const turnout = await readTurnoutSnapshot(sql, votingSessionId);
	if (!turnout) return null;
	const result = await publishedResult(sql, votingSessionId);
	if (!result) return null;
	const showsResult = turnout.status === 'published' && result.tally !== null;
	return {
		turnout,
		votingSession: result.votingSession,
		tally: showsResult ? result.tally : null,
		candidateTitles: showsResult ? result.candidateTitles : {},
		auditCheckpoints: result.auditCheckpoints,
		auditHead: turnout.status === 'closed' || turnout.status === 'published' ? await auditHead(sql) : null
	};
}
