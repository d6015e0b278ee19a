// TOTP (RFC 6238) with the parameters every authenticator app understands: HMAC-SHA1, 6 digits,
// 30-second steps, a 160-bit key (RFC 4226's recommendation). Codes come from @oslojs/otp.
import { randomBytes } from 'node:crypto';
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import { encodeBase32NoPadding } from '@oslojs/encoding';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_KEY_BYTES = 20;
/** Codes of one step before or after the server's are accepted: clocks drift and people type slowly. */
export const TOTP_WINDOW_STEPS = 1;
const ISSUER = 'Piaojue';

export function generateTotpSecret(): Uint8Array {
	return new Uint8Array(randomBytes(TOTP_KEY_BYTES));
}

export function totpStepAt(milliseconds: number = Date.now()): number {
	return Math.floor(milliseconds / 1000 / TOTP_PERIOD_SECONDS);
}

/** The step whose code `code` is, within the window around now, or null. */
export function matchTotpStep(secret: Uint8Array, code: string, now: number = Date.now()): number | null {
	if (!/^\d{6}$/.test(code)) return null;
	const current = totpStepAt(now);
	let matched: number | null = null;
	// Every step of the window is checked (no early exit), so timing does not tell which matched.
	for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step += 1) {
		if (verifyHOTP(secret, BigInt(step), TOTP_DIGITS, code) && matched === null) matched = step;
	}
	return matched;
}

/** The secret as authenticator apps ask for it when typed: base32, in groups of four. */
export function formatTotpSecret(secret: Uint8Array): string {
	return encodeBase32NoPadding(secret).replace(/(.{4})(?!$)/g, '$1 ');
}

export function totpKeyUri(secret: Uint8Array, accountName: string): string {
	return createTOTPKeyURI(ISSUER, accountName, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The otpauth:// URI as an SVG QR code, drawn on the server. */
export function totpQrSvg(secret: Uint8Array, accountName: string): Promise<string> {
	return QRCode.toString(totpKeyUri(secret, accountName), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** What was typed in a code field, without spaces (authenticator apps show "123 456"). */
export function normalizeTotpCode(input: string): string {
	return input.replace(/\s+/g, '');
}
