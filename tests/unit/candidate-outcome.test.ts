// What became of a candidate (issue 15): the /projects filter's outcome.
import { describe, expect, it } from 'vitest';
import { candidateOutcome } from '../../src/lib/domain/candidate-outcome';

describe('candidate outcome', () => {
	it('is chosen once it is a livelihood project', () => {
		expect(candidateOutcome([{ status: 'published' }], true)).toBe('chosen');
	});
	it('is not chosen when every vote it stood in is published without it', () => {
		expect(candidateOutcome([{ status: 'published' }], false)).toBe('not_chosen');
	});
	it('awaits the result while a vote is not published (a further vote, 另行票决, too)', () => {
		expect(candidateOutcome([{ status: 'open' }], false)).toBe('pending');
		expect(candidateOutcome([{ status: 'published' }, { status: 'draft' }], false)).toBe('pending');
	});
	it('is on no vote yet', () => {
		expect(candidateOutcome([], false)).toBe('no_vote');
	});
});
