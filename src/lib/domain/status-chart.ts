// A year's projects by their latest reported status (issue 15): the /delivery chart's segments, in a
// fixed order (on track, at risk, delayed, done, not yet reported), each with its count and share.
import { PROGRESS_STATUSES, type ProgressStatus } from './delivery';

export type ChartStatus = ProgressStatus | 'none';
export const CHART_STATUSES: readonly ChartStatus[] = [...PROGRESS_STATUSES, 'none'];

export interface StatusSegment {
	status: ChartStatus;
	count: number;
	/** Where the segment starts and how wide it is, as fractions of the whole bar. */
	start: number;
	share: number;
}

export function statusSegments(statuses: readonly (ProgressStatus | null | undefined)[]): StatusSegment[] {
	const total = statuses.length;
	let start = 0;
	return CHART_STATUSES.map((status) => {
		const count = statuses.filter((entry) => (entry ?? 'none') === status).length;
		const share = total > 0 ? count / total : 0;
		const segment = { status, count, start, share };
		start += share;
		return segment;
	});
}
