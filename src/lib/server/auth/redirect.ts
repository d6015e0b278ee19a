// Where a sign-in goes on to: the page that asked for it (`?redirectTo=`), on this site only, and
// never back into the sign-in pages themselves (a signed-in visitor there is sent on, which would loop).
import { safeLocalPath } from '$lib/domain/schemas';

export function signInTarget(url: URL): string {
	const target = safeLocalPath(url.searchParams.get('redirectTo'));
	return /^\/login(?:[/?#]|$)/.test(target) ? '/' : target;
}
