// Verifying test residents the way residents verify: a code sent through the app's SMS module
// (captured instead of sent) and confirmed.
import { randomBytes } from 'node:crypto';
import type { Sql } from '../../src/lib/server/db/client';
import { confirmMobileCode, requestMobileCode } from '../../src/lib/server/residents/mobile-verification';
import type { SmsMessage, SmsSender } from '../../src/lib/server/residents/sms';

/** A sender that keeps the messages it was given. */
export function capturingSender(): SmsSender & { sent: SmsMessage[] } {
	const sent: SmsMessage[] = [];
	return { name: 'console', sent, send: async (message) => void sent.push(message) };
}

/** A random mainland mobile number (139 + 8 digits). */
export function randomMobile(): string {
	return `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
}

/** Verifies `mobile` (a random one by default) for the resident through a code; returns the number. */
export async function verifyMobile(sql: Sql, userId: number, mobile = randomMobile()): Promise<string> {
	const sender = capturingSender();
	const requested = await requestMobileCode(sql, { userId, mobile, address: `test-${userId}` }, sender);
	if (!requested.ok) throw new Error(`could not send a code: ${JSON.stringify(requested)}`);
	const confirmed = await confirmMobileCode(sql, userId, sender.sent[0]!.code);
	if (!confirmed.ok) throw new Error(`could not verify: ${JSON.stringify(confirmed)}`);
	return mobile;
}
