// Staff merge proposals into a candidate (a new one, or one already in the catalog): in one
// transaction the proposals move to "merged" naming the candidate (its provenance, 来源), a new
// candidate is created at the end of its category, and the audit chain records both.
import type { MergeProblem } from '$lib/domain/proposals';
import type { MergeForm } from '$lib/domain/residents-schemas';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { insertCandidate, lockCatalog } from '../catalog/manage';
import { lockForTransition } from './proposals';

export type MergeResult =
	{ ok: true; candidateId: number } | { ok: false; problem: MergeProblem; proposalIds?: number[] };

async function createCandidateFor(
	tx: TransactionSql,
	target: { categoryId: number; title: string; summary: string },
	staffId: number
): Promise<MergeResult> {
	await lockCatalog(tx);
	const [category] = await tx<{ name: string }[]>`select name from category where id = ${target.categoryId}`;
	if (!category) return { ok: false, problem: 'category_not_found' };
	const [taken] = await tx`select 1 from candidate where title = ${target.title}`;
	if (taken) return { ok: false, problem: 'title_taken' };
	const candidateId = await insertCandidate(tx, target.categoryId, {
		title: target.title,
		summary: target.summary,
		targets: [],
		leadDepartment: '',
		budgetYuan: null,
		expectedCompletion: null
	});
	await appendAudit(tx, {
		actorUserId: staffId,
		action: 'candidate.created',
		details: { candidateId, title: target.title, category: category.name }
	});
	return { ok: true, candidateId };
}

export async function mergeProposals(sql: Sql, staffId: number, form: MergeForm): Promise<MergeResult> {
	return (await sql.begin(async (tx): Promise<MergeResult> => {
		const refusal = await lockForTransition(tx, form.proposalIds, 'merged');
		if (refusal) return { ok: false, ...refusal };
		let candidateId: number;
		if (form.target.kind === 'existing') {
			const [candidate] = await tx<
				{ id: number }[]
			>`select id from candidate where id = ${form.target.candidateId} for key share`;
			if (!candidate) return { ok: false, problem: 'candidate_not_found' };
			candidateId = candidate.id;
		} else {
			const created = await createCandidateFor(tx, form.target, staffId);
			if (!created.ok) return created;
			candidateId = created.candidateId;
		}
		const ids = [...new Set(form.proposalIds)].sort((a, b) => a - b);
		await tx`
			update proposal set status = 'merged', merged_into_candidate_id = ${candidateId},
			       decision_reason = ${form.reason === '' ? null : form.reason}, decided_by = ${staffId}
			where id = any(${ids}::bigint[])`;
		await appendAudit(tx, {
			actorUserId: staffId,
			action: 'proposal.merged',
			details: {
				proposalIds: ids,
				candidateId,
				newCandidate: form.target.kind === 'new',
				reason: form.reason === '' ? null : form.reason
			}
		});
		return { ok: true, candidateId };
	})) as MergeResult;
}
