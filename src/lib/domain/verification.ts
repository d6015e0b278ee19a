// Verified residents (issue 14), the pure rules: who may support in a round, how a mobile number
// is shown to anyone but its owner, the address prefix the irregular-activity review groups by,
// what an SMS code looks like and how long it lives, and the versions of the consent texts.
// No I/O; the database holds the same rules (migrations/00014_verified_residents.sql).
import { z } from 'zod';

/** Who may support in a selection round. */
export const ELIGIBILITIES = ['registered', 'phone', 'identity'] as const;
export type Eligibility = (typeof ELIGIBILITIES)[number];
/** New rounds take supports of phone-verified residents unless staff choose otherwise. */
export const DEFAULT_ELIGIBILITY: Eligibility = 'phone';

export interface ResidentVerification {
	mobileVerified: boolean;
	identityVerified: boolean;
}

/** Whether a resident meets a round's rule. */
export function meetsEligibility(rule: Eligibility, resident: ResidentVerification): boolean {
	if (rule === 'phone') return resident.mobileVerified;
	if (rule === 'identity') return resident.identityVerified;
	return true;
}

/** A mainland mobile number as shown to anyone but its owner: 138****1234. */
export function maskMobile(mobile: string): string {
	return mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : '***';
}

/** Six digits. */
export const SMS_CODE_LENGTH = 6;
/** A code is valid for 5 minutes. */
export const SMS_CODE_TTL_SECONDS = 300;
/** A code may be tried 5 times; then a new one must be sent. */
export const SMS_CODE_MAX_ATTEMPTS = 5;

export const smsCodeSchema = z
	.string({ error: 'verification_error_code_format' })
	.trim()
	.regex(/^\d{6}$/, { error: 'verification_error_code_format' });

/**
 * The network an address belongs to for the review: /24 for IPv4, /64 for IPv6 (the smallest block
 * a household or a mobile connection usually gets), in CIDR notation. Null when it does not parse.
 */
export function addressPrefix(address: string): string | null {
	const mapped = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
	const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mapped);
	if (v4) {
		const octets = v4.slice(1, 4).map(Number);
		if (octets.some((octet) => octet > 255) || Number(v4[4]) > 255) return null;
		return `${octets.join('.')}.0/24`;
	}
	const groups = expandIpv6(mapped);
	return groups ? `${groups.slice(0, 4).join(':')}::/64` : null;
}

/** The eight groups of an IPv6 address (lowercase, no leading zeros), or null. */
function expandIpv6(address: string): string[] | null {
	const bare = address.replace(/%.*$/, '').toLowerCase();
	if (!/^[0-9a-f:]+$/.test(bare) || bare.split('::').length > 2) return null;
	const [head = '', tail] = bare.split('::');
	const part = (text: string) => (text === '' ? [] : text.split(':'));
	const left = part(head);
	const right = tail === undefined ? [] : part(tail);
	const missing = 8 - left.length - right.length;
	if (tail === undefined ? missing !== 0 : missing < 1) return null;
	const groups = [...left, ...Array.from({ length: missing }, () => '0'), ...right];
	if (groups.some((group) => group.length === 0 || group.length > 4)) return null;
	return groups.map((group) => parseInt(group, 16).toString(16));
}

/**
 * The versions of the texts residents consent to (what is collected, why, for how long). A new
 * wording gets a new version; the consent records keep the version each resident agreed to.
 */
export const CONSENT_TEXT_VERSIONS = {
	registration: '2026-01-registration-v1',
	mobile: '2026-01-mobile-v1',
	identity: '2026-01-identity-v1'
} as const;

/** Unverified accounts with no activity are removed after this many days unless configured. */
export const DEFAULT_INACTIVE_ACCOUNT_DAYS = 180;

/** The period from `PIAOJUE_INACTIVE_ACCOUNT_DAYS` (a whole number of days, at least 1), else the default. */
export function inactiveAccountDays(value: string | undefined): number {
	if (value === undefined || value.trim() === '') return DEFAULT_INACTIVE_ACCOUNT_DAYS;
	const days = Number(value);
	if (!Number.isInteger(days) || days < 1) {
		throw new Error(`PIAOJUE_INACTIVE_ACCOUNT_DAYS must be a whole number of days (at least 1), not ${value}`);
	}
	return days;
}

/** A staff member's reason (an exclusion, lifting one): trimmed, 1 to 1000 characters. */
export const reasonSchema = z
	.string({ error: 'verification_error_reason_required' })
	.trim()
	.min(1, { error: 'verification_error_reason_required' })
	.max(1000, { error: 'verification_error_reason_too_long' });

/** Why a resident's request for an SMS code is refused (src/lib/server/residents/mobile-verification.ts). */
export type MobileCodeRequestProblem = 'rate_limited' | 'taken' | 'already_verified' | 'not_sent';
/** Why the code a resident typed does not verify their number. */
export type MobileCodeCheckProblem = 'no_code' | 'expired' | 'too_many_attempts' | 'taken' | 'wrong_code';
