// The one-way lifecycle of a voting session: draft → open → closed → published.
import { SESSION_STATUSES, type SessionStatus } from './types';

export type LifecycleAction = 'open' | 'close' | 'publish';

const ACTION_TARGET: Record<LifecycleAction, SessionStatus> = {
	open: 'open',
	close: 'closed',
	publish: 'published'
};

export function targetStatus(action: LifecycleAction): SessionStatus {
	return ACTION_TARGET[action];
}

/** The status an action requires, i.e. the one just before its target. */
export function requiredStatus(action: LifecycleAction): SessionStatus {
	const index = SESSION_STATUSES.indexOf(ACTION_TARGET[action]);
	return SESSION_STATUSES[index - 1] as SessionStatus;
}

/** The action that moves a session on from `status`, or null at the end. */
export function nextAction(status: SessionStatus): LifecycleAction | null {
	const entry = (Object.entries(ACTION_TARGET) as [LifecycleAction, SessionStatus][]).find(
		([action]) => requiredStatus(action) === status
	);
	return entry ? entry[0] : null;
}

export function canApply(action: LifecycleAction, status: SessionStatus): boolean {
	return requiredStatus(action) === status;
}
