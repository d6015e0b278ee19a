// The electorate's failures in words: every code its services return has its Paraglide message here,
// named by a typed key (the pages show them through form data). A code without a message does not
// compile; tests/unit/failure-messages.test.ts fails when a message lacks its Chinese or English text.
import type { CodeCheckInError, ElectorateChangeError, PresenceError } from '$lib/domain/electorate';
import type { MessageKey } from '$lib/i18n';

/** Enrolling delegates in a session, or taking one off. */
export const ELECTORATE_CHANGE_MESSAGES = {
	not_found: 'error_session_not_found',
	frozen: 'electorate_frozen',
	not_enrolled: 'electorate_not_enrolled',
	no_delegates: 'electorate_enrol_none'
} as const satisfies Record<ElectorateChangeError, MessageKey>;

/** Checking a delegate in (签到), or undoing it. */
export const PRESENCE_MESSAGES = {
	not_found: 'error_session_not_found',
	not_enrolled: 'electorate_not_enrolled',
	wrong_status: 'electorate_presence_closed',
	has_voted: 'attendance_error_has_voted'
} as const satisfies Record<PresenceError, MessageKey>;

/** Checking a delegate in, by staff or by the delegate's code (签到码). */
export const CHECK_IN_MESSAGES = {
	...PRESENCE_MESSAGES,
	unknown_code: 'attendance_error_unknown_code'
} as const satisfies Record<CodeCheckInError, MessageKey>;
