import { TEXT_SIZE_COOKIE, textSizeOf } from '$lib/text-size';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
	textSize: textSizeOf(cookies.get(TEXT_SIZE_COOKIE)),
	user: locals.user && {
		username: locals.user.username,
		displayName: locals.user.displayName,
		roles: locals.user.roles
	}
});
