// What an empty page tells its reader (issue 15): where its stage of the year stands and when it
// comes — "网上评选将于 5月1日 开始", "the dates are not set yet" — from the year's stage calendar
// (征集 → 网上评选 → 票决 → 实施 → 测评). Pure: the dates are read by server/delivery/years.ts.
import type { ChainStage, StageState } from './delivery';

export interface CalendarStep {
	stage: ChainStage;
	state: StageState;
	startsAt: Date | null;
	endsAt: Date | null;
}

export type StageNotice =
	| { kind: 'starts'; stage: ChainStage; at: Date }
	| { kind: 'running'; stage: ChainStage; until: Date | null }
	| { kind: 'ended'; stage: ChainStage; at: Date | null }
	| { kind: 'unscheduled'; stage: ChainStage };

/** Where `stage` stands in the year's calendar. */
export function stageNotice(steps: readonly CalendarStep[], stage: ChainStage): StageNotice {
	const step = steps.find((entry) => entry.stage === stage);
	if (!step || step.state === 'none' || !step.startsAt) return { kind: 'unscheduled', stage };
	if (step.state === 'upcoming') return { kind: 'starts', stage, at: step.startsAt };
	if (step.state === 'current') return { kind: 'running', stage, until: step.endsAt };
	return { kind: 'ended', stage, at: step.endsAt };
}

/** The next stage of the year that has a date still to come (after `stage`), if any. */
export function nextScheduled(steps: readonly CalendarStep[], stage: ChainStage): CalendarStep | null {
	const index = steps.findIndex((entry) => entry.stage === stage);
	return steps.slice(index + 1).find((entry) => entry.state === 'upcoming' && entry.startsAt !== null) ?? null;
}
