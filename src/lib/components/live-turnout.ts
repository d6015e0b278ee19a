// What the live turnout stream carries: turnout only, never a count of any candidate.
// Shared by the server (src/lib/server/live) and the browser (LiveTurnout.svelte).
import type { SessionStatus } from '$lib/domain/types';

export interface TurnoutSnapshot {
	status: SessionStatus;
	/** 应到 */
	enrolled: number;
	/** 实到 */
	present: number;
	/** 法定人数: delegates that must be present for the session to sit (0: the session sets no quorum). */
	quorumNeeded: number;
	/** 已投: has-voted marks, electronic and paper. */
	cast: number;
	/** ISO 8601 or null. */
	opensAt: string | null;
	closesAt: string | null;
	/** The server's clock when the snapshot was read (ISO 8601), to correct a screen's countdown. */
	readAt: string;
}

/** The browser's link to the stream: 'static' before the scripts run (or without JavaScript). */
export type LiveConnection = 'static' | 'connecting' | 'live' | 'lost';

/** The server-sent event names of the stream. */
export const TURNOUT_EVENT = 'turnout';
/** Sent once a session is published: the page reloads to show the result. */
export const PUBLISHED_EVENT = 'published';

/** The keys a snapshot may hold (the tests check that nothing else ever travels). */
export const TURNOUT_SNAPSHOT_KEYS = [
	'status',
	'enrolled',
	'present',
	'quorumNeeded',
	'cast',
	'opensAt',
	'closesAt',
	'readAt'
] as const;
