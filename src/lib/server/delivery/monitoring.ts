// Monitoring groups (one per project) and their inspection notes (视察记录). Staff assign
// delegates; members write notes; staff and the lead department read them all; the public reads
// the notes staff approved. Every change is audited in its own transaction.
import type { InspectionNoteInput, NoteStatus } from '$lib/domain/delivery';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import type { InspectionNote } from '$lib/domain/delivery';
export type { InspectionNote } from '$lib/domain/delivery';

export interface GroupMember {
	id: number;
	username: string;
	displayName: string;
	delegation: string | null;
	delegateNumber: string | null;
}

export async function listGroupMembers(sql: Sql, projectId: number): Promise<GroupMember[]> {
	return sql<GroupMember[]>`
		select u.id, u.username, u.display_name as "displayName", u.delegation, u.delegate_number as "delegateNumber"
		from monitoring_group_member g join app_user u on u.id = g.delegate_id
		where g.project_id = ${projectId}
		order by u.delegation nulls last, u.delegate_number nulls last, u.username`;
}

export type MemberResult =
	| { ok: true; delegateName: string }
	| { ok: false; error: 'not_found' | 'delegate_unknown' | 'already_member' | 'not_member' };

/** Adds a delegate (by username or delegate number) to a project's monitoring group. */
export async function addGroupMember(
	sql: Sql,
	projectId: number,
	delegateReference: string,
	actorUserId: number
): Promise<MemberResult> {
	return (await sql.begin(async (tx): Promise<MemberResult> => {
		const [project] = await tx`select 1 from livelihood_project where id = ${projectId}`;
		if (!project) return { ok: false, error: 'not_found' };
		const [delegate] = await tx<{ id: number; displayName: string }[]>`
			select u.id, u.display_name as "displayName" from app_user u
			where (lower(u.username) = lower(${delegateReference}) or u.delegate_number = ${delegateReference})
			  and u.disabled_at is null and exists (select 1 from user_role r where r.user_id = u.id and r.role = 'delegate')
			order by u.id limit 1`;
		if (!delegate) return { ok: false, error: 'delegate_unknown' };
		const inserted = await tx`
			insert into monitoring_group_member (project_id, delegate_id, added_by) values (${projectId}, ${delegate.id}, ${actorUserId})
			on conflict do nothing`;
		if (inserted.count === 0) return { ok: false, error: 'already_member' };
		await appendAudit(tx, {
			actorUserId,
			action: 'delivery.member_added',
			details: { projectId, delegateId: delegate.id }
		});
		return { ok: true, delegateName: delegate.displayName };
	})) as MemberResult;
}

export async function removeGroupMember(
	sql: Sql,
	projectId: number,
	delegateId: number,
	actorUserId: number
): Promise<MemberResult> {
	return (await sql.begin(async (tx): Promise<MemberResult> => {
		const [removed] = await tx<{ displayName: string }[]>`
			delete from monitoring_group_member g using app_user u
			where g.project_id = ${projectId} and g.delegate_id = ${delegateId} and u.id = g.delegate_id
			returning u.display_name as "displayName"`;
		if (!removed) return { ok: false, error: 'not_member' };
		await appendAudit(tx, { actorUserId, action: 'delivery.member_removed', details: { projectId, delegateId } });
		return { ok: true, delegateName: removed.displayName };
	})) as MemberResult;
}

const noteColumns = (sql: Sql) => sql`
	n.id, n.project_id as "projectId", n.visited_on::text as "visitedOn", n.body, n.status, a.display_name as "authorName",
	n.created_at as "createdAt", n.reviewed_at as "reviewedAt"`;

/** A project's notes: every one (staff, the lead department) or only the approved (the public). */
export async function listInspectionNotes(
	sql: Sql,
	projectId: number,
	scope: 'all' | 'public'
): Promise<InspectionNote[]> {
	const publicOnly = scope === 'public';
	return sql<InspectionNote[]>`
		select ${noteColumns(sql)} from inspection_note n join app_user a on a.id = n.author_id
		where n.project_id = ${projectId} and (not ${publicOnly} or n.status = 'approved')
		order by n.visited_on desc, n.id desc`;
}

export interface DelegateGroup {
	projectId: number;
	year: number;
	title: string;
	leadDepartment: string;
	notes: InspectionNote[];
}

/** The monitoring groups a delegate belongs to, with the notes they wrote. */
export async function listDelegateGroups(sql: Sql, delegateId: number): Promise<DelegateGroup[]> {
	const groups = await sql<Omit<DelegateGroup, 'notes'>[]>`
		select p.id as "projectId", p.year, p.title, p.lead_department as "leadDepartment"
		from monitoring_group_member g join livelihood_project p on p.id = g.project_id
		where g.delegate_id = ${delegateId}
		order by p.year desc, p.rank, p.id`;
	const notes = await sql<InspectionNote[]>`
		select ${noteColumns(sql)} from inspection_note n join app_user a on a.id = n.author_id
		where n.author_id = ${delegateId} order by n.visited_on desc, n.id desc`;
	return groups.map((group) => ({ ...group, notes: notes.filter((note) => note.projectId === group.projectId) }));
}

export type NoteResult =
	{ ok: true; noteId: number } | { ok: false; error: 'not_member' | 'not_found' | 'already_reviewed' };

/** A group member writes an inspection note (pending until staff review it). */
export async function postInspectionNote(
	sql: Sql,
	delegateId: number,
	input: InspectionNoteInput
): Promise<NoteResult> {
	return (await sql.begin(async (tx): Promise<NoteResult> => {
		const [member] =
			await tx`select 1 from monitoring_group_member where project_id = ${input.projectId} and delegate_id = ${delegateId}`;
		if (!member) return { ok: false, error: 'not_member' };
		const [note] = await tx<{ id: number }[]>`
			insert into inspection_note (project_id, author_id, visited_on, body)
			values (${input.projectId}, ${delegateId}, ${input.visitedOn}, ${input.body}) returning id`;
		const noteId = (note as { id: number }).id;
		await appendAudit(tx, {
			actorUserId: delegateId,
			action: 'delivery.note_posted',
			details: { projectId: input.projectId, noteId }
		});
		return { ok: true, noteId };
	})) as NoteResult;
}

/** Staff approve (the note becomes public) or reject a pending note of a project. */
export async function reviewInspectionNote(
	sql: Sql,
	projectId: number,
	noteId: number,
	decision: 'approved' | 'rejected',
	staffId: number
): Promise<NoteResult> {
	return (await sql.begin(async (tx): Promise<NoteResult> => {
		const [note] = await tx<{ status: NoteStatus }[]>`
			select status from inspection_note where id = ${noteId} and project_id = ${projectId} for update`;
		if (!note) return { ok: false, error: 'not_found' };
		if (note.status !== 'pending') return { ok: false, error: 'already_reviewed' };
		await tx`update inspection_note set status = ${decision}, reviewed_by = ${staffId}, reviewed_at = now() where id = ${noteId}`;
		await appendAudit(tx, {
			actorUserId: staffId,
			action: 'delivery.note_reviewed',
			details: { projectId, noteId, decision }
		});
		return { ok: true, noteId };
	})) as NoteResult;
}
