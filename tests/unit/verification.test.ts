// The pure rules of issue 14: who may support, masking, the address prefix of the review, the
// SMS code format, the mobile request form and the inactivity period.
import { describe, expect, it } from 'vitest';
import { mobileCodeRequestSchema, roundFormSchema } from '../../src/lib/domain/residents-schemas';
import {
	addressPrefix,
	DEFAULT_ELIGIBILITY,
	inactiveAccountDays,
	maskMobile,
	meetsEligibility,
	smsCodeSchema
} from '../../src/lib/domain/verification';

describe('eligibility', () => {
	const none = { mobileVerified: false, identityVerified: false };
	const phone = { mobileVerified: true, identityVerified: false };
	const identity = { mobileVerified: false, identityVerified: true };
	it.each([
		['registered', none, true],
		['phone', none, false],
		['phone', phone, true],
		['phone', identity, false],
		['identity', phone, false],
		['identity', identity, true]
	] as const)('%s with %o → %s', (rule, resident, expected) => {
		expect(meetsEligibility(rule, resident)).toBe(expected);
	});
	it('makes new rounds phone-verified unless staff choose otherwise, and refuses an unknown rule', () => {
		expect(DEFAULT_ELIGIBILITY).toBe('phone');
		const form = {
			title: '网上评选',
			opensAt: '2026-05-01T09:00',
			closesAt: '2026-05-08T09:00',
			maxSupports: '2',
			candidateIds: ['1', '2', '3']
		};
		expect(roundFormSchema.parse(form).eligibility).toBe('phone');
		expect(roundFormSchema.parse({ ...form, eligibility: 'registered' }).eligibility).toBe('registered');
		const refused = roundFormSchema.safeParse({ ...form, eligibility: 'everyone' });
		expect(refused.success).toBe(false);
		expect(refused.error?.issues.map((issue) => issue.message)).toContain('verification_error_eligibility_unknown');
	});
});

describe('masking and prefixes', () => {
	it('masks a mobile number as 138****1234', () => {
		expect(maskMobile('13812341234')).toBe('138****1234');
		expect(maskMobile('123')).toBe('***');
	});
	it('groups IPv4 by /24 and IPv6 by /64, never keeping the full address', () => {
		expect(addressPrefix('203.0.113.77')).toBe('203.0.113.0/24');
		expect(addressPrefix('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
		expect(addressPrefix('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd:12::/64');
		expect(addressPrefix('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressPrefix('::1')).toBe('0:0:0:0::/64');
		expect(addressPrefix('999.1.1.1')).toBeNull();
		expect(addressPrefix('not an address')).toBeNull();
		expect(addressPrefix('1:2:3:4:5:6:7:8:9')).toBeNull();
	});
});

describe('forms', () => {
	it('takes six-digit codes only', () => {
		expect(smsCodeSchema.parse(' 012345 ')).toBe('012345');
		for (const wrong of ['12345', '1234567', 'abcdef', '']) expect(smsCodeSchema.safeParse(wrong).success).toBe(false);
	});
	it('needs a valid mobile number and consent to send a code', () => {
		expect(mobileCodeRequestSchema.parse({ mobile: '+86 138 1234 1234', consent: 'yes' })).toEqual({
			mobile: '13812341234',
			consent: 'yes'
		});
		const refused = mobileCodeRequestSchema.safeParse({ mobile: '', consent: '' });
		expect(refused.error?.issues.map((issue) => issue.message).sort()).toEqual([
			'verification_error_consent_required',
			'verification_error_mobile_required'
		]);
		expect(mobileCodeRequestSchema.safeParse({ mobile: '1234', consent: 'yes' }).error?.issues[0]?.message).toBe(
			'residents_error_mobile_format'
		);
	});
	it('reads the inactivity period from the environment (default 180 days)', () => {
		expect(inactiveAccountDays(undefined)).toBe(180);
		expect(inactiveAccountDays('30')).toBe(30);
		expect(() => inactiveAccountDays('0')).toThrow(/PIAOJUE_INACTIVE_ACCOUNT_DAYS/);
		expect(() => inactiveAccountDays('soon')).toThrow();
	});
});
