// A ballot on a shared hall tablet (issue 15): the ballot and receipt pages sign out by themselves
// after a while without use, and "完成并退出" signs out at once, leaving the next delegate at the
// sign-in page rather than at someone's choices.
import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import type { SessionUser } from '../auth/session';

/** Seconds a ballot or receipt page waits without use before it signs out (PIAOJUE_BALLOT_IDLE_SECONDS). */
export const DEFAULT_BALLOT_IDLE_SECONDS = 120;

export function ballotIdleSeconds(value: string | undefined = process.env.PIAOJUE_BALLOT_IDLE_SECONDS): number {
	const seconds = Number(value);
	return Number.isInteger(seconds) && seconds >= 10 && seconds <= 3600 ? seconds : DEFAULT_BALLOT_IDLE_SECONDS;
}

/**
 * The proof a sign-out link carries (the page without JavaScript signs out through a GET that a
 * meta refresh follows): derived from the auth session's id, which never leaves the server, so
 * another site cannot sign a delegate out by linking to it.
 */
export function idleSignOutToken(authSessionId: string): string {
	return createHash('sha256').update(`idle-sign-out:${authSessionId}`).digest('base64url').slice(0, 32);
}

/** The sign-in page for the next person at this device: the code sign-in after a code sign-in. */
export function signInPageAfter(user: Pick<SessionUser, 'votingSessionScope'> | null): string {
	return user?.votingSessionScope != null ? '/login/code' : '/login';
}

/** The receipt code as a QR code (SVG, from our own data): the link that checks it once the vote closes. */
export function receiptQrSvg(origin: string, votingSessionId: number, receiptCode: string): Promise<string> {
	const link = `${origin}/results/${votingSessionId}/receipts?code=${encodeURIComponent(receiptCode)}`;
	return QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
