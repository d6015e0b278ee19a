import type { AuthSession, SessionUser } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: Pick<AuthSession, 'id' | 'openedBy'> | null;
			/** This request's id in the log (X-Request-Id from nginx, or a new one); sent back as X-Request-Id. */
			requestId: string;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
