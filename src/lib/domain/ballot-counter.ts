// Where a ballot stands against its limit (issue 15): room left, full (a state of its own, not an
// error), or over the limit (the error). Pure, shared by the counter and the tests.

export type LimitState = 'open' | 'full' | 'over';

export function limitState(marked: number, seats: number): LimitState {
	if (marked > seats) return 'over';
	return marked === seats ? 'full' : 'open';
}
