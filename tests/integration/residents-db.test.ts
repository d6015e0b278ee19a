// Residents against real PostgreSQL: proposal statuses (service and database trigger), hiding,
// merge provenance, Chinese search, the selection's one-support-per-candidate and at-most-K
// limits under concurrency, hidden vs live rankings, and carrying a result into a voting session.
import { beforeAll, describe, expect, it } from 'vitest';
import { PROPOSAL_STATUSES, transitionActor, type ProposalStatus } from '../../src/lib/domain/proposals';
import type { ProposalForm } from '../../src/lib/domain/residents-schemas';
import type { TransactionSql } from '../../src/lib/server/db/client';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { mergeProposals } from '../../src/lib/server/residents/merge';
import {
	getProposalForViewer,
	listCandidateProvenance,
	listProposals,
	reviewProposals,
	saveProposal,
	setProposalHidden,
	deleteDraft,
	type ProposalQuery
} from '../../src/lib/server/residents/proposals';
import {
	carryOverToVotingSession,
	closeRoundNow,
	createRound,
	getSupports,
	replaceSupports,
	visibleRoundResults
} from '../../src/lib/server/residents/selection';
import { getVotingSession, sessionCandidateIds } from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates, createUser, createUsers } from '../helpers/factory';

const database = useTestDatabase({ max: 30 });
let staff: { id: number; username: string };
let author: { id: number; username: string };
let neighbour: { id: number; username: string };
let campaignId: number;
let categoryId: number;
let candidateIds: number[];

const HOUR = 3_600_000;

function proposal(overrides: Partial<ProposalForm> = {}): ProposalForm {
	return {
		campaignId,
		title: '老旧小区加装电梯',
		categoryId,
		district: '椒江区',
		problem: '多层住宅没有电梯，老人上下楼困难。',
		measure: '为 50 个老旧小区加装电梯。',
		beneficiaries: '约 2000 户居民',
		estimatedCostYuan: 5_000_000,
		contact: '',
		...overrides
	};
}

async function submitted(overrides: Partial<ProposalForm> = {}, authorId = author.id): Promise<number> {
	const result = await saveProposal(database.sql, authorId, null, proposal(overrides), 'submit');
	if (!result.ok) throw new Error(result.problem);
	return result.id;
}

async function statusOf(id: number): Promise<ProposalStatus> {
	const [row] = await database.sql<{ status: ProposalStatus }[]>`select status from proposal where id = ${id}`;
	return (row as { status: ProposalStatus }).status;
}

async function auditActions(): Promise<string[]> {
	const rows = await database.sql<{ action: string }[]>`select action from audit_entry order by seq`;
	return rows.map((row) => row.action);
}

/** Runs `work` in a transaction that is always rolled back; returns the error it raised, if any. */
async function attempt(work: (tx: TransactionSql) => Promise<unknown>): Promise<Error | null> {
	const rollback = new Error('rollback');
	try {
		await database.sql.begin(async (tx) => {
			await work(tx);
			throw rollback;
		});
	} catch (error) {
		return error === rollback ? null : (error as Error);
	}
	return null;
}

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	[author, neighbour] = (await createUsers(database.sql, 2, ['resident'], 'resident')) as [
		typeof author,
		typeof neighbour
	];
	candidateIds = await createCandidates(database.sql, 6);
	const [candidate] = await database.sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${candidateIds[0]!}`;
	categoryId = (candidate as { categoryId: number }).categoryId;
	campaignId = await createCampaign(
		database.sql,
		{
			title: '2026年民生实事项目征集',
			year: 2026,
			opensAt: new Date(Date.now() - HOUR),
			closesAt: new Date(Date.now() + 24 * HOUR),
			criteria: '一事一建议'
		},
		staff.id
	);
});

describe('proposal statuses', () => {
	it('lets the author save a draft, change it and submit it, and then no more changes', async () => {
		const draft = await saveProposal(
			database.sql,
			author.id,
			null,
			proposal({ categoryId: null, district: null, problem: '' }),
			'draft'
		);
		expect(draft.ok).toBe(true);
		const id = (draft as { id: number }).id;
		expect(await statusOf(id)).toBe('draft');
		expect(await getProposalForViewer(database.sql, id, null)).toBeNull(); // a draft is its author's alone
		expect(await getProposalForViewer(database.sql, id, { id: neighbour.id, roles: ['resident'] })).toBeNull();
		expect(await saveProposal(database.sql, neighbour.id, id, proposal(), 'submit')).toEqual({
			ok: false,
			problem: 'not_found'
		});
		expect(await saveProposal(database.sql, author.id, id, proposal({ title: '加装电梯（修改）' }), 'submit')).toEqual({
			ok: true,
			id
		});
		expect(await statusOf(id)).toBe('submitted');
		expect(await saveProposal(database.sql, author.id, id, proposal(), 'draft')).toEqual({
			ok: false,
			problem: 'not_draft'
		});
		expect(await deleteDraft(database.sql, author.id, id)).toEqual({ ok: false, problem: 'not_draft' });
		const [row] = await database.sql<
			{ title: string; submittedAt: Date | null }[]
		>`select title, submitted_at as "submittedAt" from proposal where id = ${id}`;
		expect(row?.title).toBe('加装电梯（修改）');
		expect(row?.submittedAt).toBeInstanceOf(Date);
	});

	it('moves proposals on only by staff, one step at a time, all or none', async () => {
		const first = await submitted({ title: '社区食堂' });
		const second = await submitted({ title: '公交站台遮雨棚' });
		// Accepting needs a review first; a mixed batch changes nothing.
		expect(await reviewProposals(database.sql, staff.id, [first], 'accept', '')).toEqual({
			ok: false,
			problem: 'wrong_status',
			proposalIds: [first]
		});
		expect(await reviewProposals(database.sql, staff.id, [first, second], 'start_review', '')).toEqual({
			ok: true,
			count: 2
		});
		const third = await submitted({ title: '夜间照明' });
		expect(await reviewProposals(database.sql, staff.id, [first, third], 'accept', '')).toEqual({
			ok: false,
			problem: 'wrong_status',
			proposalIds: [third]
		});
		expect(await statusOf(first)).toBe('under_review');
		expect(await reviewProposals(database.sql, staff.id, [first], 'accept', '纳入年度计划')).toEqual({
			ok: true,
			count: 1
		});
		expect(await reviewProposals(database.sql, staff.id, [second], 'decline', '不属于政府职责范围')).toEqual({
			ok: true,
			count: 1
		});
		expect(await reviewProposals(database.sql, staff.id, [second], 'accept', '')).toEqual({
			ok: false,
			problem: 'wrong_status',
			proposalIds: [second]
		});
		const shown = await getProposalForViewer(database.sql, second, null);
		expect(shown?.proposal).toMatchObject({ status: 'declined', decisionReason: '不属于政府职责范围', contact: '' });
		expect(await reviewProposals(database.sql, staff.id, [999_999], 'start_review', '')).toEqual({
			ok: false,
			problem: 'not_found',
			proposalIds: [999_999]
		});
		expect(await auditActions()).toEqual(
			expect.arrayContaining(['proposal.start_review', 'proposal.accept', 'proposal.decline'])
		);
	});

	it('has the database refuse every move the rules do not allow, and allow every one they do', async () => {
		// One proposal in each status.
		const inStatus = new Map<ProposalStatus, number>();
		const draft = await saveProposal(database.sql, author.id, null, proposal({ title: '草稿' }), 'draft');
		inStatus.set('draft', (draft as { id: number }).id);
		inStatus.set('submitted', await submitted({ title: '已提交' }));
		for (const status of ['under_review', 'accepted', 'merged', 'declined'] as const) {
			const id = await submitted({ title: status });
			await reviewProposals(database.sql, staff.id, [id], 'start_review', '');
			if (status === 'accepted') await reviewProposals(database.sql, staff.id, [id], 'accept', '');
			if (status === 'declined') await reviewProposals(database.sql, staff.id, [id], 'decline', '重复');
			if (status === 'merged')
				await mergeProposals(database.sql, staff.id, {
					proposalIds: [id],
					target: { kind: 'existing', candidateId: candidateIds[0]! },
					reason: ''
				});
			inStatus.set(status, id);
		}
		for (const [status, id] of inStatus) expect(await statusOf(id), status).toBe(status);

		for (const from of PROPOSAL_STATUSES) {
			for (const to of PROPOSAL_STATUSES) {
				if (from === to) continue;
				const id = inStatus.get(from) as number;
				const decision = to === 'accepted' || to === 'merged' || to === 'declined';
				const refusal = await attempt(
					(tx) => tx`
					update proposal set status = ${to},
					       merged_into_candidate_id = ${to === 'merged' ? candidateIds[0]! : null},
					       decision_reason = ${decision ? '理由' : null}, decided_by = ${decision ? staff.id : null}
					where id = ${id}`
				);
				if (transitionActor(from, to)) expect(refusal, `${from} → ${to}`).toBeNull();
				else expect(refusal?.message, `${from} → ${to}`).toMatch(/cannot move from|final/);
			}
		}
		// A submitted proposal's text and a decision are frozen; a submitted one cannot be deleted.
		expect(
			(await attempt((tx) => tx`update proposal set problem = '改过' where id = ${inStatus.get('submitted')!}`))
				?.message
		).toMatch(/content cannot change/);
		expect(
			(await attempt((tx) => tx`update proposal set decision_reason = '改过' where id = ${inStatus.get('declined')!}`))
				?.message
		).toMatch(/final/);
		expect((await attempt((tx) => tx`delete from proposal where id = ${inStatus.get('accepted')!}`))?.message).toMatch(
			/cannot be deleted/
		);
		// A decline without a reason, and a merge without a candidate, break the table's checks.
		expect(
			await attempt((tx) => tx`update proposal set status = 'declined' where id = ${inStatus.get('under_review')!}`)
		).toMatchObject({ code: '23514' });
		expect(
			await attempt((tx) => tx`update proposal set status = 'merged' where id = ${inStatus.get('under_review')!}`)
		).toMatchObject({ code: '23514' });
	});

	it('takes proposals only while the campaign is open', async () => {
		const draft = await saveProposal(database.sql, author.id, null, proposal({ title: '待完善' }), 'draft');
		const closed = await createCampaign(
			database.sql,
			{
				title: '已结束的征集',
				year: 2025,
				opensAt: new Date(Date.now() - 48 * HOUR),
				closesAt: new Date(Date.now() - 24 * HOUR),
				criteria: ''
			},
			staff.id
		);
		expect(await saveProposal(database.sql, author.id, null, proposal({ campaignId: closed }), 'submit')).toEqual({
			ok: false,
			problem: 'campaign_closed'
		});
		// The campaign of a draft closes: the draft can no longer be submitted.
		await database.sql`update proposal_campaign set closes_at = now() where id = ${campaignId}`;
		try {
			expect(await saveProposal(database.sql, author.id, (draft as { id: number }).id, proposal(), 'submit')).toEqual({
				ok: false,
				problem: 'campaign_closed'
			});
			expect(await deleteDraft(database.sql, author.id, (draft as { id: number }).id)).toEqual({ ok: true });
		} finally {
			await database.sql`update proposal_campaign set closes_at = now() + interval '1 day' where id = ${campaignId}`;
		}
	});
});

describe('hiding', () => {
	it('keeps a hidden proposal for the record, out of the public list, with its reason shown and audited', async () => {
		const id = await submitted({ title: '辱骂内容 <b>x</b>', problem: '不当言论' });
		expect(await setProposalHidden(database.sql, staff.id, id, { reason: '含有侮辱性语言' })).toEqual({ ok: true });
		expect(await setProposalHidden(database.sql, staff.id, id, { reason: '再次' })).toEqual({
			ok: false,
			problem: 'unchanged'
		});
		const query = { q: '辱骂', categoryId: null, district: null, status: null, campaignId: null, page: 1 };
		expect((await listProposals(database.sql, query, 'public')).total).toBe(0);
		const queue = await listProposals(database.sql, query, 'staff');
		expect(queue.proposals.map((entry) => [entry.id, entry.hidden])).toEqual([[id, true]]);
		const publicView = await getProposalForViewer(database.sql, id, null);
		expect(publicView?.proposal).toMatchObject({
			hidden: true,
			hiddenReason: '含有侮辱性语言',
			title: '',
			problem: ''
		});
		const authorView = await getProposalForViewer(database.sql, id, { id: author.id, roles: ['resident'] });
		expect(authorView?.proposal.problem).toBe('不当言论');
		const [row] = await database.sql<{ problem: string }[]>`select problem from proposal where id = ${id}`;
		expect(row?.problem).toBe('不当言论');
		const [entry] = await database.sql<{ details: { proposalId: number; reason: string } }[]>`
			select details from audit_entry where action = 'proposal.hidden' order by seq desc limit 1`;
		expect(entry?.details).toEqual({ proposalId: id, reason: '含有侮辱性语言' });
		const draft = await saveProposal(database.sql, author.id, null, proposal({ title: '草稿不可隐藏' }), 'draft');
		expect(await setProposalHidden(database.sql, staff.id, (draft as { id: number }).id, { reason: 'x' })).toEqual({
			ok: false,
			problem: 'draft'
		});
	});
});

describe('merging into a candidate', () => {
	it('records the provenance on a new candidate, in one audited transaction', async () => {
		const ids = [
			await submitted({ title: '增设养老助餐点', district: '黄岩区' }),
			await submitted({ title: '老年食堂', district: '路桥区' })
		];
		const notReviewed = await submitted({ title: '未审核的建议' });
		await reviewProposals(database.sql, staff.id, ids, 'start_review', '');
		const before = await auditActions();

		// One proposal not under review: nothing happens, no candidate is created.
		const refused = await mergeProposals(database.sql, staff.id, {
			proposalIds: [...ids, notReviewed],
			target: { kind: 'new', categoryId, title: '老年助餐服务', summary: '' },
			reason: ''
		});
		expect(refused).toEqual({ ok: false, problem: 'wrong_status', proposalIds: [notReviewed] });
		expect(await database.sql`select 1 from candidate where title = '老年助餐服务'`).toHaveLength(0);

		const merged = await mergeProposals(database.sql, staff.id, {
			proposalIds: ids,
			target: { kind: 'new', categoryId, title: '老年助餐服务', summary: '新建助餐点 100 个' },
			reason: '与同类建议合并'
		});
		expect(merged.ok).toBe(true);
		const candidateId = (merged as { candidateId: number }).candidateId;
		const provenance = await listCandidateProvenance(database.sql, candidateId);
		expect(provenance.map((entry) => entry.id)).toEqual(ids);
		expect(provenance.every((entry) => entry.status === 'merged' && entry.decisionReason === '与同类建议合并')).toBe(
			true
		);
		const seen = await getProposalForViewer(database.sql, ids[0]!, { id: author.id, roles: ['resident'] });
		expect(seen?.proposal).toMatchObject({
			status: 'merged',
			mergedIntoCandidateId: candidateId,
			mergedIntoCandidateTitle: '老年助餐服务'
		});
		expect((await auditActions()).slice(before.length)).toEqual(['candidate.created', 'proposal.merged']);

		// A second merge into the existing candidate adds to its provenance.
		const later = await submitted({ title: '社区老年餐桌' });
		await reviewProposals(database.sql, staff.id, [later], 'start_review', '');
		expect(
			await mergeProposals(database.sql, staff.id, {
				proposalIds: [later],
				target: { kind: 'existing', candidateId },
				reason: ''
			})
		).toEqual({ ok: true, candidateId });
		expect((await listCandidateProvenance(database.sql, candidateId)).map((entry) => entry.id)).toEqual([
			...ids,
			later
		]);
		// A name already taken is refused.
		const another = await submitted({ title: '重名' });
		await reviewProposals(database.sql, staff.id, [another], 'start_review', '');
		expect(
			await mergeProposals(database.sql, staff.id, {
				proposalIds: [another],
				target: { kind: 'new', categoryId, title: '老年助餐服务', summary: '' },
				reason: ''
			})
		).toEqual({ ok: false, problem: 'title_taken' });
	});
});

describe('searching in Chinese', () => {
	it('finds proposals by any part of the title or text, with filters, counts per category and paging', async () => {
		const elevator = await submitted({ title: '加装电梯惠民生', district: '温岭市', problem: '六层楼的老人出行难。' });
		const school = await submitted({
			title: '校车接送',
			district: '仙居县',
			problem: '山区学生上学路远，需要校车。',
			measure: '开通 30 条校车线路，达标率100%'
		});
		const query: ProposalQuery = { q: '', categoryId: null, district: null, status: null, campaignId: null, page: 1 };
		const ids = async (q: string, extra: Partial<typeof query> = {}) =>
			(await listProposals(database.sql, { ...query, q, ...extra }, 'public')).proposals.map((entry) => entry.id);
		expect(await ids('电梯')).toContain(elevator);
		expect(await ids('电梯')).not.toContain(school);
		expect(await ids('老人出行')).toEqual([elevator]); // in the problem text
		expect(await ids('校车线路')).toEqual([school]); // in the measure
		expect(await ids('学')).toContain(school); // one character
		expect(await ids('100%')).toEqual([school]); // % is literal
		expect(await ids('10_%')).toEqual([]); // _ is literal too
		expect(await ids('电梯', { district: '仙居县' })).toEqual([]);
		expect(await ids('', { district: '仙居县' })).toEqual([school]);
		const page = await listProposals(database.sql, { ...query, q: '校车' }, 'public');
		expect(page.categoryCounts.find((entry) => entry.categoryId === categoryId)?.count).toBe(1);
		const paged = await listProposals(database.sql, { ...query, page: 2 }, 'public', 3);
		expect(paged.page).toBe(2);
		expect(paged.proposals).toHaveLength(3);
		expect(paged.pageCount).toBe(Math.ceil(paged.total / 3));
		const [index] = await database.sql`select 1 from pg_indexes where indexname = 'proposal_search_idx'`;
		expect(index).toBeDefined();
	});
});

describe('the online public selection', () => {
	let residents: { id: number; username: string }[];
	let hiddenRound: number;
	let liveRound: number;
	const openWindow = () => ({ opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 24 * HOUR) });

	beforeAll(async () => {
		residents = await createUsers(database.sql, 4, ['resident'], 'supporter');
		const hidden = await createRound(
			database.sql,
			// Any registered resident: these tests write supports straight into the database.
			{
				title: '隐藏排名评选',
				...openWindow(),
				maxSupports: 3,
				liveRanking: false,
				eligibility: 'registered',
				candidateIds
			},
			staff.id
		);
		const live = await createRound(
			database.sql,
			{
				title: '实时排名评选',
				...openWindow(),
				maxSupports: 2,
				liveRanking: true,
				eligibility: 'registered',
				candidateIds: candidateIds.slice(0, 4)
			},
			staff.id
		);
		hiddenRound = (hidden as { id: number }).id;
		liveRound = (live as { id: number }).id;
	});

	it('never lets one resident exceed K, even with 200 concurrent inserts straight into the database', async () => {
		const resident = residents[0]!;
		await database.sql`insert into selection_participant (round_id, resident_id, max_supports) values (${hiddenRound}, ${resident.id}, 0)`;
		const outcomes = await Promise.allSettled(
			Array.from(
				{ length: 200 },
				(_, index) =>
					database.sql`insert into selection_support (round_id, resident_id, candidate_id) values (${hiddenRound}, ${resident.id}, ${candidateIds[index % candidateIds.length]!})`
			)
		);
		const stored = await getSupports(database.sql, hiddenRound, resident.id);
		expect(stored).toHaveLength(3);
		expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
		const reasons = new Set(
			outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as { code: string }).code] : []))
		);
		expect([...reasons].sort()).toEqual(['23505', '23514']); // the same candidate twice, or over K: nothing else
		const [counts] = await database.sql<{ participant: number; tally: number }[]>`
			select (select supports from selection_participant where round_id = ${hiddenRound} and resident_id = ${resident.id}) as participant,
			       (select sum(supports)::int from selection_tally where round_id = ${hiddenRound}) as tally`;
		expect(counts).toEqual({ participant: 3, tally: 3 });
	});

	it('replaces a resident’s whole choice atomically under 200 concurrent requests', async () => {
		const resident = residents[1]!;
		const choices = Array.from({ length: 200 }, (_, index) => [
			candidateIds[index % 6]!,
			candidateIds[(index + 1) % 6]!,
			candidateIds[(index + 3) % 6]!
		]);
		const results = await Promise.all(
			choices.map((choice) => replaceSupports(database.sql, hiddenRound, resident.id, choice))
		);
		expect(results.every((result) => result.ok)).toBe(true);
		const stored = await getSupports(database.sql, hiddenRound, resident.id);
		expect(stored).toHaveLength(3);
		expect(choices.map((choice) => [...choice].sort((a, b) => a - b).join())).toContain(stored.join()); // one whole request's choice, not a mix
		const [tally] = await database.sql<{ sum: number; supports: number }[]>`
			select (select sum(supports)::int from selection_tally where round_id = ${hiddenRound}) as sum,
			       (select count(*)::int from selection_support where round_id = ${hiddenRound}) as supports`;
		expect(tally?.sum).toBe(tally?.supports);
	});

	it('refuses more than K, a candidate outside the round, a second support of one candidate, and non-residents', async () => {
		const resident = residents[2]!;
		expect(await replaceSupports(database.sql, liveRound, resident.id, candidateIds.slice(0, 3))).toEqual({
			ok: false,
			problem: { code: 'over_limit', chosen: 3, limit: 2 }
		});
		expect(await replaceSupports(database.sql, liveRound, resident.id, [candidateIds[5]!])).toEqual({
			ok: false,
			problem: { code: 'unknown_candidate' }
		});
		expect(await replaceSupports(database.sql, liveRound, resident.id, [candidateIds[0]!])).toEqual({
			ok: true,
			added: 1,
			removed: 0
		});
		expect(
			await attempt(
				(tx) =>
					tx`insert into selection_support (round_id, resident_id, candidate_id) values (${liveRound}, ${resident.id}, ${candidateIds[0]!})`
			)
		).toMatchObject({ code: '23505' });
		expect(
			await attempt(
				(tx) =>
					tx`insert into selection_support (round_id, resident_id, candidate_id) values (${liveRound}, ${resident.id}, ${candidateIds[5]!})`
			)
		).toMatchObject({ code: '23503' });
		expect(await replaceSupports(database.sql, liveRound, staff.id, [candidateIds[0]!])).toEqual({
			ok: false,
			problem: { code: 'not_resident' }
		});
		expect(
			(await attempt((tx) => tx`update selection_tally set supports = 1000 where round_id = ${liveRound}`))?.message
		).toMatch(/never edited/);
		expect(
			(await attempt((tx) => tx`update selection_round set max_supports = 3 where id = ${liveRound}`))?.message
		).toMatch(/frozen/);
		expect(
			(await attempt((tx) => tx`delete from selection_round_candidate where round_id = ${liveRound}`))?.message
		).toMatch(/frozen/);
	});

	it('shows a live ranking during the round, a hidden one only after it closes, with the supports counted', async () => {
		await replaceSupports(database.sql, liveRound, residents[0]!.id, [candidateIds[1]!, candidateIds[2]!]);
		await replaceSupports(database.sql, liveRound, residents[1]!.id, [candidateIds[1]!]);
		const live = await visibleRoundResults(database.sql, liveRound);
		expect(live?.ranking.map((row) => [row.candidateId, row.supports, row.rank])).toEqual([
			[candidateIds[1], 2, 1],
			[candidateIds[0], 1, 2],
			[candidateIds[2], 1, 2],
			[candidateIds[3], 0, 4]
		]);
		expect(live?.totalSupports).toBe(4);
		expect(await visibleRoundResults(database.sql, hiddenRound)).toBeNull();

		expect(await closeRoundNow(database.sql, hiddenRound, staff.id)).toEqual({ ok: true });
		const closed = await visibleRoundResults(database.sql, hiddenRound);
		expect(closed?.round.phase).toBe('closed');
		expect(closed?.totalSupports).toBe(6);
		// Closed: no more supports, no withdrawals, no reopening.
		expect(await replaceSupports(database.sql, hiddenRound, residents[3]!.id, [candidateIds[0]!])).toEqual({
			ok: false,
			problem: { code: 'not_open' }
		});
		expect((await attempt((tx) => tx`delete from selection_support where round_id = ${hiddenRound}`))?.message).toMatch(
			/is not open/
		);
		expect(
			(
				await attempt(
					(tx) => tx`update selection_round set closes_at = now() + interval '1 day' where id = ${hiddenRound}`
				)
			)?.message
		).toMatch(/closed earlier/);
		expect(await auditActions()).toEqual(expect.arrayContaining(['selection.round_created', 'selection.round_closed']));
	});

	it('carries the top of a closed round into a voting-session draft, ties included, audited', async () => {
		const form = { count: 2, title: '2026年民生实事项目票决', year: 2026, seats: 1 };
		expect(await carryOverToVotingSession(database.sql, liveRound, staff.id, form)).toEqual({
			ok: false,
			problem: 'not_closed'
		});
		await closeRoundNow(database.sql, liveRound, staff.id);
		const carried = await carryOverToVotingSession(database.sql, liveRound, staff.id, form);
		expect(carried).toMatchObject({
			ok: true,
			candidateIds: [candidateIds[1], candidateIds[0], candidateIds[2]],
			tiedAtCutoff: true
		});
		const votingSessionId = (carried as { votingSessionId: number }).votingSessionId;
		expect(await getVotingSession(database.sql, votingSessionId)).toMatchObject({
			status: 'draft',
			title: form.title,
			rules: { seats: 1 }
		});
		expect(await sessionCandidateIds(database.sql, votingSessionId)).toEqual([
			candidateIds[1],
			candidateIds[0],
			candidateIds[2]
		]);
		const [entry] = await database.sql<{ votingSessionId: number; details: Record<string, unknown> }[]>`
			select voting_session_id as "votingSessionId", details from audit_entry where action = 'selection.carried_over'`;
		expect(entry).toEqual({
			votingSessionId,
			details: {
				roundId: liveRound,
				candidateIds: [candidateIds[1], candidateIds[0], candidateIds[2]],
				requested: 2,
				tiedAtCutoff: true,
				countedBy: 'kept supports'
			}
		});
	});
});
