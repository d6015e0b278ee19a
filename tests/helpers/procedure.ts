// The meeting's procedure before a vote opens, through the app's own functions: the standing
// committee's review, the 票决办法 adopted, the 总监票人 and 监票人 named (with the meeting's approval).
import type { Sql } from '../../src/lib/server/db/client';
import { adoptRules, nameScrutineers, recordReview } from '../../src/lib/server/voting/procedure';

export const TEST_REVIEW = { meeting: '市人大常委会第十二次会议', on: '2022-01-10', document: '人常〔2022〕3号' };

/** Records review, adoption and scrutineers (usernames or delegate numbers) of a draft vote; throws if refused. */
export async function runProcedure(
	sql: Sql,
	votingSessionId: number,
	staffId: number,
	panel: { chief: string; members: string[]; counters?: string[] }
): Promise<void> {
	const reviewed = await recordReview(sql, votingSessionId, TEST_REVIEW, staffId);
	if (!reviewed.ok) throw new Error(`review refused: ${reviewed.error}`);
	const adopted = await adoptRules(sql, votingSessionId, { by: 'presidium', on: '2022-01-18' }, staffId);
	if (!adopted.ok) throw new Error(`adoption refused: ${adopted.error}`);
	const named = await nameScrutineers(
		sql,
		votingSessionId,
		{ ...panel, counters: panel.counters ?? [], approvedBy: 'plenary', approvedOn: '2022-01-19' },
		staffId
	);
	if (!named.ok) throw new Error(`naming refused: ${JSON.stringify(named.error)}`);
}
