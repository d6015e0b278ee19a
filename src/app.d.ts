import type { AuthSession, SessionUser } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: Pick<AuthSession, 'id' | 'openedBy'> | null;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
