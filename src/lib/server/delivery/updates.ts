// Progress updates of a project, with their photos: posted by staff or the lead department in one
// transaction with the audit entry; read by everyone (a project's progress is public).
import type { ProgressUpdateInput } from '$lib/domain/delivery';
import { overallPercent } from '$lib/domain/delivery';
import type { Sql } from '../db/client';
import { appendAudit } from '../audit/audit';
import type { CleanImage } from './images';
import { projectAccess, type DeliveryActor } from './projects';
import type { ProgressUpdate } from '$lib/domain/delivery';
export type { ProgressUpdate } from '$lib/domain/delivery';

export async function listProgressUpdates(sql: Sql, projectId: number): Promise<ProgressUpdate[]> {
	const rows = await sql<Omit<ProgressUpdate, 'percent'>[]>`
		select u.id, u.reported_on::text as "reportedOn", u.body, u.status, u.target_percentages as percentages,
		       a.display_name as "authorName",
		       exists (select 1 from department_account d where d.user_id = u.author_id) as "byDepartment",
		       u.created_at as "createdAt",
		       coalesce((select json_agg(json_build_object('id', ph.id, 'width', ph.width, 'height', ph.height) order by ph.position)
		                 from progress_photo ph where ph.progress_update_id = u.id), '[]') as photos
		from progress_update u join app_user a on a.id = u.author_id
		where u.project_id = ${projectId}
		order by u.reported_on desc, u.id desc`;
	return rows.map((row) => ({ ...row, percent: overallPercent(row.percentages) }));
}

export type PostUpdateResult =
	{ ok: true; updateId: number } | { ok: false; error: 'not_found' | 'forbidden' | 'wrong_target_count' };

/** Posts an update with its photos (already checked and stripped), in one transaction with its audit entry. */
export async function postProgressUpdate(
	sql: Sql,
	actor: DeliveryActor,
	projectId: number,
	input: ProgressUpdateInput,
	photos: readonly CleanImage[]
): Promise<PostUpdateResult> {
	return (await sql.begin(async (tx): Promise<PostUpdateResult> => {
		const [project] = await tx<{ targets: string[] }[]>`select targets from livelihood_project where id = ${projectId}`;
		if (!project) return { ok: false, error: 'not_found' };
		const access = await projectAccess(tx, actor, projectId);
		if (!access) return { ok: false, error: 'forbidden' };
		if (input.percentages.length !== Math.max(project.targets.length, 1))
			return { ok: false, error: 'wrong_target_count' };
		const [update] = await tx<{ id: number }[]>`
			insert into progress_update (project_id, reported_on, body, target_percentages, status, author_id)
			values (${projectId}, ${input.reportedOn}, ${input.body}, ${input.percentages}::int[], ${input.status}, ${actor.id})
			returning id`;
		const updateId = (update as { id: number }).id;
		for (const [index, photo] of photos.entries()) {
			await tx`
				insert into progress_photo (progress_update_id, position, media_type, width, height, content, sha256)
				values (${updateId}, ${index + 1}, ${photo.mediaType}, ${photo.width}, ${photo.height}, ${photo.content}, ${photo.sha256})`;
		}
		await appendAudit(tx, {
			actorUserId: actor.id,
			action: 'delivery.update_posted',
			details: {
				projectId,
				updateId,
				as: access,
				status: input.status,
				percentages: input.percentages,
				photos: photos.length,
				photoDigests: photos.map((photo) => photo.sha256.toString('hex'))
			}
		});
		return { ok: true, updateId };
	})) as PostUpdateResult;
}

export interface StoredPhoto {
	mediaType: string;
	content: Buffer;
	sha256: string;
}

export async function getPhoto(sql: Sql, photoId: number): Promise<StoredPhoto | null> {
	const [photo] = await sql<StoredPhoto[]>`
		select media_type as "mediaType", content, encode(sha256, 'hex') as sha256 from progress_photo where id = ${photoId}`;
	return photo ?? null;
}
