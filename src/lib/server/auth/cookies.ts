// Session cookie settings: httpOnly, SameSite=Lax, Secure everywhere but localhost.
import { INACTIVITY_TIMEOUT_SECONDS, SESSION_COOKIE } from './session';
import type { Cookies } from '@sveltejs/kit';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function sessionCookieOptions(url: URL) {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'lax' as const,
		secure: !LOCAL_HOSTS.has(url.hostname),
		maxAge: INACTIVITY_TIMEOUT_SECONDS
	};
}

export function setSessionCookie(cookies: Cookies, url: URL, token: string): void {
	cookies.set(SESSION_COOKIE, token, sessionCookieOptions(url));
}

export function clearSessionCookie(cookies: Cookies, url: URL): void {
	cookies.delete(SESSION_COOKIE, sessionCookieOptions(url));
}

/** The pending second step of a sign-in: a short-lived cookie read only by /login/two-factor. */
export const PENDING_SIGN_IN_COOKIE = 'piaojue_two_factor';
const PENDING_SIGN_IN_PATH = '/login/two-factor';

function pendingSignInCookieOptions(url: URL, maxAge: number) {
	return { ...sessionCookieOptions(url), path: PENDING_SIGN_IN_PATH, sameSite: 'strict' as const, maxAge };
}

export function setPendingSignInCookie(cookies: Cookies, url: URL, token: string, maxAgeSeconds: number): void {
	cookies.set(PENDING_SIGN_IN_COOKIE, token, pendingSignInCookieOptions(url, maxAgeSeconds));
}

export function clearPendingSignInCookie(cookies: Cookies, url: URL): void {
	cookies.delete(PENDING_SIGN_IN_COOKIE, pendingSignInCookieOptions(url, 0));
}
