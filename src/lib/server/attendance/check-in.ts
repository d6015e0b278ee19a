// The check-in at the hall door (签到): staff find a delegate by name, delegation or number and tap,
// or scan the QR code of the delegate's credential sheet (or type its code). Every path ends in
// setPresenceOfMany, which writes the check-in and its audit entry and notifies the live stream.
import type { Sql } from '../db/client';
import { delegateOfAccessCode } from '../electorate/access-codes';
import { setPresence, type PresenceResult } from '../electorate/presence';

/**
 * The code in what was scanned or typed: the credential sheet's QR holds the sign-in link
 * `<origin>/login/code?code=<CODE>`; staff may also type the printed code (any case, dashes, spaces).
 */
export function codeFromScan(scanned: string): string {
	const text = scanned.trim();
	if (/^https?:\/\//i.test(text)) {
		try {
			return new URL(text).searchParams.get('code') ?? '';
		} catch {
			return '';
		}
	}
	return text;
}

export type CodeCheckInResult = PresenceResult | { ok: false; error: 'unknown_code' };

/** Checks in the delegate whose credential code was scanned or typed. */
export async function checkInByCode(
	sql: Sql,
	input: { votingSessionId: number; scanned: string; actorUserId: number }
): Promise<CodeCheckInResult> {
	const delegate = await delegateOfAccessCode(sql, codeFromScan(input.scanned));
	if (!delegate) return { ok: false, error: 'unknown_code' };
	return setPresence(sql, {
		votingSessionId: input.votingSessionId,
		delegateId: delegate.userId,
		present: true,
		actorUserId: input.actorUserId,
		method: 'code'
	});
}
