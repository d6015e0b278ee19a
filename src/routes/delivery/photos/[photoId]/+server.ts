import { error } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { getPhoto } from '$lib/server/delivery/updates';
import type { RequestHandler } from './$types';

/** A photo of a progress update, as stored (checked and without metadata), under its own type. */
export const GET: RequestHandler = async (event) => {
	const id = idSchema.safeParse(event.params.photoId);
	if (!id.success) error(404, m.error_not_found());
	const photo = await readPublicFor(event, (sql) => getPhoto(sql, id.data));
	if (!photo) error(404, m.error_not_found());
	return new Response(new Uint8Array(photo.content), {
		headers: {
			'content-type': photo.mediaType,
			'content-length': String(photo.content.length),
			'x-content-type-options': 'nosniff',
			'content-disposition': 'inline',
			'content-security-policy': "default-src 'none'; sandbox",
			'cache-control': 'public, max-age=31536000, immutable',
			etag: `"${photo.sha256}"`
		}
	});
};
