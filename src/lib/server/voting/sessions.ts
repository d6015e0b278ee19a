// Voting sessions: reading them, creating drafts, the electorate and the lifecycle.
import { quorumState, type QuorumRule, type QuorumState } from '$lib/domain/attendance';
import type { LifecycleAction } from '$lib/domain/lifecycle';
import { canApply, requiredStatus, targetStatus } from '$lib/domain/lifecycle';
import { isEvaluation } from '$lib/domain/methods';
import type { SessionMethod, SessionStatus, ThresholdBase, VotingRules } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { refusalOf } from '../db/refusal';
import { appendAudit } from '../audit/audit';
import { readCastRecord } from '../audit/cast-record';
import { storeTally, tallyDifferences } from './results';
import { notifyTurnout } from '../live/notify';
import { isBelowMinimumRatio } from '$lib/domain/procedure';
import { getProcedure, saveProcedureSettings, type ProcedureSettings } from './procedure';
import { scrutineerDuty, signInProof } from './scrutiny';

export interface VotingSessionSummary {
	id: number;
	title: string;
	year: number;
	status: SessionStatus;
}

/** A session's attendance rules (issue 13), frozen at opening like the voting rules. */
export interface AttendanceRules {
	quorumRule: QuorumRule;
	/** A delegate's own sign-in marks them present (off by default: presence comes from 签到 at the hall). */
	signInMarksPresent: boolean;
	/** The hall networks (CIDR) ballots may be cast from; null: anywhere. */
	castNetworks: string[] | null;
}

export interface VotingSession extends VotingSessionSummary {
	rules: VotingRules;
	attendance: AttendanceRules;
	/** 应到 / 实到 against the quorum, as they stand now. */
	quorum: QuorumState;
	opensAt: Date | null;
	closesAt: Date | null;
	openedAt: Date | null;
	closedAt: Date | null;
	publishedAt: Date | null;
	/** The scrutineer's confirmation of the tally (who, when). */
	confirmedAt: Date | null;
	confirmedByName: string | null;
	isDemo: boolean;
	/** The anonymous ballots are published with the result (else they go to staff and scrutineers only). */
	publishBallots: boolean;
	enrolled: number;
	present: number;
	cast: number;
	candidateCount: number;
}

/** The sessions, newest first; drafts only for those who prepare them (staff): `drafts` says which. */
export async function listVotingSessions(sql: Sql, options: { drafts: boolean }): Promise<VotingSessionSummary[]> {
	return sql<VotingSessionSummary[]>`
		select id, title, year, status from voting_session
		where ${options.drafts} or status <> 'draft'
		order by year desc, id desc`;
}

type SessionRow = Omit<VotingSession, 'rules' | 'attendance' | 'quorum'> &
	AttendanceRules & {
		ballotMethod: SessionMethod;
		seats: number;
		thresholdBase: ThresholdBase;
		allowAbstain: boolean;
	};

function toVotingSession(row: SessionRow): VotingSession {
	const { ballotMethod, seats, thresholdBase, allowAbstain, quorumRule, signInMarksPresent, castNetworks, ...rest } =
		row;
	return {
		...rest,
		rules: { ballotMethod, seats, thresholdBase, allowAbstain },
		attendance: { quorumRule, signInMarksPresent, castNetworks },
		quorum: quorumState(quorumRule, rest.enrolled, rest.present)
	};
}

export async function getVotingSession(sql: Sql | TransactionSql, id: number): Promise<VotingSession | null> {
	const [row] = await sql<SessionRow[]>`
		select s.id, s.title, s.year, s.status, s.ballot_method as "ballotMethod", coalesce(s.seats, 0) as seats,
		       s.threshold_base as "thresholdBase", s.allow_abstain as "allowAbstain", s.opens_at as "opensAt", s.closes_at as "closesAt",
		       s.quorum_rule as "quorumRule", s.sign_in_marks_present as "signInMarksPresent",
		       s.cast_networks::text[] as "castNetworks",
		       s.opened_at as "openedAt", s.closed_at as "closedAt", s.published_at as "publishedAt",
		       s.confirmed_at as "confirmedAt",
		       (select u.display_name from app_user u where u.id = s.confirmed_by) as "confirmedByName",
		       s.is_demo as "isDemo", s.publish_ballots as "publishBallots", electorate.enrolled, electorate.present,
		       -- Marks of paper batches still awaiting their scrutineers are not counted as cast.
		       ((select count(*) from ballot_mark m where m.voting_session_id = s.id)
		        - (select coalesce(sum(b.ballot_count), 0) from paper_batch b where b.voting_session_id = s.id and b.status = 'pending'))::int as cast,
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

/** Sessions a delegate is enrolled in, with whether they have voted (and whether each is a vote or an evaluation). */
export async function listDelegateSessions(
	sql: Sql,
	delegateId: number
): Promise<(VotingSessionSummary & { hasVoted: boolean; ballotMethod: SessionMethod })[]> {
	return sql<(VotingSessionSummary & { hasVoted: boolean; ballotMethod: SessionMethod })[]>`
		select s.id, s.title, s.year, s.status, s.ballot_method as "ballotMethod",
		       exists (select 1 from ballot_mark m where m.voting_session_id = s.id and m.delegate_id = ${delegateId}) as "hasVoted"
		from electorate_member e join voting_session s on s.id = e.voting_session_id
		where e.delegate_id = ${delegateId}
		order by s.year desc, s.id desc`;
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
	/** Publish the anonymous ballots with the result (default: no). */
	publishBallots?: boolean;
}

/** The rules as stored: an evaluation has no seats (NULL) and may allow 弃权; a vote never does. */
function storedRules(rules: VotingRules): {
	seats: number | null;
	allowAbstain: boolean;
	auditDetails: Record<string, string | number | boolean>;
} {
	const evaluation = isEvaluation(rules);
	return {
		seats: evaluation ? null : rules.seats,
		allowAbstain: evaluation && (rules.allowAbstain ?? false),
		auditDetails: evaluation
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
		insert into voting_session (title, year, ballot_method, seats, threshold_base, allow_abstain, opens_at, closes_at, is_demo,
		                            publish_ballots)
		values (${input.title}, ${input.year}, ${input.rules.ballotMethod}, ${stored.seats}, ${input.rules.thresholdBase},
		        ${stored.allowAbstain}, ${input.opensAt ?? null}, ${input.closesAt ?? null}, ${input.isDemo ?? false},
		        ${input.publishBallots ?? false})
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
		details: {
			title: input.title,
			...stored.auditDetails,
			candidates: input.candidateIds.length,
			publishBallots: input.publishBallots ?? false
		}
	});
	return id;
}

/**
 * Creates a draft session as staff do: its electorate (应到) starts as every active delegate on the
 * roster; staff take delegates off it with a reason (kept in the audit log).
 */
export async function createVotingSession(
	sql: Sql,
	input: NewVotingSession,
	actorUserId: number | null
): Promise<number> {
	return sql.begin(async (tx) => {
		const id = await insertVotingSession(tx, input, actorUserId);
		await enrollDelegates(tx, id, await rosterDelegateIds(tx, null), actorUserId);
		return id;
	}) as Promise<number>;
}

/** The active delegates of the roster: all, or those of the given delegations. */
export async function rosterDelegateIds(tx: TransactionSql, delegations: string[] | null): Promise<number[]> {
	const rows = await tx<{ id: number }[]>`
		select u.id from app_user u join user_role r on r.user_id = u.id and r.role = 'delegate'
		where u.disabled_at is null
		  and (${delegations === null} or u.delegation = any(${delegations ?? []}::text[]))
		order by u.id`;
	return rows.map((row) => row.id);
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
	| 'below_quorum'
	| 'vote_void'
	/** The stored tally differs from a recount of the raw ballots, or the marks from the ballots (tally --verify fails). */
	| 'tally_mismatch'
	/** A paper batch still awaits its scrutineers' confirmation: voting cannot close yet. */
	| 'paper_batch_pending'
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
	| { ok: true; status: SessionStatus }
	| { ok: false; error: LifecycleError; status?: SessionStatus; quorum?: QuorumState };

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
		if (!isEvaluation(session.rules) && session.rules.seats >= session.candidateCount)
			return { ok: false, error: 'seats_not_below_candidates' };
		// The meeting's procedure first (it comes before the doors open), then 法定人数: the database
		// refuses both too (procedure_session_guard, attendance_session_guard); this says which, with the numbers.
		const refusal = await openingRefusal(tx, session, options);
		if (refusal) return { ok: false, error: refusal };
		if (!session.quorum.met) return { ok: false, error: 'below_quorum', quorum: session.quorum };
		await recordRatioReason(tx, session, actorUserId, options);
	}
	if (action === 'close') {
		const [pending] = await tx<{ waiting: boolean }[]>`
			select exists (select 1 from paper_batch where voting_session_id = ${votingSessionId} and status = 'pending') as waiting`;
		if (pending?.waiting) return { ok: false, error: 'paper_batch_pending' };
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
		// 收回 > 发出: the vote is void and must be held again (the database refuses it too).
		const [stored] = await tx<{ valid: boolean | null }[]>`
			select (tally -> 'figures' ->> 'valid')::boolean as valid from voting_result where voting_session_id = ${votingSessionId}`;
		if (stored?.valid === false) return { ok: false, error: 'vote_void' };
		if (await refusedForDifferences(tx, votingSessionId, actorUserId, 'publish'))
			return { ok: false, error: 'tally_mismatch' };
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
	// The record of casting (no cast writes an audit entry): the marks and receipts at opening and
	// at closing, counted and digested (docs/decisions/0005-audit-chain.md).
	if (action === 'open' || action === 'close') Object.assign(details, await readCastRecord(tx, votingSessionId));
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
 * delegates of the electorate, and below the minimum 差额 ratio a reason (recorded by
 * `recordRatioReason` once every other condition holds).
 */
async function openingRefusal(
	tx: TransactionSql,
	session: VotingSession,
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
	if (belowMinimumRatio(session, procedure.settings.minCandidateRatio) && !options.ratioReason?.trim())
		return 'ratio_needs_confirmation';
	return null;
}

function belowMinimumRatio(session: VotingSession, minimumRatio: number): boolean {
	return (
		session.rules.ballotMethod !== 'evaluation' &&
		isBelowMinimumRatio(session.candidateCount, session.rules.seats, minimumRatio)
	);
}

/** Opening below the minimum 差额 ratio: the reason given is kept with the session (frozen from opening on). */
async function recordRatioReason(
	tx: TransactionSql,
	session: VotingSession,
	actorUserId: number | null,
	options: LifecycleOptions
): Promise<void> {
	const procedure = await getProcedure(tx, session.id);
	const reason = options.ratioReason?.trim();
	if (!procedure || !reason || !belowMinimumRatio(session, procedure.settings.minCandidateRatio)) return;
	await tx`
		update session_procedure set ratio_below_reason = ${reason}, ratio_confirmed_by = ${actorUserId}
		where voting_session_id = ${session.id}`;
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
export async function applyLifecycle(
	sql: Sql,
	votingSessionId: number,
	action: LifecycleAction,
	actorUserId: number | null,
	options: LifecycleOptions = {}
): Promise<LifecycleResult> {
	try {
		return (await sql.begin((tx) =>
			applyLifecycleInTransaction(tx, votingSessionId, action, actorUserId, options)
		)) as LifecycleResult;
	} catch (error) {
		// The database's own refusals (00012_attendance.sql), when something changed between the
		// app's check and the update: a check-in undone as the session opened.
		const refused = refusalOf(error)?.refusal;
		if (refused === 'below_quorum') {
			const session = await getVotingSession(sql, votingSessionId);
			return { ok: false, error: 'below_quorum', ...(session ? { quorum: session.quorum } : {}) };
		}
		if (refused === 'vote_void') return { ok: false, error: 'vote_void' };
		throw error;
	}
}

/**
 * Before a tally is confirmed or published, `tally --verify`'s checks run in the same transaction:
 * on any difference the step is refused, and the finding is audited (that entry commits; the step
 * does not happen). True when refused.
 */
async function refusedForDifferences(
	tx: TransactionSql,
	votingSessionId: number,
	actorUserId: number | null,
	step: 'confirm' | 'publish'
): Promise<boolean> {
	const differences = await tallyDifferences(tx, votingSessionId);
	if (differences.length === 0) return false;
	await appendAudit(tx, {
		actorUserId,
		action: 'session.verify_failed',
		votingSessionId,
		details: { step, differences: differences.slice(0, 20) }
	});
	return true;
}

export type ConfirmError =
	| 'not_found'
	| 'wrong_status'
	| 'already_confirmed'
	| 'not_scrutineer'
	/** The acting sign-in was not the scrutineer's own password (and second factor) sign-in. */
	| 'sign_in_again'
	| 'tally_mismatch';
export type ConfirmResult = { ok: true } | { ok: false; error: ConfirmError };

/** How a scrutineer proves the act is theirs: their own password sign-in (`authSessionId`), or the demo's seeding (no one signs in). */
export type ConfirmProof = { authSessionId: string } | 'demo_seed';

/**
 * A scrutineer confirms the stored tally of a closed session (recorded with who and when): someone
 * who may act as a scrutineer of it (`scrutineerDuty`, the one rule), through their own password
 * sign-in (`authSessionId`, with the second factor where enrolled), and only when `tally --verify`'s
 * checks find nothing. With a named panel, the tally counts as confirmed once the 总监票人 and a
 * majority of the named 监票人 have confirmed; without one, one holder of the global role confirms.
 */
export async function confirmTally(
	sql: Sql,
	votingSessionId: number,
	scrutineerId: number,
	authSessionId: string
): Promise<ConfirmResult> {
	return sql.begin((tx) =>
		confirmTallyInTransaction(tx, votingSessionId, scrutineerId, { authSessionId })
	) as Promise<ConfirmResult>;
}

export async function confirmTallyInTransaction(
	tx: TransactionSql,
	votingSessionId: number,
	scrutineerId: number,
	proof: ConfirmProof
): Promise<ConfirmResult> {
	const [locked] = await tx<{ status: SessionStatus; confirmedBy: number | null }[]>`
		select status, confirmed_by as "confirmedBy" from voting_session where id = ${votingSessionId} for update`;
	if (!locked) return { ok: false, error: 'not_found' };
	// Read after the lock: a confirmation committed while this one waited is seen.
	const [earlier] = await tx<{ alreadyConfirmed: boolean }[]>`
		select exists (select 1 from session_confirmation where voting_session_id = ${votingSessionId} and user_id = ${scrutineerId}) as "alreadyConfirmed"`;
	const duty = await scrutineerDuty(tx, votingSessionId, scrutineerId);
	if (!duty) return { ok: false, error: 'not_scrutineer' };
	if (proof !== 'demo_seed' && (await signInProof(tx, scrutineerId, proof.authSessionId)) !== 'personal')
		return { ok: false, error: 'sign_in_again' };
	if (locked.status !== 'closed') return { ok: false, error: 'wrong_status' };
	if (earlier?.alreadyConfirmed || (duty === 'global' && locked.confirmedBy !== null))
		return { ok: false, error: 'already_confirmed' };
	if (await refusedForDifferences(tx, votingSessionId, scrutineerId, 'confirm'))
		return { ok: false, error: 'tally_mismatch' };
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
			const publishBallots = input.publishBallots ?? false;
			// Only what changed is written: while the 票决办法 is adopted, an unchanged save is no change.
			await tx`
				update voting_session set title = ${input.title}, year = ${input.year}, ballot_method = ${input.rules.ballotMethod},
				       seats = ${stored.seats}, threshold_base = ${input.rules.thresholdBase}, allow_abstain = ${stored.allowAbstain},
				       opens_at = ${input.opensAt ?? null}, closes_at = ${input.closesAt ?? null},
				       publish_ballots = ${publishBallots}
				where id = ${votingSessionId}
				  and (title, year, ballot_method, seats, threshold_base, allow_abstain, opens_at, closes_at, publish_ballots)
				      is distinct from (${input.title}, ${input.year}, ${input.rules.ballotMethod}, ${stored.seats}::int,
				                        ${input.rules.thresholdBase}, ${stored.allowAbstain}, ${input.opensAt ?? null}::timestamptz,
				                        ${input.closesAt ?? null}::timestamptz, ${publishBallots})`;
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
				details: {
					title: input.title,
					...stored.auditDetails,
					candidates: input.candidateIds.length,
					publishBallots
				}
			});
			return { ok: true };
		})) as UpdateResult;
	} catch (error) {
		const refused = refusalOf(error)?.refusal;
		if (refused === 'rules_adopted') return { ok: false, error: 'rules_adopted' };
		if (refused === 'candidate_list_reviewed') return { ok: false, error: 'review_recorded' };
		throw error;
	}
}

/** The candidate ids of a session in ballot order. */
export async function sessionCandidateIds(sql: Sql, votingSessionId: number): Promise<number[]> {
	const rows = await sql<{ candidateId: number }[]>`
		select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${votingSessionId} order by position`;
	return rows.map((row) => row.candidateId);
}
