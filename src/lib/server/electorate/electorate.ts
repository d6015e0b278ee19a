// A session's electorate (应到): enrolling delegates of the roster while the session is a draft
// (the database freezes the list once it opens), removing one, and the list with presence.
import type { ElectorateChangeError } from '$lib/domain/electorate';
import type { SessionStatus } from '$lib/domain/types';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { enrollDelegates, rosterDelegateIds } from '../voting/sessions';

export const ELECTORATE_PAGE_SIZE = 100;

export interface ElectorateMember {
	delegateId: number;
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string | null;
	present: boolean;
	disabled: boolean;
}

export interface ElectoratePage {
	members: ElectorateMember[];
	/** Members matching the search (for paging). */
	matching: number;
	enrolled: number;
	present: number;
	page: number;
	pageCount: number;
}

/**
 * Who is enrolled (and present), searched by name, number or delegation, optionally only one
 * delegation's members and only those not yet checked in (the hall's check-in list, issue 15).
 * Never whether anyone voted.
 */
export async function listElectorate(
	sql: Sql,
	votingSessionId: number,
	options: { query?: string; page?: number; delegation?: string | null; absentOnly?: boolean } = {}
): Promise<ElectoratePage> {
	const pattern = options.query?.trim() ? `%${options.query.trim().replace(/[\\%_]/g, '\\$&')}%` : null;
	const delegation = options.delegation?.trim() || null;
	const absentOnly = options.absentOnly ?? false;
	const matches =
		() => sql`(${pattern}::text is null or u.display_name ilike ${pattern} or u.delegate_number ilike ${pattern}
		                   or u.delegation ilike ${pattern} or u.username ilike ${pattern})
		and (${delegation}::text is null or u.delegation = ${delegation}::text)
		and (not ${absentOnly}::boolean or not e.present)`;
	const [counts] = await sql<{ enrolled: number; present: number; matching: number }[]>`
		select count(*)::int as enrolled, count(*) filter (where e.present)::int as present,
		       count(*) filter (where ${matches()})::int as matching
		from electorate_member e join app_user u on u.id = e.delegate_id
		where e.voting_session_id = ${votingSessionId}`;
	const { enrolled, present, matching } = counts ?? { enrolled: 0, present: 0, matching: 0 };
	const pageCount = Math.max(1, Math.ceil(matching / ELECTORATE_PAGE_SIZE));
	const page = Math.min(Math.max(1, options.page ?? 1), pageCount);
	const members = await sql<ElectorateMember[]>`
		select u.id as "delegateId", u.username, u.display_name as "displayName", u.delegation,
		       u.delegate_number as "delegateNumber", e.present, u.disabled_at is not null as disabled
		from electorate_member e join app_user u on u.id = e.delegate_id
		where e.voting_session_id = ${votingSessionId} and ${matches()}
		order by u.delegation nulls last, u.delegate_number nulls last, u.username
		limit ${ELECTORATE_PAGE_SIZE} offset ${(page - 1) * ELECTORATE_PAGE_SIZE}`;
	return { members, matching, enrolled, present, page, pageCount };
}

/** One delegation's figures in a session (代表团): 应到, 实到 and 已投 as counts, never who. */
export interface DelegationTurnout {
	/** null: delegates without a delegation. */
	delegation: string | null;
	enrolled: number;
	present: number;
	cast: number;
}

/** The session's electorate by delegation, in the roster's order (staff console and check-in filter). */
export async function delegationTurnout(sql: Sql, votingSessionId: number): Promise<DelegationTurnout[]> {
	return sql<DelegationTurnout[]>`
		select u.delegation, count(*)::int as enrolled, count(*) filter (where e.present)::int as present,
		       count(m.delegate_id)::int as cast
		from electorate_member e join app_user u on u.id = e.delegate_id
		left join ballot_mark m on m.voting_session_id = e.voting_session_id and m.delegate_id = e.delegate_id
		where e.voting_session_id = ${votingSessionId}
		group by u.delegation order by u.delegation nulls last`;
}

/** The members of one delegation not yet checked in (for checking the whole delegation in at once). */
export async function absentMembersOf(sql: Sql, votingSessionId: number, delegation: string): Promise<number[]> {
	const rows = await sql<{ id: number }[]>`
		select e.delegate_id as id from electorate_member e join app_user u on u.id = e.delegate_id
		where e.voting_session_id = ${votingSessionId} and u.delegation = ${delegation} and not e.present
		order by u.delegate_number nulls last, u.username`;
	return rows.map((row) => row.id);
}

/** One member of a session's electorate, or null when the delegate is not enrolled. */
export async function getElectorateMember(
	sql: Sql,
	votingSessionId: number,
	delegateId: number
): Promise<ElectorateMember | null> {
	const [member] = await sql<ElectorateMember[]>`
		select u.id as "delegateId", u.username, u.display_name as "displayName", u.delegation,
		       u.delegate_number as "delegateNumber", e.present, u.disabled_at is not null as disabled
		from electorate_member e join app_user u on u.id = e.delegate_id
		where e.voting_session_id = ${votingSessionId} and e.delegate_id = ${delegateId}`;
	return member ?? null;
}

/** Delegations of the active roster with their number of delegates (for choosing whom to enrol). */
export async function listDelegations(sql: Sql): Promise<{ delegation: string; delegates: number }[]> {
	return sql<{ delegation: string; delegates: number }[]>`
		select u.delegation, count(*)::int as delegates
		from app_user u join user_role r on r.user_id = u.id and r.role = 'delegate'
		where u.delegation is not null and u.disabled_at is null
		group by u.delegation order by u.delegation`;
}

export type ElectorateChangeResult =
	{ ok: true; count: number } | { ok: false; error: ElectorateChangeError; status?: SessionStatus };

/**
 * Enrols the roster's active delegates (all, or those of the chosen delegations) in a draft
 * session; those already enrolled stay as they are. Returns how many were added.
 */
export async function enrolFromRoster(
	sql: Sql,
	input: { votingSessionId: number; delegations: string[] | null; actorUserId: number }
): Promise<ElectorateChangeResult> {
	return sql.begin(async (tx): Promise<ElectorateChangeResult> => {
		const [votingSession] = await tx<{ status: SessionStatus }[]>`
			select status from voting_session where id = ${input.votingSessionId} for update`;
		if (!votingSession) return { ok: false, error: 'not_found' };
		if (votingSession.status !== 'draft') return { ok: false, error: 'frozen', status: votingSession.status };
		const delegateIds = await rosterDelegateIds(tx, input.delegations);
		if (delegateIds.length === 0) return { ok: false, error: 'no_delegates' };
		const added = await enrollDelegates(tx, input.votingSessionId, delegateIds, input.actorUserId);
		return { ok: true, count: added };
	}) as Promise<ElectorateChangeResult>;
}

/**
 * Removes one delegate from a draft session's electorate (应到), for a reason kept in the audit log
 * (e.g. 代表资格终止). A delegate on leave (请假) stays enrolled and is simply not checked in.
 */
export async function removeFromElectorate(
	sql: Sql,
	input: { votingSessionId: number; delegateId: number; reason: string; actorUserId: number }
): Promise<ElectorateChangeResult> {
	return sql.begin(async (tx): Promise<ElectorateChangeResult> => {
		const [votingSession] = await tx<{ status: SessionStatus }[]>`
			select status from voting_session where id = ${input.votingSessionId} for update`;
		if (!votingSession) return { ok: false, error: 'not_found' };
		if (votingSession.status !== 'draft') return { ok: false, error: 'frozen', status: votingSession.status };
		const [removed] = await tx<{ username: string; delegateNumber: string | null }[]>`
			delete from electorate_member e using app_user u
			where e.voting_session_id = ${input.votingSessionId} and e.delegate_id = ${input.delegateId} and u.id = e.delegate_id
			returning u.username, u.delegate_number as "delegateNumber"`;
		if (!removed) return { ok: false, error: 'not_enrolled' };
		await appendAudit(tx, {
			actorUserId: input.actorUserId,
			action: 'electorate.removed',
			votingSessionId: input.votingSessionId,
			details: { delegate: removed.username, delegateNumber: removed.delegateNumber, reason: input.reason }
		});
		return { ok: true, count: 1 };
	}) as Promise<ElectorateChangeResult>;
}
