// What the electorate's services refuse (src/lib/server/electorate/); their messages are in
// src/lib/electorate-messages.ts.

/** Enrolling delegates in a session or taking one off. */
export type ElectorateChangeError = 'not_found' | 'frozen' | 'not_enrolled' | 'no_delegates';

/** Checking a delegate in (签到) or undoing it. */
export type PresenceError = 'not_found' | 'not_enrolled' | 'wrong_status' | 'has_voted';
/** Checking in by a delegate's code (签到码): the presence errors, and a code that names no one. */
export type CodeCheckInError = PresenceError | 'unknown_code';
