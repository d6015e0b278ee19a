// The demo's procedure before a vote opens, as a secretariat records it: the standing committee's
// review, the 票决办法 adopted, the 总监票人 and 监票人 named from the demo delegates (who can sign in,
// so that they can confirm the tally), through the same functions the pages use.
import type { TransactionSql } from '../db/client';
import { adoptRules, nameScrutineers, recordReview } from '../voting/procedure';

export const DEMO_MEETING_NAME = '台州市第六届人民代表大会第一次会议（示例）';

export interface DemoProcedure {
	review: { meeting: string; on: string; document: string };
	adoptedOn: string;
	scrutineersApprovedOn: string;
	chief: string;
	members: string[];
	counters: string[];
}

/** Records the review, the adoption and the scrutineers of a draft demo vote; throws when a step is refused. */
export async function recordDemoProcedure(
	tx: TransactionSql,
	votingSessionId: number,
	procedure: DemoProcedure,
	staffId: number
): Promise<void> {
	const reviewed = await recordReview(tx, votingSessionId, procedure.review, staffId);
	if (!reviewed.ok) throw new Error(`demo review of session ${votingSessionId}: ${reviewed.error}`);
	const adopted = await adoptRules(tx, votingSessionId, { by: 'presidium', on: procedure.adoptedOn }, staffId);
	if (!adopted.ok) throw new Error(`demo voting rules of session ${votingSessionId}: ${adopted.error}`);
	const named = await nameScrutineers(
		tx,
		votingSessionId,
		{
			chief: procedure.chief,
			members: procedure.members,
			counters: procedure.counters,
			approvedBy: 'plenary',
			approvedOn: procedure.scrutineersApprovedOn
		},
		staffId
	);
	if (!named.ok) throw new Error(`demo scrutineers of session ${votingSessionId}: ${JSON.stringify(named.error)}`);
}
