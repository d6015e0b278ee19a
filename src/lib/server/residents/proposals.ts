// Proposals from the public: residents write drafts and submit them while a campaign is open;
// staff review them (submitted → under_review → accepted | declined, or merged into a candidate:
// see merge.ts), hide abusive ones with a reason; the public reads, searches and filters them.
// Every staff action appends to the audit chain in the same transaction. The database trigger
// proposal_guard refuses any move the rules in $lib/domain/proposals do not allow.
import {
	canTransition,
	containsPattern,
	isDecision,
	pageCount,
	REVIEW_ACTIONS,
	type District,
	type HideProblem,
	type ProposalProblem,
	type ProposalStatus,
	type ReviewAction,
	type ReviewProblem
} from '$lib/domain/proposals';
import type { ProposalForm } from '$lib/domain/residents-schemas';
import type { Role } from '$lib/domain/types';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { refusalOf } from '../db/refusal';
import { maskedMobile } from './mobile-verification';
import type { ProposalSummary } from '$lib/domain/proposals';
export type { ProposalSummary } from '$lib/domain/proposals';

export interface Proposal extends ProposalSummary {
	campaignId: number;
	campaignTitle: string;
	authorId: number;
	problem: string;
	measure: string;
	beneficiaries: string;
	estimatedCostYuan: number | null;
	/** Only for the author and staff; empty for everyone else. */
	contact: string;
	createdAt: Date;
	decidedAt: Date | null;
}

export type ProposalAccess = 'public' | 'author' | 'staff';

const summaryColumns = (sql: Sql | TransactionSql) => sql`
	p.id, p.status, p.title, p.category_id as "categoryId", g.name as "categoryName", p.district,
	p.submitted_at as "submittedAt", p.decision_reason as "decisionReason",
	p.merged_into_candidate_id as "mergedIntoCandidateId", c.title as "mergedIntoCandidateTitle",
	p.hidden_at is not null as hidden, p.hidden_reason as "hiddenReason"`;

const summaryJoins = (sql: Sql | TransactionSql) => sql`
	left join category g on g.id = p.category_id
	left join candidate c on c.id = p.merged_into_candidate_id`;

/** The searched text of a proposal: the same expression as the trigram index proposal_search_idx. */
const searchText = (sql: Sql | TransactionSql) =>
	sql`(p.title || ' ' || p.problem || ' ' || p.measure || ' ' || p.beneficiaries)`;

/** What the public may see of a hidden proposal: that it was hidden, and why. */
function redacted<T extends ProposalSummary>(proposal: T): T {
	if (!proposal.hidden) return proposal;
	const copy = { ...proposal, title: '' };
	if ('problem' in copy) Object.assign(copy, { problem: '', measure: '', beneficiaries: '' });
	return copy;
}

export function accessOf(
	proposal: { authorId: number },
	viewer: { id: number; roles: readonly Role[] } | null
): ProposalAccess {
	if (viewer?.roles.includes('staff')) return 'staff';
	if (viewer && viewer.id === proposal.authorId) return 'author';
	return 'public';
}

/** A proposal as `viewer` may see it; null when it does not exist or is someone else's draft. */
export async function getProposalForViewer(
	sql: Sql,
	id: number,
	viewer: { id: number; roles: readonly Role[] } | null
): Promise<{ proposal: Proposal; access: ProposalAccess } | null> {
	const [row] = await sql<Proposal[]>`
		select ${summaryColumns(sql)}, p.campaign_id as "campaignId", k.title as "campaignTitle", p.author_id as "authorId",
		       p.problem, p.measure, p.beneficiaries, p.estimated_cost_yuan as "estimatedCostYuan", p.contact,
		       p.created_at as "createdAt", p.decided_at as "decidedAt"
		from proposal p join proposal_campaign k on k.id = p.campaign_id ${summaryJoins(sql)}
		where p.id = ${id}`;
	if (!row) return null;
	const access = accessOf(row, viewer);
	if (access === 'public') {
		if (row.status === 'draft') return null;
		return { proposal: { ...redacted(row), contact: '' }, access };
	}
	if (access === 'staff' && row.status === 'draft' && viewer?.id !== row.authorId) return null;
	return { proposal: row, access };
}

// ---------------------------------------------------------------- lists

export const PROPOSALS_PAGE_SIZE = 20;

export interface ProposalQuery {
	q: string;
	categoryId: number | null;
	district: District | null;
	status: ProposalStatus | null;
	campaignId: number | null;
	page: number;
}

export interface ProposalPage {
	proposals: ProposalSummary[];
	total: number;
	page: number;
	pageCount: number;
	pageSize: number;
	/** Per category, the proposals matching every filter but the category one (for the filter's counts). */
	categoryCounts: { categoryId: number; name: string; count: number }[];
}

/**
 * Submitted proposals matching the filters, newest first. The public list leaves out hidden ones;
 * the staff's review queue (`audience: 'staff'`) shows them, marked.
 */
export async function listProposals(
	sql: Sql,
	query: ProposalQuery,
	audience: 'public' | 'staff',
	pageSize = PROPOSALS_PAGE_SIZE
): Promise<ProposalPage> {
	// A search PostgreSQL cannot hold (with a NUL) reads as none, as in the roster (electorate/schemas.ts).
	const pattern = query.q.includes('\0') ? null : containsPattern(query.q);
	const common = sql`
		p.status <> 'draft'
		${audience === 'public' ? sql`and p.hidden_at is null` : sql``}
		${pattern ? sql`and ${searchText(sql)} ilike ${pattern}` : sql``}
		${query.district ? sql`and p.district = ${query.district}` : sql``}
		${query.status ? sql`and p.status = ${query.status}` : sql``}
		${query.campaignId ? sql`and p.campaign_id = ${query.campaignId}` : sql``}`;
	const withCategory = sql`${common} ${query.categoryId ? sql`and p.category_id = ${query.categoryId}` : sql``}`;
	const [counted] = await sql<{ total: number }[]>`select count(*)::int as total from proposal p where ${withCategory}`;
	const total = counted?.total ?? 0;
	const pages = pageCount(total, pageSize);
	const page = Math.min(Math.max(1, query.page), pages);
	const proposals = await sql<ProposalSummary[]>`
		select ${summaryColumns(sql)} from proposal p ${summaryJoins(sql)}
		where ${withCategory}
		order by p.submitted_at desc, p.id desc
		limit ${pageSize} offset ${(page - 1) * pageSize}`;
	const categoryCounts = await sql<{ categoryId: number; name: string; count: number }[]>`
		select g.id as "categoryId", g.name, count(p.id)::int as count
		from category g left join proposal p on p.category_id = g.id and ${common}
		group by g.id, g.name, g.position order by g.position, g.id`;
	return {
		proposals: audience === 'public' ? proposals.map(redacted) : [...proposals],
		total,
		page,
		pageCount: pages,
		pageSize,
		categoryCounts: [...categoryCounts]
	};
}

/** A resident's own proposals, drafts included, newest first. */
export async function listAuthorProposals(
	sql: Sql,
	authorId: number
): Promise<(ProposalSummary & { campaignTitle: string; campaignOpen: boolean })[]> {
	return sql<(ProposalSummary & { campaignTitle: string; campaignOpen: boolean })[]>`
		select ${summaryColumns(sql)}, k.title as "campaignTitle", (now() >= k.opens_at and now() < k.closes_at) as "campaignOpen"
		from proposal p join proposal_campaign k on k.id = p.campaign_id ${summaryJoins(sql)}
		where p.author_id = ${authorId}
		order by p.created_at desc, p.id desc`;
}

/** The proposals merged into a candidate (its provenance), oldest first; hidden ones without their title. */
export async function listCandidateProvenance(sql: Sql, candidateId: number): Promise<ProposalSummary[]> {
	const rows = await sql<ProposalSummary[]>`
		select ${summaryColumns(sql)} from proposal p ${summaryJoins(sql)}
		where p.merged_into_candidate_id = ${candidateId}
		order by p.submitted_at, p.id`;
	return rows.map(redacted);
}

// ---------------------------------------------------------------- writing (residents)

export type SaveResult = { ok: true; id: number } | { ok: false; problem: ProposalProblem };

/** The refusals of the database that a resident's write can meet, as problems. */
function writeProblem(error: unknown): ProposalProblem | null {
	const refused = refusalOf(error);
	switch (refused?.refusal) {
		case 'campaign_closed':
			return 'campaign_closed';
		case 'proposal_status_step':
		case 'proposal_content_fixed':
			return 'not_draft';
		case 'foreign_key_violation':
			if (refused.constraint === 'proposal_category_id_fkey') return 'category_not_found';
			if (refused.constraint === 'proposal_campaign_id_fkey') return 'campaign_closed';
			return null;
		default:
			return null;
	}
}

/**
 * Saves a resident's proposal: a new one (`proposalId` null) or their own draft, as a draft or
 * submitted. Refused once submitted, or when the campaign is not open.
 */
export async function saveProposal(
	sql: Sql,
	authorId: number,
	proposalId: number | null,
	form: ProposalForm,
	mode: 'draft' | 'submit'
): Promise<SaveResult> {
	const status: ProposalStatus = mode === 'submit' ? 'submitted' : 'draft';
	try {
		if (proposalId === null) {
			const [row] = await sql<{ id: number }[]>`
				insert into proposal (campaign_id, author_id, status, title, category_id, district, problem, measure, beneficiaries, estimated_cost_yuan, contact)
				values (${form.campaignId}, ${authorId}, ${status}, ${form.title}, ${form.categoryId}, ${form.district}, ${form.problem},
				        ${form.measure}, ${form.beneficiaries}, ${form.estimatedCostYuan}, ${form.contact})
				returning id`;
			return { ok: true, id: (row as { id: number }).id };
		}
		return (await sql.begin(async (tx): Promise<SaveResult> => {
			const [draft] = await tx<{ status: ProposalStatus; campaignId: number }[]>`
				select status, campaign_id as "campaignId" from proposal where id = ${proposalId} and author_id = ${authorId} for update`;
			if (!draft) return { ok: false, problem: 'not_found' };
			if (draft.status !== 'draft') return { ok: false, problem: 'not_draft' };
			await tx`
				update proposal set status = ${status}, title = ${form.title}, category_id = ${form.categoryId}, district = ${form.district},
				       problem = ${form.problem}, measure = ${form.measure}, beneficiaries = ${form.beneficiaries},
				       estimated_cost_yuan = ${form.estimatedCostYuan}, contact = ${form.contact}
				where id = ${proposalId}`;
			return { ok: true, id: proposalId };
		})) as SaveResult;
	} catch (error) {
		const problem = writeProblem(error);
		if (problem) return { ok: false, problem };
		throw error;
	}
}

/** A resident deletes their own draft. */
export async function deleteDraft(
	sql: Sql,
	authorId: number,
	proposalId: number
): Promise<{ ok: true } | { ok: false; problem: ProposalProblem }> {
	const [row] = await sql<
		{ status: ProposalStatus }[]
	>`select status from proposal where id = ${proposalId} and author_id = ${authorId}`;
	if (!row) return { ok: false, problem: 'not_found' };
	if (row.status !== 'draft') return { ok: false, problem: 'not_draft' };
	const result =
		await sql`delete from proposal where id = ${proposalId} and author_id = ${authorId} and status = 'draft'`;
	return result.count === 1 ? { ok: true } : { ok: false, problem: 'not_draft' };
}

/** The editable fields of an author's draft, for the form. */
export async function getDraftForAuthor(
	sql: Sql,
	authorId: number,
	proposalId: number
): Promise<(ProposalForm & { id: number }) | null> {
	const [draft] = await sql<(ProposalForm & { id: number })[]>`
		select id, campaign_id as "campaignId", title, category_id as "categoryId", district, problem, measure, beneficiaries,
		       estimated_cost_yuan as "estimatedCostYuan", contact
		from proposal where id = ${proposalId} and author_id = ${authorId} and status = 'draft'`;
	return draft ?? null;
}

// ---------------------------------------------------------------- the review (staff)

export type ReviewResult = { ok: true; count: number } | { ok: false; problem: ReviewProblem; proposalIds: number[] };

/**
 * Locks the given proposals (in id order) and checks that each may move to `target` by staff.
 * Returns the refusal, or null when all may.
 */
export async function lockForTransition(
	tx: TransactionSql,
	proposalIds: readonly number[],
	target: ProposalStatus
): Promise<{ problem: ReviewProblem; proposalIds: number[] } | null> {
	const ids = [...new Set(proposalIds)].sort((a, b) => a - b);
	const rows = await tx<{ id: number; status: ProposalStatus }[]>`
		select id, status from proposal where id = any(${ids}::bigint[]) order by id for update`;
	const found = new Set(rows.map((row) => row.id));
	const missing = ids.filter((id) => !found.has(id));
	if (missing.length > 0) return { problem: 'not_found', proposalIds: missing };
	const refused = rows.filter((row) => !canTransition(row.status, target, 'staff')).map((row) => row.id);
	return refused.length > 0 ? { problem: 'wrong_status', proposalIds: refused } : null;
}

/** Staff move proposals on (start the review, accept, decline) in one transaction: all or none. */
export async function reviewProposals(
	sql: Sql,
	staffId: number,
	proposalIds: readonly number[],
	action: ReviewAction,
	reason: string
): Promise<ReviewResult> {
	const target = REVIEW_ACTIONS[action];
	return (await sql.begin(async (tx): Promise<ReviewResult> => {
		const refusal = await lockForTransition(tx, proposalIds, target);
		if (refusal) return { ok: false, ...refusal };
		const ids = [...new Set(proposalIds)].sort((a, b) => a - b);
		const decision = isDecision(target);
		await tx`
			update proposal set status = ${target},
			       decision_reason = ${decision && reason !== '' ? reason : null}, decided_by = ${decision ? staffId : null}
			where id = any(${ids}::bigint[])`;
		await appendAudit(tx, {
			actorUserId: staffId,
			action: `proposal.${action}`,
			details: { proposalIds: ids, status: target, reason: decision && reason !== '' ? reason : null }
		});
		return { ok: true, count: ids.length };
	})) as ReviewResult;
}

export type HideResult = { ok: true } | { ok: false; problem: HideProblem };

/** Staff hide an abusive proposal (kept for the record) or show it again; both are audited. */
export async function setProposalHidden(
	sql: Sql,
	staffId: number,
	proposalId: number,
	hide: { reason: string } | null
): Promise<HideResult> {
	return (await sql.begin(async (tx): Promise<HideResult> => {
		const [row] = await tx<{ status: ProposalStatus; hidden: boolean }[]>`
			select status, hidden_at is not null as hidden from proposal where id = ${proposalId} for update`;
		if (!row) return { ok: false, problem: 'not_found' };
		if (row.status === 'draft') return { ok: false, problem: 'draft' };
		if (row.hidden === (hide !== null)) return { ok: false, problem: 'unchanged' };
		if (hide) {
			await tx`update proposal set hidden_at = now(), hidden_by = ${staffId}, hidden_reason = ${hide.reason} where id = ${proposalId}`;
			await appendAudit(tx, {
				actorUserId: staffId,
				action: 'proposal.hidden',
				details: { proposalId, reason: hide.reason }
			});
		} else {
			await tx`update proposal set hidden_at = null, hidden_by = null, hidden_reason = null where id = ${proposalId}`;
			await appendAudit(tx, { actorUserId: staffId, action: 'proposal.unhidden', details: { proposalId } });
		}
		return { ok: true };
	})) as HideResult;
}

/** Who wrote a proposal, for staff: their verified number masked (138****1234); `erased` for a deleted account. */
export async function getProposalAuthor(
	sql: Sql,
	proposalId: number
): Promise<{ id: number; username: string; displayName: string; mobile: string | null; erased: boolean } | null> {
	const [author] = await sql<
		{ id: number; username: string; displayName: string; sealed: Buffer | null; erased: boolean }[]
	>`
		select u.id, u.username, u.display_name as "displayName", r.mobile_ciphertext as sealed, r.erased_at is not null as erased
		from proposal p join app_user u on u.id = p.author_id left join resident_profile r on r.user_id = u.id
		where p.id = ${proposalId}`;
	if (!author) return null;
	const { sealed, ...rest } = author;
	return { ...rest, mobile: maskedMobile(sealed, author.id) };
}

/** The audit entries about a proposal (its review history), oldest first. */
export async function listProposalHistory(
	sql: Sql,
	proposalId: number
): Promise<{ seq: number; at: Date; action: string; actorUsername: string | null; reason: string | null }[]> {
	return sql<{ seq: number; at: Date; action: string; actorUsername: string | null; reason: string | null }[]>`
		select a.seq, a.at, a.action, u.username as "actorUsername", a.details->>'reason' as reason
		from audit_entry a left join app_user u on u.id = a.actor_user_id
		where a.action like 'proposal.%'
		  and (a.details->>'proposalId' = ${String(proposalId)} or a.details->'proposalIds' @> ${sql.json([proposalId])})
		order by a.seq`;
}
