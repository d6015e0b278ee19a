// A resident's personal information (个人信息保护法): everything kept about them as JSON (/me/data),
// deleting their account, and removing unverified accounts that show no activity.
//
// Deleting an account removes the personal data and keeps what the public record needs: the
// account row stays as an anonymous tombstone (a random username, no password, "已注销用户"), so
// public proposals keep their author (shown as 已注销用户, without the contact given on them) and
// every support stays counted (the round's counts do not change), linked to no one. Drafts,
// sessions, the verified number, identity links, consents and codes are deleted; the recorded
// address prefixes and user agents are cleared. One transaction with its audit entry.
import { randomBytes } from 'node:crypto';
import { inactiveAccountDays } from '$lib/domain/verification';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { verifyPassword } from '../auth/password';
import { purgeUsedChallenges } from './altcha';
import { openMobile } from './personal-data-key';
import { runPeriodically } from '../jobs/periodic';

/** The display name an erased account keeps (the pages show it translated). */
export const ERASED_DISPLAY_NAME = '已注销用户';

export interface ResidentDataExport {
	exportedAt: string;
	account: { id: number; username: string; displayName: string; roles: string[]; createdAt: string };
	profile: {
		registeredAt: string;
		lastActiveAt: string;
		mobile: string | null;
		mobileVerifiedAt: string | null;
		identityVerifiedAt: string | null;
	} | null;
	identities: { issuer: string; subject: string; verified: boolean; firstSeenAt: string; lastSeenAt: string }[];
	consents: { purpose: string; textVersion: string; consentedAt: string }[];
	pendingMobileCode: { sentAt: string; expiresAt: string; attempts: number } | null;
	sessions: { createdAt: string; lastVerifiedAt: string }[];
	proposals: Record<string, unknown>[];
	selection: {
		roundId: number;
		title: string;
		addressPrefix: string | null;
		userAgent: string | null;
		changedAt: string | null;
		excluded: { reason: string; excludedAt: string } | null;
		supports: { candidateId: number; candidateTitle: string; supportedAt: string }[];
	}[];
}

const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);

/** Everything kept about a user, for them to download. */
export async function exportResidentData(sql: Sql, userId: number): Promise<ResidentDataExport | null> {
	const [account] = await sql<
		{ id: number; username: string; displayName: string; roles: string[]; createdAt: Date }[]
	>`
		select u.id, u.username, u.display_name as "displayName", u.created_at as "createdAt",
		       coalesce((select array_agg(role order by role) from user_role where user_id = u.id), '{}') as roles
		from app_user u where u.id = ${userId}`;
	if (!account) return null;
	const [profileRows, identities, consents, codes, sessions, proposals, rounds] = await Promise.all([
		sql<
			{
				registeredAt: Date;
				lastActiveAt: Date;
				sealed: Buffer | null;
				mobileVerifiedAt: Date | null;
				identityVerifiedAt: Date | null;
			}[]
		>`
			select registered_at as "registeredAt", last_active_at as "lastActiveAt", mobile_ciphertext as sealed,
			       mobile_verified_at as "mobileVerifiedAt", identity_verified_at as "identityVerifiedAt"
			from resident_profile where user_id = ${userId}`,
		sql<{ issuer: string; subject: string; verified: boolean; firstSeenAt: Date; lastSeenAt: Date }[]>`
			select issuer, subject, verified, first_seen_at as "firstSeenAt", last_seen_at as "lastSeenAt"
			from resident_identity where user_id = ${userId} order by first_seen_at`,
		sql<{ purpose: string; textVersion: string; consentedAt: Date }[]>`
			select purpose, text_version as "textVersion", consented_at as "consentedAt"
			from personal_data_consent where user_id = ${userId} order by consented_at, id`,
		sql<{ sentAt: Date; expiresAt: Date; attempts: number }[]>`
			select sent_at as "sentAt", expires_at as "expiresAt", attempts from mobile_verification_code where user_id = ${userId}`,
		sql<{ createdAt: Date; lastVerifiedAt: Date }[]>`
			select created_at as "createdAt", last_verified_at as "lastVerifiedAt" from auth_session where user_id = ${userId} order by created_at`,
		sql<Record<string, unknown>[]>`
			select p.id, p.campaign_id as "campaignId", p.status, p.title, c.name as category, p.district, p.problem, p.measure,
			       p.beneficiaries, p.estimated_cost_yuan as "estimatedCostYuan", p.contact, p.decision_reason as "decisionReason",
			       p.created_at as "createdAt", p.submitted_at as "submittedAt", p.decided_at as "decidedAt"
			from proposal p left join category c on c.id = p.category_id where p.author_id = ${userId} order by p.id`,
		sql<
			{
				roundId: number;
				title: string;
				addressPrefix: string | null;
				userAgent: string | null;
				changedAt: Date | null;
				exclusionReason: string | null;
				excludedAt: Date | null;
				supports: { candidateId: number; candidateTitle: string; supportedAt: string }[];
			}[]
		>`
			select p.round_id as "roundId", r.title,
			       case when p.address_prefix is null then null else host(network(p.address_prefix)) || '/' || masklen(p.address_prefix) end as "addressPrefix",
			       p.user_agent as "userAgent", p.changed_at as "changedAt", e.reason as "exclusionReason", e.excluded_at as "excludedAt",
			       coalesce((select json_agg(json_build_object('candidateId', s.candidate_id, 'candidateTitle', c.title, 'supportedAt', s.supported_at) order by s.candidate_id)
			                 from selection_support s join candidate c on c.id = s.candidate_id
			                 where s.round_id = p.round_id and s.resident_id = p.resident_id), '[]') as supports
			from selection_participant p join selection_round r on r.id = p.round_id
			left join selection_exclusion e on e.round_id = p.round_id and e.resident_id = p.resident_id
			where p.resident_id = ${userId} order by p.round_id`
	]);
	const profile = profileRows[0];
	const code = codes[0];
	return {
		exportedAt: new Date().toISOString(),
		account: { ...account, createdAt: account.createdAt.toISOString() },
		profile: profile
			? {
					registeredAt: profile.registeredAt.toISOString(),
					lastActiveAt: profile.lastActiveAt.toISOString(),
					mobile: profile.sealed ? openMobile(profile.sealed, userId) : null,
					mobileVerifiedAt: iso(profile.mobileVerifiedAt),
					identityVerifiedAt: iso(profile.identityVerifiedAt)
				}
			: null,
		identities: identities.map((row) => ({
			...row,
			firstSeenAt: row.firstSeenAt.toISOString(),
			lastSeenAt: row.lastSeenAt.toISOString()
		})),
		consents: consents.map((row) => ({ ...row, consentedAt: row.consentedAt.toISOString() })),
		pendingMobileCode: code
			? { sentAt: code.sentAt.toISOString(), expiresAt: code.expiresAt.toISOString(), attempts: code.attempts }
			: null,
		sessions: sessions.map((row) => ({
			createdAt: row.createdAt.toISOString(),
			lastVerifiedAt: row.lastVerifiedAt.toISOString()
		})),
		proposals,
		selection: rounds.map(({ exclusionReason, excludedAt, changedAt, ...round }) => ({
			...round,
			changedAt: iso(changedAt),
			excluded: exclusionReason && excludedAt ? { reason: exclusionReason, excludedAt: excludedAt.toISOString() } : null
		}))
	};
}

export type ErasureResult = { ok: true } | { ok: false; error: 'not_found' | 'not_resident_only' | 'password_wrong' };

/**
 * Deletes a resident's account as described above. `password` must match when the account has one
 * (an account made through the identity platform has none). `actorUserId` null: the scheduler.
 */
export async function eraseResidentAccount(
	sql: Sql,
	userId: number,
	options: { password: string | null; reason: 'resident_request' | 'inactive' }
): Promise<ErasureResult> {
	const [user] = await sql<{ passwordHash: string | null; roles: string[] }[]>`
		select password_hash as "passwordHash",
		       coalesce((select array_agg(role) from user_role where user_id = u.id), '{}') as roles
		from app_user u where u.id = ${userId}`;
	if (!user) return { ok: false, error: 'not_found' };
	if (user.roles.length !== 1 || user.roles[0] !== 'resident') return { ok: false, error: 'not_resident_only' };
	if (options.reason === 'resident_request' && user.passwordHash !== null) {
		if (!options.password || !(await verifyPassword(user.passwordHash, options.password))) {
			return { ok: false, error: 'password_wrong' };
		}
	}
	return (await sql.begin(async (tx) => {
		const [locked] = await tx<{ id: number }[]>`select id from app_user where id = ${userId} for update`;
		if (!locked) return { ok: false as const, error: 'not_found' as const };
		// Lets proposal_guard accept exactly one change to a submitted proposal: emptying its contact.
		await tx`select set_config('piaojue.erasure', 'on', true)`;
		const [counts] = await tx<{ drafts: number; publicProposals: number; supports: number }[]>`
			select (select count(*) from proposal where author_id = ${userId} and status = 'draft')::int as drafts,
			       (select count(*) from proposal where author_id = ${userId} and status <> 'draft')::int as "publicProposals",
			       (select count(*) from selection_support where resident_id = ${userId})::int as supports`;
		await tx`delete from proposal where author_id = ${userId} and status = 'draft'`;
		await tx`update proposal set contact = '' where author_id = ${userId} and contact <> ''`;
		await tx`select set_config('piaojue.erasure', 'off', true)`;
		await tx`delete from auth_session where user_id = ${userId}`;
		await tx`delete from resident_identity where user_id = ${userId}`;
		await tx`delete from mobile_verification_code where user_id = ${userId}`;
		await tx`delete from personal_data_consent where user_id = ${userId}`;
		await tx`
			update selection_participant set address_prefix = null, user_agent = null, changed_at = null
			where resident_id = ${userId}`;
		await tx`
			insert into resident_profile (user_id) values (${userId}) on conflict (user_id) do nothing`;
		await tx`
			update resident_profile set mobile_ciphertext = null, mobile_hash = null, mobile_verified_at = null,
				identity_verified_at = null, erased_at = now()
			where user_id = ${userId}`;
		await tx`
			update app_user set username = ${`erased.${randomBytes(8).toString('hex')}`}, display_name = ${ERASED_DISPLAY_NAME},
				password_hash = null, disabled_at = coalesce(disabled_at, now())
			where id = ${userId}`;
		await appendAudit(tx, {
			actorUserId: options.reason === 'resident_request' ? userId : null,
			action: 'resident.account_erased',
			details: {
				userId,
				reason: options.reason,
				draftsDeleted: counts?.drafts ?? 0,
				publicProposalsKept: counts?.publicProposals ?? 0,
				supportsKeptAnonymous: counts?.supports ?? 0
			}
		});
		return { ok: true as const };
	})) as ErasureResult;
}

/**
 * Unverified resident accounts with no activity for `days`: registered and last signed in before
 * then, no verified number or identity, no proposal and no support ever. They are deleted outright
 * (nothing public hangs on them), each with an audit entry.
 */
export async function purgeInactiveAccounts(sql: Sql, days: number): Promise<number[]> {
	const removed = await sql.begin(async (tx) => {
		const rows = await tx<{ userId: number }[]>`
			delete from app_user u
			using resident_profile r
			where r.user_id = u.id
			  and r.erased_at is null and r.mobile_verified_at is null and r.identity_verified_at is null
			  and r.registered_at < now() - make_interval(days => ${days})
			  and r.last_active_at < now() - make_interval(days => ${days})
			  and not exists (select 1 from auth_session s where s.user_id = u.id and s.last_verified_at >= now() - make_interval(days => ${days}))
			  and not exists (select 1 from proposal p where p.author_id = u.id)
			  and not exists (select 1 from selection_participant p where p.resident_id = u.id)
			  and not exists (select 1 from user_role ur where ur.user_id = u.id and ur.role <> 'resident')
			  and not exists (select 1 from audit_entry a where a.actor_user_id = u.id)
			returning u.id as "userId"`;
		for (const row of rows) {
			await appendAudit(tx, {
				actorUserId: null,
				action: 'resident.inactive_account_removed',
				details: { userId: row.userId, inactiveDays: days }
			});
		}
		return rows.map((row) => row.userId);
	});
	return removed as number[];
}

/**
 * The residents' housekeeping, a periodic job of every instance (src/lib/server/jobs/periodic.ts):
 * the delete's row locks make each account go once. Hourly unless
 * PIAOJUE_HOUSEKEEPING_INTERVAL_SECONDS says otherwise; the period is PIAOJUE_INACTIVE_ACCOUNT_DAYS.
 */
export function startResidentsHousekeeping(
	sql: Sql,
	log: (line: string) => void = console.log,
	env: NodeJS.ProcessEnv = process.env
): () => void {
	const days = inactiveAccountDays(env.PIAOJUE_INACTIVE_ACCOUNT_DAYS);
	const seconds = Number(env.PIAOJUE_HOUSEKEEPING_INTERVAL_SECONDS ?? '3600');
	const intervalMs = (Number.isFinite(seconds) && seconds >= 1 ? seconds : 3600) * 1000;
	return runPeriodically(
		{
			name: 'residents housekeeping',
			intervalMs,
			firstRunAfterMs: Math.min(10_000, intervalMs),
			run: async () => {
				const [removed] = await Promise.all([purgeInactiveAccounts(sql, days), purgeUsedChallenges(sql)]);
				if (removed.length > 0) log(`removed ${removed.length} unverified resident accounts inactive for ${days} days`);
			}
		},
		log
	);
}
