// The meeting's procedure around a vote (issue 13, part 2): the 票决办法 and its adoption, the
// standing committee's review, the named scrutineers (总监票人、监票人、计票人), and who may act
// as a scrutineer of a session. The rules themselves are held by the database
// (migrations/00013_procedure.sql); these functions check first, for the message, and write
// each step in one transaction with its audit entry.
import { createHash } from 'node:crypto';
import {
	confirmationProgress,
	draftVotingRules,
	type ApprovingBody,
	type ConfirmationProgress,
	type FollowUpKind,
	type ScrutineerDuty
} from '$lib/domain/procedure';
import type { SessionMethod, SessionStatus } from '$lib/domain/types';
import { isEvaluation } from '$lib/domain/methods';
import type { Sql, TransactionSql } from '../db/client';
import { refusalOf } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import { getVotingSession } from './sessions';

export interface ProcedureSettings {
	meetingName: string;
	requireAdoptedRules: boolean;
	requireReview: boolean;
	requireNamedScrutineers: boolean;
	minCandidateRatio: number;
}

export interface NamedScrutineer {
	userId: number;
	username: string;
	displayName: string;
	delegation: string | null;
	duty: ScrutineerDuty;
	/** When this scrutineer confirmed the tally, or null. */
	confirmedAt: Date | null;
}

export interface SessionProcedure {
	votingSessionId: number;
	settings: ProcedureSettings;
	/** The text staff edited or adopted; null while the app's draft is used. */
	storedRulesText: string | null;
	rulesAdoption: { by: ApprovingBody; on: string; recordedByName: string | null } | null;
	review: { meeting: string; on: string; document: string; recordedByName: string | null } | null;
	scrutineersApproval: { by: ApprovingBody; on: string } | null;
	scrutineers: NamedScrutineer[];
	/** Confirmations of the tally by holders of the global role (a session without a named panel). */
	otherConfirmations: { userId: number; displayName: string; confirmedAt: Date }[];
	confirmation: ConfirmationProgress;
	ratioBelowReason: string | null;
	ratioConfirmedByName: string | null;
	followUpOf: number | null;
	followUpKind: FollowUpKind | null;
	/** The further votes after this one, in order (a further vote of a further vote follows). */
	followUps: { id: number; kind: FollowUpKind; status: SessionStatus }[];
	announcementNumber: number | null;
}

interface ProcedureRow {
	meetingName: string;
	requireAdoptedRules: boolean;
	requireReview: boolean;
	requireNamedScrutineers: boolean;
	minCandidateRatio: number;
	rulesText: string | null;
	rulesAdoptedBy: ApprovingBody | null;
	rulesAdoptedOn: string | null;
	rulesRecordedByName: string | null;
	reviewMeeting: string | null;
	reviewOn: string | null;
	reviewDocument: string | null;
	reviewRecordedByName: string | null;
	scrutineersApprovedBy: ApprovingBody | null;
	scrutineersApprovedOn: string | null;
	ratioBelowReason: string | null;
	ratioConfirmedByName: string | null;
	followUpOf: number | null;
	followUpKind: FollowUpKind | null;
	announcementNumber: number | null;
}

export async function getProcedure(
	sql: Sql | TransactionSql,
	votingSessionId: number
): Promise<SessionProcedure | null> {
	const [row] = await sql<ProcedureRow[]>`
		select p.meeting_name as "meetingName", p.require_adopted_rules as "requireAdoptedRules", p.require_review as "requireReview",
		       p.require_named_scrutineers as "requireNamedScrutineers", p.min_candidate_ratio::float8 as "minCandidateRatio",
		       p.rules_text as "rulesText", p.rules_adopted_by as "rulesAdoptedBy",
		       to_char(p.rules_adopted_on, 'YYYY-MM-DD') as "rulesAdoptedOn",
		       (select display_name from app_user where id = p.rules_recorded_by) as "rulesRecordedByName",
		       p.review_meeting as "reviewMeeting", to_char(p.review_on, 'YYYY-MM-DD') as "reviewOn",
		       p.review_document as "reviewDocument",
		       (select display_name from app_user where id = p.review_recorded_by) as "reviewRecordedByName",
		       p.scrutineers_approved_by as "scrutineersApprovedBy",
		       to_char(p.scrutineers_approved_on, 'YYYY-MM-DD') as "scrutineersApprovedOn",
		       p.ratio_below_reason as "ratioBelowReason",
		       (select display_name from app_user where id = p.ratio_confirmed_by) as "ratioConfirmedByName",
		       p.follow_up_of as "followUpOf", p.follow_up_kind as "followUpKind", p.announcement_number as "announcementNumber"
		from session_procedure p where p.voting_session_id = ${votingSessionId}`;
	if (!row) return null;
	const scrutineers = await sql<NamedScrutineer[]>`
		select s.user_id as "userId", u.username, u.display_name as "displayName", u.delegation, s.duty,
		       c.confirmed_at as "confirmedAt"
		from session_scrutineer s join app_user u on u.id = s.user_id
		left join session_confirmation c on c.voting_session_id = s.voting_session_id and c.user_id = s.user_id
		where s.voting_session_id = ${votingSessionId}
		order by case s.duty when 'chief' then 0 when 'member' then 1 else 2 end, s.position, u.username`;
	const confirmations = await sql<{ userId: number; displayName: string; confirmedAt: Date }[]>`
		select c.user_id as "userId", u.display_name as "displayName", c.confirmed_at as "confirmedAt"
		from session_confirmation c join app_user u on u.id = c.user_id
		where c.voting_session_id = ${votingSessionId} order by c.confirmed_at, c.user_id`;
	const followUps = await sql<{ id: number; kind: FollowUpKind; status: SessionStatus }[]>`
		with recursive chain(id, kind, depth) as (
			select voting_session_id, follow_up_kind, 1 from session_procedure where follow_up_of = ${votingSessionId}
			union all
			select p.voting_session_id, p.follow_up_kind, chain.depth + 1
			from session_procedure p join chain on p.follow_up_of = chain.id
		)
		select chain.id, chain.kind, s.status from chain join voting_session s on s.id = chain.id order by chain.depth`;
	const panelIds = new Set(scrutineers.filter((entry) => entry.duty !== 'counter').map((entry) => entry.userId));
	return {
		votingSessionId,
		settings: {
			meetingName: row.meetingName,
			requireAdoptedRules: row.requireAdoptedRules,
			requireReview: row.requireReview,
			requireNamedScrutineers: row.requireNamedScrutineers,
			minCandidateRatio: row.minCandidateRatio
		},
		storedRulesText: row.rulesText,
		rulesAdoption:
			row.rulesAdoptedBy && row.rulesAdoptedOn
				? { by: row.rulesAdoptedBy, on: row.rulesAdoptedOn, recordedByName: row.rulesRecordedByName }
				: null,
		review:
			row.reviewMeeting && row.reviewOn && row.reviewDocument
				? {
						meeting: row.reviewMeeting,
						on: row.reviewOn,
						document: row.reviewDocument,
						recordedByName: row.reviewRecordedByName
					}
				: null,
		scrutineersApproval:
			row.scrutineersApprovedBy && row.scrutineersApprovedOn
				? { by: row.scrutineersApprovedBy, on: row.scrutineersApprovedOn }
				: null,
		scrutineers,
		otherConfirmations: confirmations.filter((entry) => !panelIds.has(entry.userId)),
		confirmation: confirmationProgress(scrutineers, new Set(confirmations.map((entry) => entry.userId))),
		ratioBelowReason: row.ratioBelowReason,
		ratioConfirmedByName: row.ratioConfirmedByName,
		followUpOf: row.followUpOf,
		followUpKind: row.followUpKind,
		followUps,
		announcementNumber: row.announcementNumber
	};
}

/** Writes the procedure settings of a draft (the session form), in the caller's transaction. */
export async function saveProcedureSettings(
	tx: TransactionSql,
	votingSessionId: number,
	settings: ProcedureSettings
): Promise<void> {
	await tx`
		update session_procedure set meeting_name = ${settings.meetingName},
		       require_adopted_rules = ${settings.requireAdoptedRules}, require_review = ${settings.requireReview},
		       require_named_scrutineers = ${settings.requireNamedScrutineers},
		       min_candidate_ratio = ${settings.minCandidateRatio}
		where voting_session_id = ${votingSessionId}
		  and (meeting_name, require_adopted_rules, require_review, require_named_scrutineers, min_candidate_ratio)
		      is distinct from (${settings.meetingName}, ${settings.requireAdoptedRules}, ${settings.requireReview},
		                        ${settings.requireNamedScrutineers}, ${settings.minCandidateRatio}::numeric)`;
}

// ---------------------------------------------------------------- named scrutineers
// Who may act as a scrutineer of a session is decided in one place: scrutineersAmong in ./scrutiny.ts.

/** The sessions in which a user is a named 总监票人 or 监票人 (for their own pages). */
export async function sessionsScrutinisedBy(
	sql: Sql,
	userId: number
): Promise<{ id: number; title: string; status: SessionStatus; duty: 'chief' | 'member'; confirmed: boolean }[]> {
	return sql<{ id: number; title: string; status: SessionStatus; duty: 'chief' | 'member'; confirmed: boolean }[]>`
		select s.id, s.title, s.status, n.duty,
		       exists (select 1 from session_confirmation c where c.voting_session_id = s.id and c.user_id = ${userId}) as confirmed
		from session_scrutineer n join voting_session s on s.id = n.voting_session_id
		where n.user_id = ${userId} and n.duty in ('chief', 'member')
		order by s.year desc, s.id desc`;
}

// ---------------------------------------------------------------- the 票决办法

export type ProcedureError =
	| 'not_found'
	| 'not_draft'
	| 'not_a_vote'
	| 'rules_adopted'
	| 'rules_not_adopted'
	| 'review_not_recorded'
	| 'review_recorded';

export type ProcedureResult = { ok: true } | { ok: false; error: ProcedureError };

class Refusal extends Error {
	constructor(readonly error: ProcedureError) {
		super(error);
	}
}

/** Locks a draft vote for a procedure step; refuses otherwise. */
async function lockDraftVote(tx: TransactionSql, votingSessionId: number): Promise<void> {
	const [locked] = await tx<{ status: SessionStatus; ballotMethod: SessionMethod }[]>`
		select status, ballot_method as "ballotMethod" from voting_session where id = ${votingSessionId} for update`;
	if (!locked) throw new Refusal('not_found');
	if (isEvaluation(locked)) throw new Refusal('not_a_vote');
	if (locked.status !== 'draft') throw new Refusal('not_draft');
}

/** Runs a step in a transaction of its own, or in a savepoint of the caller's (the demo seeds its steps in one). */
export function inTransaction<T>(sql: Sql | TransactionSql, step: (tx: TransactionSql) => Promise<T>): Promise<T> {
	return ('savepoint' in sql ? sql.savepoint(step) : sql.begin(step)) as Promise<T>;
}

async function procedureStep(
	sql: Sql | TransactionSql,
	step: (tx: TransactionSql) => Promise<void>
): Promise<ProcedureResult> {
	try {
		await inTransaction(sql, step);
		return { ok: true };
	} catch (error) {
		if (error instanceof Refusal) return { ok: false, error: error.error };
		switch (refusalOf(error)?.refusal) {
			case 'rules_adopted':
				return { ok: false, error: 'rules_adopted' };
			case 'procedure_fixed':
			case 'scrutineers_frozen':
				return { ok: false, error: 'not_draft' };
			case 'candidate_list_reviewed':
				return { ok: false, error: 'review_recorded' };
			default:
				throw error;
		}
	}
}

/** The app's draft of the session's 票决办法, from its current settings. */
export async function draftRulesText(sql: Sql | TransactionSql, votingSessionId: number): Promise<string | null> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	const procedure = votingSession ? await getProcedure(sql, votingSessionId) : null;
	if (!votingSession || !procedure || isEvaluation(votingSession.rules)) return null;
	return draftVotingRules({
		meetingName: procedure.settings.meetingName,
		year: votingSession.year,
		ballotMethod: votingSession.rules.ballotMethod,
		seats: votingSession.rules.seats,
		candidateCount: votingSession.candidateCount,
		thresholdBase: votingSession.rules.thresholdBase,
		quorum: { numerator: 2, denominator: 3 }
	});
}

/** The text in force: the stored (edited or adopted) one, else the app's draft. */
export async function currentRulesText(sql: Sql | TransactionSql, votingSessionId: number): Promise<string | null> {
	const [row] = await sql<{ rulesText: string | null }[]>`
		select rules_text as "rulesText" from session_procedure where voting_session_id = ${votingSessionId}`;
	if (!row) return null;
	return row.rulesText ?? (await draftRulesText(sql, votingSessionId));
}

function digest(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Staff's edit of the text while the session is a draft and the text not adopted; null returns to the app's draft. */
export function saveRulesText(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	text: string | null,
	actorUserId: number
): Promise<ProcedureResult> {
	return procedureStep(sql, async (tx) => {
		await lockDraftVote(tx, votingSessionId);
		const [row] = await tx<{ adopted: boolean }[]>`
			select rules_adopted_by is not null as adopted from session_procedure where voting_session_id = ${votingSessionId}`;
		if (row?.adopted) throw new Refusal('rules_adopted');
		await tx`update session_procedure set rules_text = ${text} where voting_session_id = ${votingSessionId}`;
		await appendAudit(tx, {
			actorUserId,
			action: 'procedure.rules_edited',
			votingSessionId,
			details: text === null ? { draft: 'app' } : { textDigest: digest(text) }
		});
	});
}

/** Records the adoption of the 票决办法 (by 主席团 or 大会全体会议, on a date); the text in force is stored and frozen. */
export function adoptRules(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	adoption: { by: ApprovingBody; on: string; text?: string },
	actorUserId: number
): Promise<ProcedureResult> {
	return procedureStep(sql, async (tx) => {
		await lockDraftVote(tx, votingSessionId);
		const [row] = await tx<{ adopted: boolean }[]>`
			select rules_adopted_by is not null as adopted from session_procedure where voting_session_id = ${votingSessionId}`;
		if (row?.adopted) throw new Refusal('rules_adopted');
		// The text given with the adoption (the CLI's --text-file), else the text in force.
		const text = adoption.text ?? ((await currentRulesText(tx, votingSessionId)) as string);
		await tx`
			update session_procedure set rules_text = ${text}, rules_adopted_by = ${adoption.by}, rules_adopted_on = ${adoption.on},
			       rules_recorded_by = ${actorUserId}
			where voting_session_id = ${votingSessionId}`;
		await appendAudit(tx, {
			actorUserId,
			action: 'procedure.rules_adopted',
			votingSessionId,
			details: { by: adoption.by, on: adoption.on, textDigest: digest(text) }
		});
	});
}

/** Withdraws a recorded adoption (a draft only), so that the text or the settings may change again. */
export function withdrawRulesAdoption(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	actorUserId: number
): Promise<ProcedureResult> {
	return procedureStep(sql, async (tx) => {
		await lockDraftVote(tx, votingSessionId);
		const updated = await tx`
			update session_procedure set rules_adopted_by = null, rules_adopted_on = null, rules_recorded_by = null
			where voting_session_id = ${votingSessionId} and rules_adopted_by is not null`;
		if (updated.count === 0) throw new Refusal('rules_not_adopted');
		await appendAudit(tx, { actorUserId, action: 'procedure.rules_adoption_withdrawn', votingSessionId });
	});
}

// ---------------------------------------------------------------- the standing committee's review

export function recordReview(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	review: { meeting: string; on: string; document: string },
	actorUserId: number
): Promise<ProcedureResult> {
	return procedureStep(sql, async (tx) => {
		await lockDraftVote(tx, votingSessionId);
		await tx`
			update session_procedure set review_meeting = ${review.meeting}, review_on = ${review.on},
			       review_document = ${review.document}, review_recorded_by = ${actorUserId}
			where voting_session_id = ${votingSessionId}`;
		await appendAudit(tx, { actorUserId, action: 'procedure.review_recorded', votingSessionId, details: review });
	});
}

export function withdrawReview(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	actorUserId: number
): Promise<ProcedureResult> {
	return procedureStep(sql, async (tx) => {
		await lockDraftVote(tx, votingSessionId);
		const updated = await tx`
			update session_procedure set review_meeting = null, review_on = null, review_document = null, review_recorded_by = null
			where voting_session_id = ${votingSessionId} and review_on is not null`;
		if (updated.count === 0) throw new Refusal('review_not_recorded');
		await appendAudit(tx, { actorUserId, action: 'procedure.review_withdrawn', votingSessionId });
	});
}

// ---------------------------------------------------------------- naming the scrutineers

export interface ScrutineerNaming {
	/** Usernames or delegate numbers. */
	chief: string;
	members: string[];
	/** Staff usernames (计票人); may be empty. */
	counters: string[];
	approvedBy: ApprovingBody;
	approvedOn: string;
}

export type NamingError =
	| { code: 'not_found' | 'not_draft' | 'not_a_vote' }
	| { code: 'too_few_members' }
	| { code: 'named_twice'; references: string[] }
	| { code: 'unknown_users'; references: string[] }
	| { code: 'not_eligible'; references: string[] }
	| { code: 'counters_not_staff'; references: string[] };

export type NamingResult = { ok: true } | { ok: false; error: NamingError };

class NamingRefusal extends Error {
	constructor(readonly namingError: NamingError) {
		super(namingError.code);
	}
}

/**
 * Names the session's 总监票人, 监票人 and 计票人 (replacing earlier names) with the meeting's
 * approval, in one transaction. The 总监票人 and 监票人 are delegates of the session's electorate
 * (or holders of the global scrutineer role, where a place appoints non-delegates); 计票人 are staff.
 */
export async function nameScrutineers(
	sql: Sql | TransactionSql,
	votingSessionId: number,
	naming: ScrutineerNaming,
	actorUserId: number
): Promise<NamingResult> {
	const references = [naming.chief, ...naming.members, ...naming.counters].map((reference) => reference.trim());
	const lowered = references.map((reference) => reference.toLowerCase());
	const repeated = references.filter((_, index) => lowered.indexOf(lowered[index] as string) !== index);
	if (naming.members.length < 2) return { ok: false, error: { code: 'too_few_members' } };
	if (repeated.length) return { ok: false, error: { code: 'named_twice', references: [...new Set(repeated)] } };
	try {
		await inTransaction(sql, async (tx) => {
			try {
				await lockDraftVote(tx, votingSessionId);
			} catch (error) {
				if (error instanceof Refusal)
					throw new NamingRefusal({ code: error.error as 'not_found' | 'not_draft' | 'not_a_vote' });
				throw error;
			}
			const users = await tx<
				{
					id: number;
					username: string;
					delegateNumber: string | null;
					enrolled: boolean;
					isScrutineer: boolean;
					isStaff: boolean;
				}[]
			>`
				select u.id, lower(u.username) as username, lower(u.delegate_number) as "delegateNumber",
				       exists (select 1 from electorate_member e where e.voting_session_id = ${votingSessionId} and e.delegate_id = u.id) as enrolled,
				       exists (select 1 from user_role r where r.user_id = u.id and r.role = 'scrutineer') as "isScrutineer",
				       exists (select 1 from user_role r where r.user_id = u.id and r.role = 'staff') as "isStaff"
				from app_user u
				where u.disabled_at is null and (lower(u.username) = any(${lowered}) or lower(u.delegate_number) = any(${lowered}))`;
			const byReference = new Map<string, (typeof users)[number]>();
			for (const user of users) {
				byReference.set(user.username, user);
				if (user.delegateNumber) byReference.set(user.delegateNumber, user);
			}
			const unknown = references.filter((reference) => !byReference.has(reference.toLowerCase()));
			if (unknown.length) throw new NamingRefusal({ code: 'unknown_users', references: unknown });
			const userOf = (reference: string) => byReference.get(reference.trim().toLowerCase()) as (typeof users)[number];
			const ids = references.map((reference) => userOf(reference).id);
			const sameUser = references.filter((_, index) => ids.indexOf(ids[index] as number) !== index);
			if (sameUser.length) throw new NamingRefusal({ code: 'named_twice', references: sameUser });
			const panel = [naming.chief, ...naming.members];
			const notEligible = panel.filter((reference) => !userOf(reference).enrolled && !userOf(reference).isScrutineer);
			if (notEligible.length) throw new NamingRefusal({ code: 'not_eligible', references: notEligible });
			const notStaff = naming.counters.filter((reference) => !userOf(reference).isStaff);
			if (notStaff.length) throw new NamingRefusal({ code: 'counters_not_staff', references: notStaff });

			await tx`delete from session_scrutineer where voting_session_id = ${votingSessionId}`;
			const rows = [
				{ reference: naming.chief, duty: 'chief' },
				...naming.members.map((reference) => ({ reference, duty: 'member' })),
				...naming.counters.map((reference) => ({ reference, duty: 'counter' }))
			].map(({ reference, duty }, position) => ({
				voting_session_id: votingSessionId,
				user_id: userOf(reference).id,
				duty,
				position,
				named_by: actorUserId
			}));
			await tx`insert into session_scrutineer ${tx(rows)}`;
			await tx`
				update session_procedure set scrutineers_approved_by = ${naming.approvedBy}, scrutineers_approved_on = ${naming.approvedOn}
				where voting_session_id = ${votingSessionId}`;
			await appendAudit(tx, {
				actorUserId,
				action: 'procedure.scrutineers_named',
				votingSessionId,
				details: {
					chief: userOf(naming.chief).id,
					members: naming.members.map((reference) => userOf(reference).id),
					counters: naming.counters.map((reference) => userOf(reference).id),
					approvedBy: naming.approvedBy,
					approvedOn: naming.approvedOn
				}
			});
		});
		return { ok: true };
	} catch (error) {
		if (error instanceof NamingRefusal) return { ok: false, error: error.namingError };
		switch (refusalOf(error)?.refusal) {
			case 'procedure_fixed':
			case 'scrutineers_frozen':
				return { ok: false, error: { code: 'not_draft' } };
			case 'scrutineer_not_in_electorate':
				return { ok: false, error: { code: 'not_eligible', references: [] } };
			default:
				throw error;
		}
	}
}
