// The progress-update form, shared by the staff and department pages: read the post, check the
// fields and the photos, post the update. Errors come back with the typed text kept.
import { error, fail } from '@sveltejs/kit';
import { percentageCount, percentageField, PHOTOS_PER_UPDATE, progressUpdateSchema } from '$lib/domain/delivery';
import { fieldErrors } from '$lib/domain/schemas';
import { messageByKey, messageOf, type MessageKey } from '$lib/i18n';
import { m } from '$lib/paraglide/messages';
import type { Sql } from '../db/client';
import { readFormBody } from '../form-body';
import { cleanImage, type CleanImage, type ImageProblem } from './images';
import { getProject, projectAccess, type DeliveryActor } from './projects';
import { postProgressUpdate } from './updates';

const IMAGE_PROBLEM_KEYS = {
	not_image: 'delivery_error_photo_not_image',
	too_large: 'delivery_error_photo_too_large',
	too_big_dimensions: 'delivery_error_photo_dimensions',
	corrupt: 'delivery_error_photo_corrupt'
} as const satisfies Record<ImageProblem, MessageKey>;

/** The text fields of an update form, as typed. */
export function updateFormValues(form: FormData, targetCount: number): Record<string, string> {
	const fields = [
		'reportedOn',
		'body',
		'status',
		...Array.from({ length: targetCount }, (_, index) => percentageField(index))
	];
	return Object.fromEntries(
		fields.map((field) => [field, typeof form.get(field) === 'string' ? (form.get(field) as string) : ''])
	);
}

/** Checks every uploaded photo; the first problem names the file. */
async function readPhotos(
	form: FormData
): Promise<{ ok: true; photos: CleanImage[] } | { ok: false; message: string }> {
	const files = form
		.getAll('photos')
		.filter((entry): entry is File => typeof entry !== 'string' && (entry.size > 0 || entry.name !== ''));
	if (form.getAll('photos').some((entry) => typeof entry === 'string' && entry !== ''))
		return { ok: false, message: m.delivery_error_photo_not_image({ name: '' }) };
	if (files.length > PHOTOS_PER_UPDATE)
		return { ok: false, message: m.delivery_error_photo_too_many({ count: PHOTOS_PER_UPDATE }) };
	const photos: CleanImage[] = [];
	for (const file of files) {
		const checked = cleanImage(new Uint8Array(await file.arrayBuffer()));
		if (!checked.ok)
			return {
				ok: false,
				message: messageOf(IMAGE_PROBLEM_KEYS[checked.error], { name: file.name.slice(0, 100) })
			};
		photos.push(checked.image);
	}
	return { ok: true, photos };
}

/** The `postUpdate` action of a project page: 404 for a missing project, 403 without the right to report on it. */
export async function postUpdateAction(sql: Sql, request: Request, actor: DeliveryActor, projectId: number) {
	const project = await getProject(sql, projectId);
	if (!project) error(404, m.error_not_found());
	if (!(await projectAccess(sql, actor, projectId))) error(403, m.error_forbidden());
	const form = await readFormBody(request);
	const targetCount = percentageCount(project.targets);
	const values = updateFormValues(form, targetCount);
	const parsed = progressUpdateSchema(targetCount).safeParse(values);
	const errors: Record<string, string> = parsed.success
		? {}
		: Object.fromEntries(Object.entries(fieldErrors(parsed.error)).map(([field, key]) => [field, messageByKey(key)]));
	const photos = await readPhotos(form);
	if (!photos.ok) errors.photos = photos.message;
	if (!parsed.success || !photos.ok) return fail(400, { update: { values, errors } });
	const posted = await postProgressUpdate(sql, actor, projectId, parsed.data, photos.photos);
	if (!posted.ok) {
		if (posted.error === 'not_found') error(404, m.error_not_found());
		if (posted.error === 'forbidden') error(403, m.error_forbidden());
		return fail(400, { update: { values, errors: { form: m.error_unexpected() } } });
	}
	return { posted: true as const };
}
