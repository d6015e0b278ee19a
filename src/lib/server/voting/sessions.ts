// Voting sessions: reading them, creating drafts, the electorate and the lifecycle.
import type { LifecycleAction } from '$lib/domain/lifecycle';
import { canApply, requiredStatus, targetStatus } from '$lib/domain/lifecycle';
import type { SessionMethod, SessionStatus, ThresholdBase, VotingRules } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { storeTally } from './results';
import { notifyTurnout } from '../live/notify';
import { isBelowMinimumRatio } from '$lib/domain/procedure';
import { getProcedure, saveProcedureSettings, scrutineerDuty, type ProcedureSettings } from './procedure';

export interface VotingSessionSummary {
	id: number;
	title: string;
	year: number;
	status: SessionStatus;
}

export interface VotingSession extends VotingSessionSummary {
	rules: VotingRules;
	opensAt: Date | null;
	closesAt: Date | null;
	openedAt: Date | null;
	closedAt: Date | null;
	publishedAt: Date | null;
	/** The scrutineer's confirmation of the tally (who, when). */
	confirmedAt: Date | null;
	confirmedByName: string | null;
	isDemo: boolean;
	enrolled: number;
	present: number;
	cast: number;
	candidateCount: number;
}

export async function listVotingSessions(sql: Sql): Promise<VotingSessionSummary[]> {
	return sql<VotingSessionSummary[]>`
		select id, title, year, status from voting_session order by year desc, id desc`;
}

type SessionRow = Omit<VotingSession, 'rules'> & {
	ballotMethod: SessionMethod;
	seats: number;
	thresholdBase: ThresholdBase;
	allowAbstain: boolean;
};

function toVotingSession(row: SessionRow): VotingSession {
	const { ballotMethod, seats, thresholdBase, allowAbstain, ...rest } = row;
	return { ...rest, rules: { ballotMethod, seats, thresholdBase, allowAbstain } };
}

export async function getVotingSession(sql: Sql | TransactionSql, id: number): Promise<VotingSession | null> {
	const [row] = await sql<SessionRow[]>`
		select s.id, s.title, s.year, s.status, s.ballot_method as "ballotMethod", coalesce(s.seats, 0) as seats,
		       s.threshold_base as "thresholdBase", s.allow_abstain as "allowAbstain", s.opens_at as "opensAt", s.closes_at as "closesAt",
		       s.opened_at as "openedAt", s.closed_at as "closedAt", s.published_at as "publishedAt",
		       s.confirmed_at as "confirmedAt",
		       (select u.display_name from app_user u where u.id = s.confirmed_by) as "confirmedByName",
		       s.is_demo as "isDemo", electorate.enrolled, electorate.present,
		       (select count(*) from ballot_mark m where m.voting_session_id = s.id)::int as cast,
		       (select count(*) from voting_session_candidate c where c.voting_session_id = s.id)::int as "candidateCount"
		from voting_session s
		-- Enrolled and present in one pass over the electorate (every cast and every screen reads these).
		cross join lateral (
			select count(*)::int as enrolled, (count(*) filter (where e.present))::int as present
			from electorate_member e where e.voting_session_id = s.id
		) electorate
		where s.id = ${id}`;
	return row ? toVotingSession(row) : null;
}

/** Sessions a delegate is enrolled in, with whether they have voted. */
export async function listDelegateSessions(
	sql: Sql,
	delegateId: number
): Promise<(VotingSessionSummary & { hasVoted: boolean })[]> {
	return sql<(VotingSessionSummary & { hasVoted: boolean })[]>`
		select s.id, s.title, s.year, s.status,
		       exists (select 1 from ballot_mark m where m.voting_session_id = s.id and m.delegate_id = ${delegateId}) as "hasVoted"
		from electorate_member e join voting_session s on s.id = e.voting_session_id
		where e.delegate_id = ${delegateId}
		order by s.year desc, s.id desc`;
}

export async function isEnrolled(
	sql: Sql,
	votingSessionId: number,
	delegateId: number
): Promise<{ enrolled: boolean; hasVoted: boolean }> {
	const [row] = await sql<{ enrolled: boolean; hasVoted: boolean }[]>`
		select exists (select 1 from electorate_member where voting_session_id = ${votingSessionId} and delegate_id = ${delegateId}) as enrolled,
		       exists (select 1 from ballot_mark where voting_session_id = ${votingSessionId} and delegate_id = ${delegateId}) as "hasVoted"`;
	return row ?? { enrolled: false, hasVoted: false };
}

export interface NewVotingSession {
	title: string;
	year: number;
	rules: VotingRules;
	candidateIds: number[];
	opensAt?: Date | null;
	closesAt?: Date | null;
	isDemo?: boolean;
	/** The procedure settings (meeting, what opening requires, the 差额 ratio); the defaults when absent. */
	procedure?: ProcedureSettings;
}

/** The rules as stored: an evaluation has no seats (NULL) and may allow 弃权; a vote never does. */
function storedRules(rules: VotingRules): {
	seats: number | null;
	allowAbstain: boolean;
	auditDetails: Record<string, string | number | boolean>;
} {
	const isEvaluation = rules.ballotMethod === 'evaluation';
	return {
		seats: isEvaluation ? null : rules.seats,
		allowAbstain: isEvaluation && (rules.allowAbstain ?? false),
		auditDetails: isEvaluation
			? { ballotMethod: rules.ballotMethod, allowAbstain: rules.allowAbstain ?? false }
			: { ballotMethod: rules.ballotMethod, seats: rules.seats, thresholdBase: rules.thresholdBase }
	};
}

/** Creates a draft session with its candidate list (in the given order), in the caller's transaction. */
export async function insertVotingSession(
	tx: TransactionSql,
	input: NewVotingSession,
	actorUserId: number | null
): Promise<number> {
	const stored = storedRules(input.rules);
	const [session] = await tx<{ id: number }[]>`
		insert into voting_session (title, year, ballot_method, seats, threshold_base, allow_abstain, opens_at, closes_at, is_demo)
		values (${input.title}, ${input.year}, ${input.rules.ballotMethod}, ${stored.seats}, ${input.rules.thresholdBase},
		        ${stored.allowAbstain}, ${input.opensAt ?? null}, ${input.closesAt ?? null}, ${input.isDemo ?? false})
		returning id`;
	const id = (session as { id: number }).id;
	if (input.procedure) await saveProcedureSettings(tx, id, input.procedure);
	if (input.candidateIds.length > 0) {
		await tx`insert into voting_session_candidate ${tx(
			input.candidateIds.map((candidateId, position) => ({
				voting_session_id: id,
				candidate_id: candidateId,
				position
			}))
		)}`;
	}
	await appendAudit(tx, {
		actorUserId,
		action: 'session.created',
		votingSessionId: id,
		details: { title: input.title, ...stored.auditDetails, candidates: input.candidateIds.length }
	});
	return id;
}

export async function createVotingSession(
	sql: Sql,
	input: NewVotingSession,
	actorUserId: number | null
): Promise<number> {
	return sql.begin((tx) => insertVotingSession(tx, input, actorUserId)) as Promise<number>;
}

/** Enrols delegates (by user id) in a draft session; already-enrolled ones are left as they are. */
export async function enrollDelegates(
	tx: TransactionSql,
	votingSessionId: number,
	delegateIds: number[],
	actorUserId: number | null
): Promise<number> {
	if (delegateIds.length === 0) return 0;
	const result = await tx`
		insert into electorate_member ${tx(delegateIds.map((delegateId) => ({ voting_session_id: votingSessionId, delegate_id: delegateId })))}
		on conflict do nothing`;
	await appendAudit(tx, { actorUserId, action: 'electorate.added', votingSessionId, details: { added: result.count } });
	return result.count;
}

export type LifecycleError =
	| 'not_found'
	| 'wrong_status'
	| 'no_candidates'
	| 'no_electorate'
	| 'seats_not_below_candidates'
	| 'not_confirmed'
	| 'publisher_confirmed'
	| 'publisher_not_staff'
	| 'rules_not_adopted'
	| 'review_not_recorded'
	| 'scrutineers_not_named'
	| 'scrutineer_not_enrolled'
	| 'ratio_needs_confirmation'
	| 'announcement_number_taken';

/** What some steps take besides the action: the reason for opening below the 差额 ratio, the announcement's number. */
export interface LifecycleOptions {
	/** Opening below the session's minimum candidates : places ratio needs a reason, kept with the session. */
	ratioReason?: string;
	/** 公告第N号 at publication; the next free number of the meeting when absent. */
	announcementNumber?: number;
}

export type LifecycleResult =
	{ ok: true; status: SessionStatus } | { ok: false; error: LifecycleError; status?: SessionStatus };

/** Moves a session one step on inside the caller's transaction, with its audit entry. */
export async function applyLifecycleInTransaction(
	tx: TransactionSql,
	votingSessionId: number,
	action: LifecycleAction,
	actorUserId: number | null,
	options: LifecycleOptions = {}
): Promise<LifecycleResult> {
	const [locked] = await tx<{ status: SessionStatus }[]>`
		select status from voting_session where id = ${votingSessionId} for update`;
	if (!locked) return { ok: false, error: 'not_found' };
	if (!canApply(action, locked.status)) return { ok: false, error: 'wrong_status', status: locked.status };
	if (action === 'open') {
		const session = (await getVotingSession(tx, votingSessionId)) as VotingSession;
		if (session.candidateCount === 0) return { ok: false, error: 'no_candidates' };
		if (session.enrolled === 0) return { ok: false, error: 'no_electorate' };
		if (session.rules.ballotMethod !== 'evaluation' && session.rules.seats >= session.candidateCount)
			return { ok: false, error: 'seats_not_below_candidates' };
		const refusal = await openingRefusal(tx, session, actorUserId, options);
		if (refusal) return { ok: false, error: refusal };
	}
	if (action === 'publish') {
		// Two people, two roles: the scrutineers confirmed the tally, a staff member who did not confirm publishes.
		const [scrutiny] = await tx<
			{ confirmedBy: number | null; publisherIsStaff: boolean; publisherConfirmed: boolean }[]
		>`
			select confirmed_by as "confirmedBy",
			       exists (select 1 from user_role where user_id = ${actorUserId} and role = 'staff') as "publisherIsStaff",
			       exists (select 1 from session_confirmation where voting_session_id = ${votingSessionId} and user_id = ${actorUserId}) as "publisherConfirmed"
			from voting_session where id = ${votingSessionId}`;
		if (!scrutiny?.confirmedBy) return { ok: false, error: 'not_confirmed' };
		if (!scrutiny.publisherIsStaff) return { ok: false, error: 'publisher_not_staff' };
		if (scrutiny.confirmedBy === actorUserId || scrutiny.publisherConfirmed)
			return { ok: false, error: 'publisher_confirmed' };
		if (!(await numberAnnouncement(tx, votingSessionId, options.announcementNumber)))
			return { ok: false, error: 'announcement_number_taken' };
		await tx`update voting_session set status = 'published', published_by = ${actorUserId} where id = ${votingSessionId} and status = 'closed'`;
	} else {
		await tx`update voting_session set status = ${targetStatus(action)} where id = ${votingSessionId} and status = ${requiredStatus(action)}`;
	}
	const details: Record<string, string | number> = {};
	if (action === 'close') {
		const tally = await storeTally(tx, votingSessionId);
		details.ballotsCast = tally.ballotsCast;
		details.ballotsDigest = tally.ballotsDigest;
	}
	if (action === 'open' && options.ratioReason) details.ratioReason = options.ratioReason;
	if (action === 'publish') {
		const [numbered] = await tx<{ announcementNumber: number }[]>`
			select announcement_number as "announcementNumber" from session_procedure where voting_session_id = ${votingSessionId}`;
		if (numbered) details.announcementNumber = numbered.announcementNumber;
	}
	await appendAudit(tx, { actorUserId, action: `session.${action}`, votingSessionId, details });
	await notifyTurnout(tx, votingSessionId);
	return { ok: true, status: targetStatus(action) };
}

/**
 * The procedure's conditions for opening (the database holds them too; this says which one is
 * missing): the 票决办法 adopted, the review recorded, the named scrutineers complete and still
 * delegates of the electorate, and below the minimum 差额 ratio a reason, which is recorded here.
 */
async function openingRefusal(
	tx: TransactionSql,
	session: VotingSession,
	actorUserId: number | null,
	options: LifecycleOptions
): Promise<LifecycleError | null> {
	const procedure = await getProcedure(tx, session.id);
	if (!procedure) return null;
	if (procedure.settings.requireAdoptedRules && !procedure.rulesAdoption) return 'rules_not_adopted';
	if (procedure.settings.requireReview && !procedure.review) return 'review_not_recorded';
	const panel = procedure.scrutineers.filter((entry) => entry.duty !== 'counter');
	if (
		(procedure.settings.requireNamedScrutineers || panel.length > 0) &&
		(!procedure.confirmation.hasPanel ||
			panel.filter((entry) => entry.duty === 'chief').length !== 1 ||
			procedure.confirmation.members < 2 ||
			!procedure.scrutineersApproval)
	)
		return 'scrutineers_not_named';
	const [outside] = await tx<{ count: number }[]>`
		select count(*)::int as count from session_scrutineer s
		where s.voting_session_id = ${session.id} and s.duty in ('chief', 'member')
		  and not exists (select 1 from electorate_member e where e.voting_session_id = s.voting_session_id and e.delegate_id = s.user_id)
		  and not exists (select 1 from user_role r where r.user_id = s.user_id and r.role = 'scrutineer')`;
	if ((outside?.count ?? 0) > 0) return 'scrutineer_not_enrolled';
	if (
		session.rules.ballotMethod !== 'evaluation' &&
		isBelowMinimumRatio(session.candidateCount, session.rules.seats, procedure.settings.minCandidateRatio)
	) {
		const reason = options.ratioReason?.trim();
		if (!reason) return 'ratio_needs_confirmation';
		await tx`
			update session_procedure set ratio_below_reason = ${reason}, ratio_confirmed_by = ${actorUserId}
			where voting_session_id = ${session.id}`;
	}
	return null;
}

/** Gives the announcement its number (公告第N号) within the meeting: the one asked for, or the next free one. False when taken. */
async function numberAnnouncement(tx: TransactionSql, votingSessionId: number, wanted?: number): Promise<boolean> {
	const [procedure] = await tx<{ meetingName: string; announcementNumber: number | null }[]>`
		select meeting_name as "meetingName", announcement_number as "announcementNumber"
		from session_procedure where voting_session_id = ${votingSessionId}`;
	if (!procedure) return true;
	if (wanted === undefined && procedure.announcementNumber !== null) return true;
	// One numbering per meeting: publications of the same meeting take their numbers one at a time.
	await tx`select pg_advisory_xact_lock(hashtext(${`piaojue.announcement.${procedure.meetingName}`}))`;
	const [taken] = await tx<{ taken: boolean; next: number }[]>`
		select exists (select 1 from session_procedure where meeting_name = ${procedure.meetingName}
		               and announcement_number = ${wanted ?? 0} and voting_session_id <> ${votingSessionId}) as taken,
		       coalesce(max(announcement_number), 0) + 1 as next
		from session_procedure where meeting_name = ${procedure.meetingName}`;
	if (wanted !== undefined && taken?.taken) return false;
	await tx`
		update session_procedure set announcement_number = ${wanted ?? taken?.next ?? 1}
		where voting_session_id = ${votingSessionId}`;
	return true;
}

/**
 * Moves a session one step on (open, close, publish) in one transaction.
 * Closing computes the tally from the raw ballots and stores it.
 */
export function applyLifecycle(
	sql: Sql,
	votingSessionId: number,
	action: LifecycleAction,
	actorUserId: number | null,
	options: LifecycleOptions = {}
): Promise<LifecycleResult> {
	return sql.begin((tx) =>
		applyLifecycleInTransaction(tx, votingSessionId, action, actorUserId, options)
	) as Promise<LifecycleResult>;
}

export type ConfirmResult =
	{ ok: true } | { ok: false; error: 'not_found' | 'wrong_status' | 'already_confirmed' | 'not_scrutineer' };

/**
 * A scrutineer confirms the stored tally of a closed session, with their own account (recorded
 * with who and when). With a named panel, the tally counts as confirmed once the 总监票人 and a
 * majority of the named 监票人 have confirmed; without one, one holder of the global role confirms.
 */
export async function confirmTally(sql: Sql, votingSessionId: number, scrutineerId: number): Promise<ConfirmResult> {
	return sql.begin((tx) => confirmTallyInTransaction(tx, votingSessionId, scrutineerId)) as Promise<ConfirmResult>;
}

export async function confirmTallyInTransaction(
	tx: TransactionSql,
	votingSessionId: number,
	scrutineerId: number
): Promise<ConfirmResult> {
	const [locked] = await tx<{ status: SessionStatus; confirmedBy: number | null }[]>`
		select status, confirmed_by as "confirmedBy" from voting_session where id = ${votingSessionId} for update`;
	if (!locked) return { ok: false, error: 'not_found' };
	// Read after the lock: a confirmation committed while this one waited is seen.
	const [earlier] = await tx<{ alreadyConfirmed: boolean }[]>`
		select exists (select 1 from session_confirmation where voting_session_id = ${votingSessionId} and user_id = ${scrutineerId}) as "alreadyConfirmed"`;
	const duty = await scrutineerDuty(tx, votingSessionId, scrutineerId);
	if (!duty) return { ok: false, error: 'not_scrutineer' };
	if (locked.status !== 'closed') return { ok: false, error: 'wrong_status' };
	if (earlier?.alreadyConfirmed || (duty === 'global' && locked.confirmedBy !== null))
		return { ok: false, error: 'already_confirmed' };
	await tx`insert into session_confirmation (voting_session_id, user_id) values (${votingSessionId}, ${scrutineerId})`;
	const procedure = await getProcedure(tx, votingSessionId);
	const complete = procedure?.confirmation.complete ?? false;
	if (complete && locked.confirmedBy === null)
		await tx`update voting_session set confirmed_by = ${scrutineerId} where id = ${votingSessionId}`;
	const [stored] = await tx<
		{ digest: string }[]
	>`select ballots_digest as digest from voting_result where voting_session_id = ${votingSessionId}`;
	await appendAudit(tx, {
		actorUserId: scrutineerId,
		action: 'session.confirm',
		votingSessionId,
		details: { ballotsDigest: stored?.digest ?? null, duty, confirmationComplete: complete }
	});
	await notifyTurnout(tx, votingSessionId);
	return { ok: true };
}

export type UpdateResult =
	{ ok: true } | { ok: false; error: 'not_found' | 'not_draft' | 'rules_adopted' | 'review_recorded' };

/**
 * Changes a draft session's rules and candidate list (in the given order), with an audit entry.
 * While its 票决办法 is adopted the settings stay as adopted, and while the standing committee's
 * review is recorded the candidate list stays as reviewed (the database refuses; this says why).
 */
export async function updateVotingSession(
	sql: Sql,
	votingSessionId: number,
	input: NewVotingSession,
	actorUserId: number
): Promise<UpdateResult> {
	try {
		return (await sql.begin(async (tx): Promise<UpdateResult> => {
			const [locked] = await tx<
				{ status: SessionStatus }[]
			>`select status from voting_session where id = ${votingSessionId} for update`;
			if (!locked) return { ok: false, error: 'not_found' };
			if (locked.status !== 'draft') return { ok: false, error: 'not_draft' };
			const stored = storedRules(input.rules);
			await tx`
				update voting_session set title = ${input.title}, year = ${input.year}, ballot_method = ${input.rules.ballotMethod},
				       seats = ${stored.seats}, threshold_base = ${input.rules.thresholdBase}, allow_abstain = ${stored.allowAbstain},
				       opens_at = ${input.opensAt ?? null}, closes_at = ${input.closesAt ?? null}
				where id = ${votingSessionId}
				  and (title, year, ballot_method, seats, threshold_base, allow_abstain, opens_at, closes_at)
				      is distinct from (${input.title}, ${input.year}, ${input.rules.ballotMethod}, ${stored.seats}::int,
				                        ${input.rules.thresholdBase}, ${stored.allowAbstain}, ${input.opensAt ?? null}::timestamptz,
				                        ${input.closesAt ?? null}::timestamptz)`;
			if (input.procedure) await saveProcedureSettings(tx, votingSessionId, input.procedure);
			const current = await tx<{ candidateId: number }[]>`
				select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${votingSessionId} order by position`;
			const unchanged =
				current.length === input.candidateIds.length &&
				current.every((row, index) => row.candidateId === input.candidateIds[index]);
			if (!unchanged) {
				await tx`delete from voting_session_candidate where voting_session_id = ${votingSessionId}`;
				await tx`insert into voting_session_candidate ${tx(
					input.candidateIds.map((candidateId, position) => ({
						voting_session_id: votingSessionId,
						candidate_id: candidateId,
						position
					}))
				)}`;
			}
			await appendAudit(tx, {
				actorUserId,
				action: 'session.updated',
				votingSessionId,
				details: { title: input.title, ...stored.auditDetails, candidates: input.candidateIds.length }
			});
			return { ok: true };
		})) as UpdateResult;
	} catch (error) {
		const code = (error as { code?: string }).code;
		if (code === 'PJ301') return { ok: false, error: 'rules_adopted' };
		if (code === 'PJ315') return { ok: false, error: 'review_recorded' };
		throw error;
	}
}

/** The candidate ids of a session in ballot order. */
export async function sessionCandidateIds(sql: Sql, votingSessionId: number): Promise<number[]> {
	const rows = await sql<{ candidateId: number }[]>`
		select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${votingSessionId} order by position`;
	return rows.map((row) => row.candidateId);
}
