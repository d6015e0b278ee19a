// A session's attendance rules (issue 13): the quorum, whether a delegate's own sign-in marks them
// present, and the hall networks ballots may be cast from. Set while the session is a draft, frozen
// from opening on (the database refuses a change, attendance_session_guard), audited.
import { z } from 'zod';
import { QUORUM_RULES } from '$lib/domain/attendance';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { isRefusal } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import type { AttendanceRules } from '../voting/sessions';
import { parseNetwork } from './hall-network';

export const MAX_CAST_NETWORKS = 50;

/** The networks as typed: one per line (or separated by commas or spaces); none means anywhere. */
const castNetworksSchema = z
	.string()
	.max(5000, { error: 'attendance_error_networks_invalid' })
	.transform((text, context): string[] | null => {
		const entries = text.split(/[\s,，;；]+/).filter(Boolean);
		if (entries.length === 0) return null;
		const networks: string[] = [];
		for (const entry of entries) {
			const network = parseNetwork(entry);
			if (!network) {
				context.issues.push({
					code: 'custom',
					message: 'attendance_error_network_invalid',
					input: entry,
					params: { entry }
				});
				return z.NEVER;
			}
			networks.push(network);
		}
		if (networks.length > MAX_CAST_NETWORKS) {
			context.issues.push({ code: 'custom', message: 'attendance_error_networks_too_many', input: text });
			return z.NEVER;
		}
		return [...new Set(networks)];
	});

export const attendanceRulesFormSchema = z.object({
	quorumRule: z.enum(QUORUM_RULES, { error: 'attendance_error_quorum_rule' }),
	signInMarksPresent: z
		.string()
		.optional()
		.transform((value) => value === 'yes'),
	castNetworks: castNetworksSchema
});

export type AttendanceRulesUpdate =
	| { ok: true }
	/** rules_adopted: the 票决办法 (which states the quorum) is adopted; its adoption is withdrawn first (issue 13). */
	| { ok: false; error: 'not_found' | 'not_draft' | 'rules_adopted'; status?: SessionStatus };

/** Sets a draft session's attendance rules, with an audit entry. PostgreSQL stores each network as its cidr. */
export async function updateAttendanceRules(
	sql: Sql,
	votingSessionId: number,
	rules: AttendanceRules,
	actorUserId: number
): Promise<AttendanceRulesUpdate> {
	try {
		return (await sql.begin(async (tx): Promise<AttendanceRulesUpdate> => {
			const [locked] = await tx<{ status: SessionStatus }[]>`
				select status from voting_session where id = ${votingSessionId} for update`;
			if (!locked) return { ok: false, error: 'not_found' };
			if (locked.status !== 'draft') return { ok: false, error: 'not_draft', status: locked.status };
			const [stored] = await tx<{ castNetworks: string[] | null }[]>`
				update voting_session set quorum_rule = ${rules.quorumRule}, sign_in_marks_present = ${rules.signInMarksPresent},
				       cast_networks = ${
									rules.castNetworks === null
										? null
										: tx`(select array_agg(distinct network(entry::inet)::cidr) from unnest(${rules.castNetworks}::text[]) entry)`
								}
				where id = ${votingSessionId}
				returning cast_networks::text[] as "castNetworks"`;
			await appendAudit(tx, {
				actorUserId,
				action: 'session.attendance_rules',
				votingSessionId,
				details: {
					quorumRule: rules.quorumRule,
					signInMarksPresent: rules.signInMarksPresent,
					castNetworks: stored?.castNetworks ?? null
				}
			});
			return { ok: true };
		})) as AttendanceRulesUpdate;
	} catch (error) {
		// The adopted 票决办法 holds the session's settings as adopted (00013_procedure.sql).
		if (isRefusal(error, 'rules_adopted')) return { ok: false, error: 'rules_adopted' };
		throw error;
	}
}
