// Issue 14 against real PostgreSQL, through the app's modules: SMS codes (validity, tries, rate
// limits, stored hashed), one verified number per resident under concurrent verification, round
// eligibility held by the database, exclusions reconciling with the stored supports under
// concurrency, final results and the carry-over by kept counts, the data export, account deletion
// with every count unchanged, and the removal of inactive unverified accounts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { saveProposal } from '../../src/lib/server/residents/proposals';
import {
	carryOverToVotingSession,
	closeRoundNow,
	createRound,
	excludeSupports,
	finalizeRoundResults,
	liftExclusion,
	readRanking,
	replaceSupports
} from '../../src/lib/server/residents/selection';
import {
	confirmMobileCode,
	ownMobile,
	requestMobileCode,
	SMS_ADDRESS_POLICY,
	SMS_NUMBER_POLICY
} from '../../src/lib/server/residents/mobile-verification';
import {
	eraseResidentAccount,
	exportResidentData,
	purgeInactiveAccounts
} from '../../src/lib/server/residents/personal-data';
import { irregularActivityReport } from '../../src/lib/server/residents/irregular-activity';
import { sessionCandidateIds } from '../../src/lib/server/voting/sessions';
import type { Eligibility } from '../../src/lib/domain/verification';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, createUsers, TEST_PASSWORD } from '../helpers/factory';
import { capturingSender, randomMobile, verifyMobile } from '../helpers/verification';

const HOUR = 3_600_000;
const database = useTestDatabase({ max: 20 });
let staff: { id: number; username: string };
let candidateIds: number[];

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	candidateIds = await createCandidates(database.sql, 6);
});

async function openRound(eligibility: Eligibility, maxSupports = 3, candidates = candidateIds): Promise<number> {
	const round = await createRound(
		database.sql,
		{
			title: `评选 ${eligibility} ${Math.random()}`,
			opensAt: new Date(Date.now() - 60_000),
			closesAt: new Date(Date.now() + 24 * HOUR),
			maxSupports,
			liveRanking: true,
			eligibility,
			candidateIds: candidates
		},
		staff.id
	);
	if (!round.ok) throw new Error(round.problem);
	return round.id;
}

async function errorOf(work: () => Promise<unknown>): Promise<{ code?: string; message?: string } | null> {
	try {
		await work();
		return null;
	} catch (error) {
		return error as { code?: string; message?: string };
	}
}

describe('SMS codes', () => {
	it('sends six digits, keeps only a keyed hash, verifies with the right code and stores the number encrypted', async () => {
		const resident = await createUser(database.sql, ['resident'], 'sms');
		const sender = capturingSender();
		const sent = await requestMobileCode(
			database.sql,
			{ userId: resident.id, mobile: '13812341234', address: '192.0.2.1' },
			sender
		);
		expect(sent).toEqual({ ok: true, masked: '138****1234', expiresInSeconds: 300 });
		expect(sender.sent).toHaveLength(1);
		expect(sender.sent[0]!.to).toBe('13812341234');
		expect(sender.sent[0]!.code).toMatch(/^\d{6}$/);
		const [stored] = await database.sql<{ codeHash: Buffer; sealed: Buffer; lifetime: number }[]>`
			select code_hash as "codeHash", mobile_ciphertext as sealed, extract(epoch from expires_at - sent_at)::int as lifetime
			from mobile_verification_code where user_id = ${resident.id}`;
		expect(stored!.lifetime).toBe(300);
		expect(stored!.codeHash).toHaveLength(32);
		expect(stored!.codeHash.toString('latin1')).not.toContain(sender.sent[0]!.code);
		expect(stored!.sealed.toString('latin1')).not.toContain('13812341234');

		expect(await confirmMobileCode(database.sql, resident.id, sender.sent[0]!.code)).toEqual({
			ok: true,
			masked: '138****1234'
		});
		const [profile] = await database.sql<{ sealed: Buffer; hash: Buffer; verifiedAt: Date | null }[]>`
			select mobile_ciphertext as sealed, mobile_hash as hash, mobile_verified_at as "verifiedAt"
			from resident_profile where user_id = ${resident.id}`;
		expect(profile!.verifiedAt).not.toBeNull();
		expect(profile!.sealed.toString('latin1')).not.toContain('13812341234');
		expect(profile!.hash).toHaveLength(32);
		expect(await ownMobile(database.sql, resident.id)).toBe('13812341234');
		// A ciphertext moved to another resident's row does not open there (bound to the user id).
		const other = await createUser(database.sql, ['resident'], 'sms');
		await database.sql`insert into resident_profile (user_id, mobile_ciphertext, mobile_hash, mobile_verified_at) values (${other.id}, ${profile!.sealed}, ${Buffer.alloc(32, 7)}, now())`;
		expect(await ownMobile(database.sql, other.id)).toBeNull();
		const [consents] = await database.sql<{ count: number }[]>`
			select count(*)::int from personal_data_consent where user_id = ${resident.id} and purpose = 'mobile' and text_version = '2026-01-mobile-v1'`;
		expect(consents!.count).toBe(1);
		expect(await database.sql`select 1 from mobile_verification_code where user_id = ${resident.id}`).toHaveLength(0);
	});

	it('allows 5 tries, refuses an expired code, and a new code replaces the old one', async () => {
		const resident = await createUser(database.sql, ['resident'], 'sms');
		const sender = capturingSender();
		await requestMobileCode(database.sql, { userId: resident.id, mobile: '13900000001', address: '192.0.2.2' }, sender);
		const right = sender.sent[0]!.code;
		const wrong = right === '000000' ? '111111' : '000000';
		const outcomes = [];
		for (let attempt = 0; attempt < 5; attempt += 1)
			outcomes.push(await confirmMobileCode(database.sql, resident.id, wrong));
		expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.problem))).toEqual([
			'wrong_code',
			'wrong_code',
			'wrong_code',
			'wrong_code',
			'too_many_attempts'
		]);
		expect(outcomes[0]).toEqual({ ok: false, problem: 'wrong_code', attemptsLeft: 4 });
		// Even the right code is refused after five wrong ones.
		expect(await confirmMobileCode(database.sql, resident.id, right)).toEqual({
			ok: false,
			problem: 'too_many_attempts'
		});

		await requestMobileCode(database.sql, { userId: resident.id, mobile: '13900000001', address: '192.0.2.2' }, sender);
		await database.sql`update mobile_verification_code set sent_at = sent_at - interval '6 minutes', expires_at = expires_at - interval '6 minutes' where user_id = ${resident.id}`;
		expect(await confirmMobileCode(database.sql, resident.id, sender.sent[1]!.code)).toEqual({
			ok: false,
			problem: 'expired'
		});
		expect(await confirmMobileCode(database.sql, resident.id, sender.sent[1]!.code)).toEqual({
			ok: false,
			problem: 'no_code'
		});

		await requestMobileCode(database.sql, { userId: resident.id, mobile: '13900000001', address: '192.0.2.2' }, sender);
		expect((await confirmMobileCode(database.sql, resident.id, sender.sent[2]!.code)).ok).toBe(true);
	});

	it('limits codes per number and per address', async () => {
		const sender = capturingSender();
		const residents = await createUsers(database.sql, 12, ['resident'], 'limit');
		// One number, asked for from different addresses: 3 at once.
		const perNumber = [];
		for (const [index, resident] of residents.slice(0, SMS_NUMBER_POLICY.capacity + 1).entries()) {
			perNumber.push(
				await requestMobileCode(
					database.sql,
					{ userId: resident.id, mobile: '13700000009', address: `198.51.100.${index}` },
					sender
				)
			);
		}
		expect(perNumber.map((outcome) => (outcome.ok ? 'ok' : outcome.problem))).toEqual([
			'ok',
			'ok',
			'ok',
			'rate_limited'
		]);
		// One address, different numbers: 10 at once.
		const perAddress = [];
		for (const resident of residents.slice(0, SMS_ADDRESS_POLICY.capacity + 1)) {
			perAddress.push(
				await requestMobileCode(
					database.sql,
					{ userId: resident.id, mobile: randomMobile(), address: '203.0.113.50' },
					sender
				)
			);
		}
		expect(perAddress.filter((outcome) => outcome.ok)).toHaveLength(SMS_ADDRESS_POLICY.capacity);
		expect(perAddress.at(-1)).toMatchObject({ ok: false, problem: 'rate_limited' });
		// The rate-limit table holds the number's keyed hash, never the number.
		const keys = await database.sql<{ key: string }[]>`select key from rate_limit_bucket where key like 'sms:%'`;
		expect(keys.some((row) => row.key.includes('13700000009'))).toBe(false);
	});

	it('gives one verified number to one resident, however many verify it at once', async () => {
		const mobile = '13600000001';
		const residents = await createUsers(database.sql, 12, ['resident'], 'race');
		const codes = new Map<number, string>();
		for (const [index, resident] of residents.entries()) {
			const sender = capturingSender();
			// Codes sent before anyone verified (different addresses, the number's allowance taken off the table for this test).
			await database.sql`delete from rate_limit_bucket where key like 'sms:number:%'`;
			const sent = await requestMobileCode(
				database.sql,
				{ userId: resident.id, mobile, address: `198.18.0.${index}` },
				sender
			);
			expect(sent.ok).toBe(true);
			codes.set(resident.id, sender.sent[0]!.code);
		}
		const outcomes = await Promise.all(
			residents.map((resident) => confirmMobileCode(database.sql, resident.id, codes.get(resident.id)!))
		);
		expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
		expect(outcomes.filter((outcome) => !outcome.ok && outcome.problem === 'taken')).toHaveLength(residents.length - 1);
		const [holders] = await database.sql<{ count: number }[]>`
			select count(*)::int from resident_profile where user_id = any(${residents.map((resident) => resident.id)}::bigint[]) and mobile_verified_at is not null`;
		expect(holders!.count).toBe(1);
		// Asking for a code for a number someone verified is refused with that reason.
		const late = await createUser(database.sql, ['resident'], 'race');
		await database.sql`delete from rate_limit_bucket where key like 'sms:number:%'`;
		expect(
			await requestMobileCode(database.sql, { userId: late.id, mobile, address: '198.18.1.1' }, capturingSender())
		).toEqual({
			ok: false,
			problem: 'taken'
		});
		// And the database refuses a second holder whatever the application does.
		const [hash] = await database.sql<
			{ hash: Buffer }[]
		>`select mobile_hash as hash from resident_profile where mobile_hash is not null and user_id = any(${residents.map((resident) => resident.id)}::bigint[])`;
		const refused = await errorOf(
			() =>
				database.sql`insert into resident_profile (user_id, mobile_ciphertext, mobile_hash, mobile_verified_at) values (${late.id}, '\\x00', ${hash!.hash}, now())`
		);
		expect(refused?.code).toBe('23505');
	});
});

describe('who may support in a round', () => {
	it('refuses unverified residents in phone- and identity-verified rounds, in the application and in the database', async () => {
		const [plain, phone, identity] = await createUsers(database.sql, 3, ['resident'], 'eligible');
		await verifyMobile(database.sql, phone!.id);
		await database.sql`insert into resident_profile (user_id, identity_verified_at) values (${identity!.id}, now())`;
		const rounds = {
			registered: await openRound('registered'),
			phone: await openRound('phone'),
			identity: await openRound('identity')
		};
		const support = (round: number, resident: { id: number }) =>
			replaceSupports(database.sql, round, resident.id, [candidateIds[0]!]);
		expect((await support(rounds.registered, plain!)).ok).toBe(true);
		expect(await support(rounds.phone, plain!)).toEqual({
			ok: false,
			problem: { code: 'not_eligible', eligibility: 'phone' }
		});
		expect((await support(rounds.phone, phone!)).ok).toBe(true);
		expect(await support(rounds.identity, phone!)).toEqual({
			ok: false,
			problem: { code: 'not_eligible', eligibility: 'identity' }
		});
		expect((await support(rounds.identity, identity!)).ok).toBe(true);
		// Straight into the database: the trigger refuses with the codes.
		const direct = (round: number, resident: { id: number }) =>
			errorOf(
				() =>
					database.sql`insert into selection_participant (round_id, resident_id, max_supports) values (${round}, ${resident.id}, 0)`
			);
		expect((await direct(rounds.phone, plain!))?.code).toBe('PJ410');
		expect((await direct(rounds.identity, phone!))?.code).toBe('PJ411');
		// The rule is frozen once the round opens.
		expect(
			(
				await errorOf(
					() => database.sql`update selection_round set eligibility = 'registered' where id = ${rounds.phone}`
				)
			)?.code
		).toBe('PJ401');
		const [row] = await database.sql<
			{ eligibility: string }[]
		>`select eligibility from selection_round where id = ${rounds.phone}`;
		expect(row!.eligibility).toBe('phone');
	});

	it('makes new rounds phone-verified by default', async () => {
		const round = await createRound(
			database.sql,
			{
				title: '默认评选',
				opensAt: new Date(Date.now() + HOUR),
				closesAt: new Date(Date.now() + 2 * HOUR),
				maxSupports: 2,
				liveRanking: false,
				candidateIds
			},
			staff.id
		);
		const [row] = await database.sql<
			{ eligibility: string }[]
		>`select eligibility from selection_round where id = ${(round as { id: number }).id}`;
		expect(row!.eligibility).toBe('phone');
	});
});

describe('exclusions (刷票)', () => {
	it('keeps kept + excluded equal to the stored supports while residents support and staff exclude at once', async () => {
		const round = await openRound('phone', 3);
		const residents = await createUsers(database.sql, 40, ['resident'], 'storm');
		for (const resident of residents) await verifyMobile(database.sql, resident.id);
		const suspects = residents.slice(0, 12).map((resident) => resident.id);
		// Everyone has taken part once before the storm (staff exclude participants only).
		for (const resident of residents) await replaceSupports(database.sql, round, resident.id, [candidateIds[0]!]);
		let running = true;
		const mismatches: string[] = [];
		/** Kept + excluded against the rows, and excluded against the excluded accounts' rows, in one snapshot. */
		const reconcile = async () => {
			await database.sql.begin('isolation level repeatable read', async (tx) => {
				const ranking = await readRanking(tx, round);
				const rows = await tx<{ candidateId: number; stored: number; excluded: number }[]>`
					select s.candidate_id as "candidateId", count(*)::int as stored,
					       count(*) filter (where exists (select 1 from selection_exclusion e where e.round_id = s.round_id and e.resident_id = s.resident_id))::int as excluded
					from selection_support s where s.round_id = ${round} group by s.candidate_id`;
				const byCandidate = new Map(rows.map((row) => [row.candidateId, row]));
				for (const entry of ranking) {
					const stored = byCandidate.get(entry.candidateId) ?? { stored: 0, excluded: 0 };
					if (entry.supports + entry.excluded !== stored.stored || entry.excluded !== stored.excluded)
						mismatches.push(
							`${entry.candidateId}: kept ${entry.supports} + excluded ${entry.excluded} vs rows ${stored.stored} (${stored.excluded} excluded)`
						);
				}
			});
		};
		const supporters = residents.map(async (resident, index) => {
			for (let turn = 0; turn < 6; turn += 1) {
				const choice = candidateIds.filter((_, at) => (at + index + turn) % 3 === 0).slice(0, 1 + ((index + turn) % 3));
				const outcome = await replaceSupports(database.sql, round, resident.id, choice, {
					addressPrefix: '203.0.113.0/24',
					userAgent: 'script/1.0'
				});
				if (!outcome.ok) throw new Error(JSON.stringify(outcome));
			}
		});
		const staffWork = (async () => {
			for (let turn = 0; turn < 8; turn += 1) {
				const batch = suspects.slice(turn % 4, (turn % 4) + 6);
				const excluded = await excludeSupports(database.sql, round, batch, '同一地址段批量注册后集中支持', staff.id);
				if (!excluded.ok) throw new Error(excluded.problem);
				if (turn % 2 === 1) {
					const lifted = await liftExclusion(database.sql, round, batch[0]!, '误判：已核实为真实居民', staff.id);
					if (!lifted.ok) throw new Error(lifted.problem);
				}
			}
		})();
		const checker = (async () => {
			while (running) await reconcile();
		})();
		await Promise.all([...supporters, staffWork]);
		running = false;
		await checker;
		await reconcile();
		expect(mismatches).toEqual([]);
		const ranking = await readRanking(database.sql, round);
		expect(ranking.reduce((sum, row) => sum + row.excluded, 0)).toBeGreaterThan(0);
		const audit = await database.sql<{ action: string }[]>`
			select action from audit_entry where action in ('selection.supports_excluded', 'selection.exclusion_lifted') and (details->>'roundId')::bigint = ${round}`;
		expect(audit.filter((entry) => entry.action === 'selection.exclusion_lifted')).toHaveLength(4);
		expect(audit.some((entry) => entry.action === 'selection.supports_excluded')).toBe(true);
	});

	it('ranks and carries over by kept supports, and freezes exclusions once the results are final', async () => {
		const round = await openRound('phone', 1, candidateIds.slice(0, 4));
		const honest = await createUsers(database.sql, 5, ['resident'], 'honest');
		const scripted = await createUsers(database.sql, 8, ['resident'], 'scripted');
		for (const resident of [...honest, ...scripted]) await verifyMobile(database.sql, resident.id);
		// Honest residents prefer candidates 0 (3) and 1 (2); the script pushes candidate 3 (8).
		for (const [index, resident] of honest.entries())
			await replaceSupports(database.sql, round, resident.id, [candidateIds[index < 3 ? 0 : 1]!], {
				addressPrefix: `198.51.${index}.0/24`,
				userAgent: `Browser ${index}`
			});
		for (const resident of scripted)
			await replaceSupports(database.sql, round, resident.id, [candidateIds[3]!], {
				addressPrefix: '203.0.113.0/24',
				userAgent: 'python-requests/2.31'
			});
		expect((await readRanking(database.sql, round))[0]!.candidateId).toBe(candidateIds[3]);

		// The report points at the script: one address block, one user agent, fresh accounts, a burst.
		await database.sql`insert into resident_profile (user_id) select unnest(${scripted.map((resident) => resident.id)}::bigint[]) on conflict do nothing`;
		const report = await irregularActivityReport(database.sql, round);
		const cluster = report.byPrefix.find((finding) => finding.label === '203.0.113.0/24');
		expect(cluster?.accountCount).toBe(8);
		expect(cluster?.accounts.every((account) => /^139\*\*\*\*\d{4}$/.test(account.mobile ?? ''))).toBe(true);
		expect(report.byUserAgent.find((finding) => finding.label === 'python-requests/2.31')?.accountCount).toBe(8);
		expect(report.freshAccounts.find((finding) => finding.candidateId === candidateIds[3])?.accountCount).toBe(8);
		expect(report.bursts.some((finding) => finding.candidateId === candidateIds[3])).toBe(false); // 8 < 10 supports
		expect(report.hourly.reduce((sum, row) => sum + row.supports, 0)).toBe(13);

		const excluded = await excludeSupports(
			database.sql,
			round,
			cluster!.accounts.map((account) => account.id),
			'同一 /24 地址段、同一脚本标识、注册后立即支持',
			staff.id
		);
		expect(excluded).toEqual({ ok: true, excluded: 8 });
		const ranking = await readRanking(database.sql, round);
		expect(ranking.map((row) => [row.candidateId, row.supports, row.excluded])).toEqual([
			[candidateIds[0], 3, 0],
			[candidateIds[1], 2, 0],
			[candidateIds[2], 0, 0],
			[candidateIds[3], 0, 8]
		]);
		expect(await finalizeRoundResults(database.sql, round, staff.id)).toEqual({ ok: false, problem: 'not_closed' });
		await closeRoundNow(database.sql, round, staff.id);
		const carried = await carryOverToVotingSession(database.sql, round, staff.id, {
			count: 2,
			title: '2027年民生实事项目票决',
			year: 2027,
			seats: 1
		});
		if (!carried.ok) throw new Error(carried.problem);
		expect(await sessionCandidateIds(database.sql, carried.votingSessionId)).toEqual([
			candidateIds[0],
			candidateIds[1]
		]);
		// Carrying over made the results final: exclusions can no longer change, in the app and the database.
		expect(await excludeSupports(database.sql, round, [honest[0]!.id], '迟到的判断', staff.id)).toEqual({
			ok: false,
			problem: 'results_final'
		});
		expect(await liftExclusion(database.sql, round, scripted[0]!.id, '迟到的恢复', staff.id)).toEqual({
			ok: false,
			problem: 'results_final'
		});
		expect((await errorOf(() => database.sql`delete from selection_exclusion where round_id = ${round}`))?.code).toBe(
			'PJ420'
		);
		const [final] = await database.sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'selection.results_final' and (details->>'roundId')::bigint = ${round}`;
		expect(final!.details.excludedSupports).toEqual([0, 0, 0, 8]);
	});
});

describe('personal information', () => {
	it('exports a resident’s data and deletes the account: personal data gone, public proposals and every count kept', async () => {
		const resident = await createUser(database.sql, ['resident'], 'leaving');
		const neighbour = await createUser(database.sql, ['resident'], 'staying');
		await database.sql`insert into resident_profile (user_id) values (${resident.id})`;
		const mobile = await verifyMobile(database.sql, resident.id);
		await verifyMobile(database.sql, neighbour.id);
		await database.sql`insert into resident_identity (issuer, subject, user_id, verified) values ('https://id.example.gov.cn', 'subject-1', ${resident.id}, true)`;
		const campaignId = await createCampaign(
			database.sql,
			{
				title: '征集',
				year: 2026,
				opensAt: new Date(Date.now() - HOUR),
				closesAt: new Date(Date.now() + HOUR),
				criteria: ''
			},
			staff.id
		);
		const [category] = await database.sql<
			{ id: number }[]
		>`select category_id as id from candidate where id = ${candidateIds[0]!}`;
		const proposal = {
			campaignId,
			title: '修缮社区公园步道',
			categoryId: category!.id,
			district: '椒江区' as const,
			problem: '步道破损。',
			measure: '修缮 2 公里步道。',
			beneficiaries: '周边居民',
			estimatedCostYuan: 100_000,
			contact: '微信 wangfang88'
		};
		const published = await saveProposal(database.sql, resident.id, null, proposal, 'submit');
		const draft = await saveProposal(database.sql, resident.id, null, { ...proposal, title: '草稿' }, 'draft');
		if (!published.ok || !draft.ok) throw new Error('could not save the proposals');
		const round = await openRound('phone', 2, candidateIds.slice(0, 3));
		await replaceSupports(database.sql, round, resident.id, [candidateIds[0]!, candidateIds[1]!], {
			addressPrefix: '192.0.2.0/24',
			userAgent: 'Mozilla/5.0'
		});
		await replaceSupports(database.sql, round, neighbour.id, [candidateIds[0]!]);
		await database.sql`insert into auth_session (id, secret_hash, user_id) values ('session-of-the-leaving-one', '\\x00', ${resident.id})`;

		const exported = await exportResidentData(database.sql, resident.id);
		expect(exported?.profile?.mobile).toBe(mobile);
		expect(exported?.identities).toEqual([
			expect.objectContaining({ issuer: 'https://id.example.gov.cn', subject: 'subject-1', verified: true })
		]);
		expect(exported?.consents.map((consent) => consent.purpose)).toContain('mobile');
		expect(exported?.proposals.map((entry) => entry.title).sort()).toEqual(['修缮社区公园步道', '草稿']);
		expect(exported?.selection).toEqual([
			expect.objectContaining({
				roundId: round,
				addressPrefix: '192.0.2.0/24',
				userAgent: 'Mozilla/5.0',
				supports: [
					expect.objectContaining({ candidateId: candidateIds[0] }),
					expect.objectContaining({ candidateId: candidateIds[1] })
				]
			})
		]);

		const before = await readRanking(database.sql, round);
		const [rowsBefore] = await database.sql<
			{ count: number }[]
		>`select count(*)::int from selection_support where round_id = ${round}`;
		expect(
			await eraseResidentAccount(database.sql, resident.id, { password: 'wrong password', reason: 'resident_request' })
		).toEqual({ ok: false, error: 'password_wrong' });
		expect(
			await eraseResidentAccount(database.sql, staff.id, { password: TEST_PASSWORD, reason: 'resident_request' })
		).toEqual({ ok: false, error: 'not_resident_only' });
		expect(
			await eraseResidentAccount(database.sql, resident.id, { password: TEST_PASSWORD, reason: 'resident_request' })
		).toEqual({ ok: true });

		expect(await readRanking(database.sql, round)).toEqual(before);
		const [rowsAfter] = await database.sql<
			{ count: number }[]
		>`select count(*)::int from selection_support where round_id = ${round}`;
		expect(rowsAfter!.count).toBe(rowsBefore!.count);
		const [account] = await database.sql<
			{ username: string; displayName: string; passwordHash: string | null; disabled: boolean }[]
		>`
			select username, display_name as "displayName", password_hash as "passwordHash", disabled_at is not null as disabled from app_user where id = ${resident.id}`;
		expect(account!.username).toMatch(/^erased\.[0-9a-f]{16}$/);
		expect(account).toMatchObject({ displayName: '已注销用户', passwordHash: null, disabled: true });
		const [profile] =
			await database.sql`select mobile_ciphertext, mobile_hash, identity_verified_at, erased_at from resident_profile where user_id = ${resident.id}`;
		expect(profile).toMatchObject({ mobile_ciphertext: null, mobile_hash: null, identity_verified_at: null });
		expect(profile!.erased_at).not.toBeNull();
		for (const table of ['resident_identity', 'personal_data_consent', 'mobile_verification_code', 'auth_session']) {
			expect(
				await database.sql`select 1 from ${database.sql(table)} where user_id = ${resident.id}`,
				table
			).toHaveLength(0);
		}
		const proposals = await database.sql<
			{ id: number; status: string; contact: string }[]
		>`select id, status, contact from proposal where author_id = ${resident.id}`;
		expect(proposals).toEqual([{ id: published.id, status: 'submitted', contact: '' }]);
		const [participant] =
			await database.sql`select address_prefix, user_agent from selection_participant where round_id = ${round} and resident_id = ${resident.id}`;
		expect(participant).toEqual({ address_prefix: null, user_agent: null });
		// The number is free again for a new resident.
		const newcomer = await createUser(database.sql, ['resident'], 'newcomer');
		await verifyMobile(database.sql, newcomer.id, mobile);
		const [entry] = await database.sql<{ actor: number; details: Record<string, unknown> }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'resident.account_erased' and (details->>'userId')::bigint = ${resident.id}`;
		expect(entry).toEqual({
			actor: resident.id,
			details: {
				userId: resident.id,
				reason: 'resident_request',
				draftsDeleted: 1,
				publicProposalsKept: 1,
				supportsKeptAnonymous: 2
			}
		});
		// The erasure marker works for the erasure only: a submitted proposal's contact cannot otherwise change.
		expect(
			(await errorOf(() => database.sql`update proposal set contact = 'x' where id = ${published.id}`))?.message
		).toMatch(/content cannot change/);
		expect(
			(await errorOf(() => database.sql`update proposal set contact = '' , title = '改' where id = ${published.id}`))
				?.message
		).toMatch(/content cannot change/);
	});

	it('removes unverified accounts with no activity after the period, and only those', async () => {
		const [idle, verified, proposer, recent] = await createUsers(database.sql, 4, ['resident'], 'idle');
		await database.sql`
			insert into resident_profile (user_id, registered_at, last_active_at)
			select unnest(${[idle!.id, verified!.id, proposer!.id, recent!.id]}::bigint[]), now() - interval '200 days', now() - interval '200 days'`;
		await verifyMobile(database.sql, verified!.id);
		await database.sql`update resident_profile set last_active_at = now() where user_id = ${recent!.id}`;
		const round = await openRound('registered', 1, candidateIds.slice(0, 3));
		await replaceSupports(database.sql, round, proposer!.id, [candidateIds[0]!]);
		expect(await purgeInactiveAccounts(database.sql, 180)).toEqual([idle!.id]);
		const left = await database.sql<
			{ id: number }[]
		>`select id from app_user where id = any(${[idle!.id, verified!.id, proposer!.id, recent!.id]}::bigint[]) order by id`;
		expect(left.map((row) => row.id)).toEqual([verified!.id, proposer!.id, recent!.id].sort((a, b) => a - b));
		const [entry] = await database.sql<
			{ details: Record<string, unknown> }[]
		>`select details from audit_entry where action = 'resident.inactive_account_removed' and (details->>'userId')::bigint = ${idle!.id}`;
		expect(entry!.details).toEqual({ userId: idle!.id, inactiveDays: 180 });
		// A sign-in counts as activity (the trigger on auth_session).
		await database.sql`insert into auth_session (id, secret_hash, user_id) values ('session-of-the-recent-one', '\\x00', ${verified!.id})`;
		const [active] = await database.sql<
			{ recent: boolean }[]
		>`select last_active_at > now() - interval '1 minute' as recent from resident_profile where user_id = ${verified!.id}`;
		expect(active!.recent).toBe(true);
	});
});
