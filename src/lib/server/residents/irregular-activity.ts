// The irregular-activity (刷票) report of a selection round, for staff: what vote-buying scripts
// leave behind. Findings only point: staff judge and exclude (selection.ts, excludeSupports).
// - supports per hour against new registrations (a script registers, then supports);
// - participating accounts clustered by address prefix (/24, /64) and by user agent;
// - accounts that supported the same candidate shortly after registering;
// - bursts of supports on one candidate within ten minutes.
// It reads what is recorded for this and nothing more: each support's time, and the prefix and user
// agent of each resident's last change (migrations/00014_verified_residents.sql).
import type { Sql } from '../db/client';
import { maskedMobile } from './mobile-verification';

/** An address block or a user agent shared by at least this many participating accounts is reported. */
export const CLUSTER_MIN_ACCOUNTS = 5;
/** Accounts that supported within this many hours of registering… */
export const FRESH_ACCOUNT_HOURS = 24;
/** …reported when at least this many did so for the same candidate. */
export const FRESH_MIN_ACCOUNTS = 5;
/** A candidate receiving at least this many supports within ten minutes is reported. */
export const BURST_MIN_SUPPORTS = 10;
/** Accounts listed per finding at most (the counts are exact). */
const ACCOUNTS_PER_FINDING = 200;

export interface ReviewAccount {
	id: number;
	username: string;
	/** Masked (138****1234), or null when the account has no verified number. */
	mobile: string | null;
	registeredAt: Date | null;
	excluded: boolean;
	erased: boolean;
}

export interface Finding {
	/** What the accounts share: an address block, a user agent, a candidate (and a time window). */
	label: string;
	candidateId?: number;
	windowStart?: Date;
	accountCount: number;
	supportCount?: number;
	accounts: ReviewAccount[];
}

export interface HourRow {
	hour: Date;
	supports: number;
	newParticipants: number;
	registrations: number;
}

export interface IrregularActivityReport {
	hourly: HourRow[];
	byPrefix: Finding[];
	byUserAgent: Finding[];
	freshAccounts: Finding[];
	bursts: Finding[];
}

type Group = {
	label: string;
	candidateId?: number;
	windowStart?: Date;
	accountCount: number;
	supportCount?: number;
	ids: number[];
};

export async function irregularActivityReport(sql: Sql, roundId: number): Promise<IrregularActivityReport> {
	const [hourly, byPrefix, byUserAgent, freshAccounts, bursts] = await Promise.all([
		// Hours with any activity, over the round's last 14 days at most.
		sql<HourRow[]>`
			with bounds as (
				select greatest(opens_at, least(closes_at, now()) - interval '14 days') as starts_at, least(closes_at, now()) as ends_at
				from selection_round where id = ${roundId}
			),
			supports as (
				select date_trunc('hour', supported_at) as hour, count(*)::int as n from selection_support
				where round_id = ${roundId} and supported_at >= (select starts_at from bounds) group by 1
			),
			first_supports as (
				select date_trunc('hour', min(supported_at)) as hour from selection_support where round_id = ${roundId} group by resident_id
			),
			participants as (select hour, count(*)::int as n from first_supports group by hour),
			registrations as (
				select date_trunc('hour', registered_at) as hour, count(*)::int as n from resident_profile, bounds
				where registered_at >= bounds.starts_at and registered_at < bounds.ends_at group by 1
			)
			select hour, coalesce(s.n, 0) as supports, coalesce(p.n, 0) as "newParticipants", coalesce(g.n, 0) as registrations
			from supports s full join participants p using (hour) full join registrations g using (hour)
			where hour >= (select date_trunc('hour', starts_at) from bounds)
			order by hour`,
		sql<Group[]>`
			select host(network(address_prefix)) || '/' || masklen(address_prefix) as label, count(*)::int as "accountCount",
			       (array_agg(resident_id order by resident_id))[1:${ACCOUNTS_PER_FINDING}] as ids
			from selection_participant
			where round_id = ${roundId} and address_prefix is not null and supports > 0
			group by address_prefix having count(*) >= ${CLUSTER_MIN_ACCOUNTS}
			order by count(*) desc, address_prefix`,
		sql<Group[]>`
			select user_agent as label, count(*)::int as "accountCount",
			       (array_agg(resident_id order by resident_id))[1:${ACCOUNTS_PER_FINDING}] as ids
			from selection_participant
			where round_id = ${roundId} and user_agent is not null and supports > 0
			group by user_agent having count(*) >= ${CLUSTER_MIN_ACCOUNTS}
			order by count(*) desc, user_agent`,
		sql<Group[]>`
			select c.title as label, s.candidate_id as "candidateId", count(*)::int as "accountCount",
			       (array_agg(s.resident_id order by s.resident_id))[1:${ACCOUNTS_PER_FINDING}] as ids
			from selection_support s
			join resident_profile r on r.user_id = s.resident_id
			join candidate c on c.id = s.candidate_id
			where s.round_id = ${roundId} and s.supported_at - r.registered_at < make_interval(hours => ${FRESH_ACCOUNT_HOURS})
			group by s.candidate_id, c.title having count(*) >= ${FRESH_MIN_ACCOUNTS}
			order by count(*) desc, s.candidate_id`,
		sql<Group[]>`
			select c.title as label, s.candidate_id as "candidateId",
			       date_bin('10 minutes', s.supported_at, r.opens_at) as "windowStart",
			       count(distinct s.resident_id)::int as "accountCount", count(*)::int as "supportCount",
			       (array_agg(s.resident_id order by s.resident_id))[1:${ACCOUNTS_PER_FINDING}] as ids
			from selection_support s
			join selection_round r on r.id = s.round_id
			join candidate c on c.id = s.candidate_id
			where s.round_id = ${roundId}
			group by s.candidate_id, c.title, 3 having count(*) >= ${BURST_MIN_SUPPORTS}
			order by count(*) desc, 3, s.candidate_id`
	]);
	const groups = [byPrefix, byUserAgent, freshAccounts, bursts];
	const ids = [...new Set(groups.flat().flatMap((group) => group.ids))];
	const accounts = await reviewAccounts(sql, roundId, ids);
	const toFinding = ({ ids: members, ...group }: Group): Finding => ({
		...group,
		accounts: members.map((id) => accounts.get(id)).filter((account): account is ReviewAccount => !!account)
	});
	return {
		hourly,
		byPrefix: byPrefix.map(toFinding),
		byUserAgent: byUserAgent.map(toFinding),
		freshAccounts: freshAccounts.map(toFinding),
		bursts: bursts.map(toFinding)
	};
}

/** The accounts as staff see them (masked numbers), with whether their supports in the round are excluded. */
export async function reviewAccounts(sql: Sql, roundId: number, ids: number[]): Promise<Map<number, ReviewAccount>> {
	if (ids.length === 0) return new Map();
	const rows = await sql<
		{
			id: number;
			username: string;
			sealed: Buffer | null;
			registeredAt: Date | null;
			excluded: boolean;
			erased: boolean;
		}[]
	>`
		select u.id, u.username, r.mobile_ciphertext as sealed, r.registered_at as "registeredAt",
		       exists (select 1 from selection_exclusion e where e.round_id = ${roundId} and e.resident_id = u.id) as excluded,
		       r.erased_at is not null as erased
		from app_user u left join resident_profile r on r.user_id = u.id
		where u.id = any(${ids}::bigint[])`;
	return new Map(
		rows.map(({ sealed, ...row }) => [row.id, { ...row, mobile: maskedMobile(sealed, row.id) } satisfies ReviewAccount])
	);
}

export interface ResidentForStaff {
	account: ReviewAccount;
	identityVerified: boolean;
	rounds: {
		roundId: number;
		title: string;
		supports: number;
		addressPrefix: string | null;
		userAgent: string | null;
		changedAt: Date | null;
		excluded: boolean;
	}[];
}

/** What staff see of one resident, linked from the review: masked number, rounds, the recorded context. */
export async function residentForStaff(sql: Sql, residentId: number): Promise<ResidentForStaff | null> {
	const [row] = await sql<
		{
			id: number;
			username: string;
			sealed: Buffer | null;
			registeredAt: Date | null;
			erased: boolean;
			identityVerified: boolean;
		}[]
	>`
		select u.id, u.username, r.mobile_ciphertext as sealed, r.registered_at as "registeredAt",
		       r.erased_at is not null as erased, r.identity_verified_at is not null as "identityVerified"
		from app_user u join user_role ur on ur.user_id = u.id and ur.role = 'resident'
		left join resident_profile r on r.user_id = u.id
		where u.id = ${residentId}`;
	if (!row) return null;
	const rounds = await sql<ResidentForStaff['rounds']>`
		select p.round_id as "roundId", s.title, p.supports,
		       case when p.address_prefix is null then null else host(network(p.address_prefix)) || '/' || masklen(p.address_prefix) end as "addressPrefix",
		       p.user_agent as "userAgent", p.changed_at as "changedAt",
		       exists (select 1 from selection_exclusion e where e.round_id = p.round_id and e.resident_id = p.resident_id) as excluded
		from selection_participant p join selection_round s on s.id = p.round_id
		where p.resident_id = ${residentId} order by s.opens_at desc, s.id desc`;
	const { sealed, identityVerified, ...account } = row;
	return {
		account: { ...account, mobile: maskedMobile(sealed, row.id), excluded: false },
		identityVerified,
		rounds
	};
}
