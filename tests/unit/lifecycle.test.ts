// The one-way lifecycle of a voting session: draft → open → closed → published.
import { describe, expect, it } from 'vitest';
import {
	canApply,
	nextAction,
	requiredStatus,
	targetStatus,
	type LifecycleAction
} from '../../src/lib/domain/lifecycle';
import { SESSION_STATUSES, type SessionStatus } from '../../src/lib/domain/types';

const ACTIONS: LifecycleAction[] = ['open', 'close', 'publish'];

describe('session lifecycle', () => {
	it('each action leads to its status', () => {
		expect(targetStatus('open')).toBe('open');
		expect(targetStatus('close')).toBe('closed');
		expect(targetStatus('publish')).toBe('published');
	});

	it('each action requires the status just before its target', () => {
		expect(requiredStatus('open')).toBe('draft');
		expect(requiredStatus('close')).toBe('open');
		expect(requiredStatus('publish')).toBe('closed');
	});

	it('the next action from each status', () => {
		expect(nextAction('draft')).toBe('open');
		expect(nextAction('open')).toBe('close');
		expect(nextAction('closed')).toBe('publish');
		expect(nextAction('published')).toBeNull();
	});

	it('allows exactly three moves: open from draft, close from open, publish from closed', () => {
		const allowed: string[] = [];
		for (const action of ACTIONS) {
			for (const status of SESSION_STATUSES) {
				if (canApply(action, status)) allowed.push(`${action} from ${status}`);
			}
		}
		expect(allowed).toEqual(['open from draft', 'close from open', 'publish from closed']);
	});

	it('never goes back or repeats: no action applies to a status at or after its target', () => {
		for (const action of ACTIONS) {
			const target = SESSION_STATUSES.indexOf(targetStatus(action));
			for (const status of SESSION_STATUSES.slice(target)) expect(canApply(action, status)).toBe(false);
		}
		expect(canApply('open', 'closed')).toBe(false);
		expect(canApply('open', 'published')).toBe(false);
		expect(canApply('close', 'published')).toBe(false);
	});

	it('never skips a step: publishing a draft or an open session, closing a draft', () => {
		expect(canApply('publish', 'draft')).toBe(false);
		expect(canApply('publish', 'open')).toBe(false);
		expect(canApply('close', 'draft')).toBe(false);
	});

	it('following nextAction from draft visits every status once, in order, and stops at published', () => {
		const visited: SessionStatus[] = ['draft'];
		let status: SessionStatus = 'draft';
		for (let step = 0; step < 10; step += 1) {
			const action = nextAction(status);
			if (action === null) break;
			expect(canApply(action, status)).toBe(true);
			status = targetStatus(action);
			visited.push(status);
		}
		expect(visited).toEqual(['draft', 'open', 'closed', 'published']);
	});

	it('nextAction always names an action that can be applied', () => {
		for (const status of SESSION_STATUSES) {
			const action = nextAction(status);
			if (action !== null) expect(canApply(action, status)).toBe(true);
			else expect(status).toBe('published');
		}
	});
});
