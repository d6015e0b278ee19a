// Browsing the audit chain: filters (voting session, action, actor, date range in Asia/Shanghai),
// newest first, paged by sequence number (keyset: stable while new entries are appended).
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import type { Sql } from '../db/client';

export const AUDIT_PAGE_SIZE = 50;

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const dateSchema = z.preprocess(
	blankToUndefined,
	z
		.string()
		.trim()
		.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'screen_audit_error_date' })
		.refine(
			(value) =>
				!Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
				new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
			{
				error: 'screen_audit_error_date'
			}
		)
		.optional()
);

/** The filter as it comes in the query string; each error message is a Paraglide message key. */
export const auditFilterSchema = z
	.object({
		session: z.preprocess(blankToUndefined, idSchema.optional()),
		action: z.preprocess(
			blankToUndefined,
			z
				.string()
				.trim()
				.regex(/^[A-Za-z0-9_.:-]{1,100}$/, { error: 'screen_audit_error_action' })
				.optional()
		),
		/** A user id, or "system" for entries without a user (e.g. a ballot cast, a scheduled step). */
		actor: z.preprocess(
			blankToUndefined,
			z.union([z.literal('system'), idSchema], { error: 'screen_audit_error_actor' }).optional()
		),
		from: dateSchema,
		to: dateSchema,
		before: z.preprocess(blankToUndefined, idSchema.optional()),
		after: z.preprocess(blankToUndefined, idSchema.optional())
	})
	.refine((filter) => !filter.from || !filter.to || filter.from <= filter.to, {
		error: 'screen_audit_error_range',
		path: ['to']
	});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface AuditRow {
	seq: number;
	at: Date;
	actorUsername: string | null;
	actorDisplayName: string | null;
	action: string;
	votingSessionId: number | null;
	votingSessionTitle: string | null;
	details: Record<string, unknown>;
	hash: string;
}

export interface AuditPage {
	entries: AuditRow[];
	/** Whether newer / older entries match the filter (links to them are shown). */
	hasNewer: boolean;
	hasOlder: boolean;
}

function conditions(sql: Sql, filter: AuditFilter) {
	return sql`
		${filter.session !== undefined ? sql`and a.voting_session_id = ${filter.session}` : sql``}
		${filter.action !== undefined ? sql`and a.action = ${filter.action}` : sql``}
		${filter.actor === 'system' ? sql`and a.actor_user_id is null` : filter.actor !== undefined ? sql`and a.actor_user_id = ${filter.actor}` : sql``}
		${filter.from !== undefined ? sql`and a.at >= (${filter.from}::date)::timestamp at time zone 'Asia/Shanghai'` : sql``}
		${filter.to !== undefined ? sql`and a.at < (${filter.to}::date + 1)::timestamp at time zone 'Asia/Shanghai'` : sql``}`;
}

/** One page of entries, newest first: the newest, or those older than `before`, or newer than `after`. */
export async function searchAuditEntries(
	sql: Sql,
	filter: AuditFilter,
	pageSize = AUDIT_PAGE_SIZE
): Promise<AuditPage> {
	const goingNewer = filter.after !== undefined && filter.before === undefined;
	const rows = await sql<AuditRow[]>`
		select a.seq, a.at, u.username as "actorUsername", u.display_name as "actorDisplayName", a.action,
		       a.voting_session_id as "votingSessionId", s.title as "votingSessionTitle", a.details, encode(a.hash, 'hex') as hash
		from audit_entry a
		left join app_user u on u.id = a.actor_user_id
		left join voting_session s on s.id = a.voting_session_id
		where true ${conditions(sql, filter)}
		${filter.before !== undefined ? sql`and a.seq < ${filter.before}` : sql``}
		${goingNewer ? sql`and a.seq > ${filter.after as number}` : sql``}
		order by a.seq ${goingNewer ? sql`asc` : sql`desc`}
		limit ${pageSize + 1}`;
	const more = rows.length > pageSize;
	const entries = rows.slice(0, pageSize);
	if (goingNewer) entries.reverse();
	const newest = entries[0]?.seq;
	const oldest = entries.at(-1)?.seq;
	const beyond = async (direction: 'newer' | 'older', seq: number | undefined) => {
		if (seq === undefined) return false;
		const [row] = await sql<{ found: boolean }[]>`
			select exists (
				select 1 from audit_entry a where true ${conditions(sql, filter)}
				and ${direction === 'newer' ? sql`a.seq > ${seq}` : sql`a.seq < ${seq}`}
			) as found`;
		return row?.found ?? false;
	};
	return {
		entries,
		hasNewer: goingNewer ? more : await beyond('newer', newest),
		hasOlder: goingNewer ? await beyond('older', oldest) : more
	};
}

export interface AuditFilterChoices {
	actions: string[];
	actors: { id: number; username: string; displayName: string }[];
	sessions: { id: number; title: string; year: number }[];
}

/** What the filter's lists offer: the actions and the users found in the chain, and every voting session. */
export async function auditFilterChoices(sql: Sql): Promise<AuditFilterChoices> {
	// Distinct actions by skipping through the (action, seq) index rather than reading every entry.
	const actions = await sql<{ action: string }[]>`
		with recursive found(action) as (
			(select action from audit_entry order by action limit 1)
			union all
			select (select a.action from audit_entry a where a.action > found.action order by a.action limit 1)
			from found where found.action is not null
		)
		select action from found where action is not null`;
	const actors = await sql<{ id: number; username: string; displayName: string }[]>`
		select u.id, u.username, u.display_name as "displayName" from app_user u
		where exists (select 1 from audit_entry a where a.actor_user_id = u.id)
		order by u.username`;
	const sessions = await sql<{ id: number; title: string; year: number }[]>`
		select id, title, year from voting_session order by year desc, id desc`;
	return { actions: actions.map((row) => row.action), actors, sessions };
}
