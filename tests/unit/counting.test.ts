// Counting rules (docs/domain.md, "Counting rules"): what a scrutineer checks on a result sheet.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
	ballotsDigest,
	canonicalBallot,
	compareTallies,
	tallyBallots,
	thresholdBaseCount,
	votesNeededToPass,
	type CandidateTally,
	type Tally,
	type Turnout
} from '../../src/lib/domain/counting';
import type { BallotContent, BallotMethod, Choice, ThresholdBase, VotingRules } from '../../src/lib/domain/types';

// ---------------------------------------------------------------- helpers

function rules(
	seats: number,
	thresholdBase: ThresholdBase = 'enrolled',
	ballotMethod: BallotMethod = 'approval'
): VotingRules {
	return { ballotMethod, seats, thresholdBase };
}

/** An approval ballot ticking the given candidates. */
function tick(...candidateIds: number[]): BallotContent {
	return { isVoid: false, choices: candidateIds.map((candidateId) => ({ candidateId, choice: 'for' as const })) };
}

/** A ballot the scrutineers declared void (e.g. a spoiled paper ballot), whatever it marks. */
function spoiled(...candidateIds: number[]): BallotContent {
	return { isVoid: true, choices: candidateIds.map((candidateId) => ({ candidateId, choice: 'for' as const })) };
}

/** A for/against/abstain ballot from a list of [candidateId, choice]. */
function faa(entries: ReadonlyArray<readonly [number, Choice]>): BallotContent {
	return { isVoid: false, choices: entries.map(([candidateId, choice]) => ({ candidateId, choice })) };
}

function repeat<T>(count: number, make: () => T): T[] {
	return Array.from({ length: count }, make);
}

/**
 * `ballotCount` approval ballots giving each candidate exactly its number of ticks, spread
 * round-robin so that no ballot ticks a candidate twice or ticks more than `seats`.
 */
function ballotsWithVotes(
	votes: ReadonlyArray<readonly [number, number]>,
	ballotCount: number,
	seats: number
): BallotContent[] {
	const lists: number[][] = repeat(ballotCount, () => []);
	let next = 0;
	for (const [candidateId, count] of votes) {
		if (count > ballotCount) throw new Error('test setup: more votes than ballots');
		for (let k = 0; k < count; k += 1) {
			const list = lists[(next + k) % ballotCount];
			if (!list) throw new Error('unreachable');
			list.push(candidateId);
		}
		next = (next + count) % ballotCount;
	}
	for (const list of lists) {
		if (list.length > seats) throw new Error('test setup: a generated ballot would be over the limit');
	}
	return lists.map((list) => tick(...list));
}

function candidate(tally: Tally, candidateId: number): CandidateTally {
	const found = tally.candidates.find((entry) => entry.candidateId === candidateId);
	if (!found) throw new Error(`candidate ${candidateId} missing from the tally`);
	return found;
}

function idsWithOutcome(tally: Tally, outcome: CandidateTally['outcome']): number[] {
	return tally.candidates.filter((entry) => entry.outcome === outcome).map((entry) => entry.candidateId);
}

function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Deterministic PRNG (mulberry32): same seed, same ballots, on every machine. */
function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
	const copy = [...items];
	for (let i = copy.length - 1; i > 0; i -= 1) {
		const j = Math.floor(random() * (i + 1));
		const a = copy[i] as T;
		copy[i] = copy[j] as T;
		copy[j] = a;
	}
	return copy;
}

interface ExpectedCandidate {
	candidateId: number;
	for: number;
	against: number;
	abstain: number;
	rank: number;
	passed: boolean;
	outcome: CandidateTally['outcome'];
}

/**
 * The counting rules written out again as plain loops, independently of tallyBallots, the way a
 * scrutineer would count by hand.
 */
function countByHand(
	r: VotingRules,
	candidateIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
) {
	const counts: Record<number, { for: number; against: number; abstain: number }> = {};
	for (const candidateId of candidateIds) counts[candidateId] = { for: 0, against: 0, abstain: 0 };
	let voidBallots = 0;
	let blankBallots = 0;
	for (const ballot of ballots) {
		let marksFor = 0;
		for (const entry of ballot.choices) if (entry.choice === 'for') marksFor += 1;
		if (ballot.isVoid || marksFor > r.seats) {
			voidBallots += 1;
			continue;
		}
		if (marksFor === 0) blankBallots += 1;
		for (const entry of ballot.choices) {
			const count = counts[entry.candidateId];
			if (!count) throw new Error('test data names an unknown candidate');
			count[entry.choice as Choice] += 1;
		}
	}
	let base = 0;
	if (r.thresholdBase === 'enrolled') base = turnout.enrolled;
	if (r.thresholdBase === 'present') base = turnout.present;
	if (r.thresholdBase === 'cast') base = ballots.length;
	let votesNeeded = 0;
	while (2 * votesNeeded <= base) votesNeeded += 1;

	const candidates: ExpectedCandidate[] = [];
	for (const candidateId of candidateIds) {
		const mine = counts[candidateId] as { for: number; against: number; abstain: number };
		let strictlyMore = 0;
		let passedStrictlyMore = 0;
		let passedEqual = 0;
		for (const otherId of candidateIds) {
			const other = (counts[otherId] as { for: number }).for;
			if (other > mine.for) strictlyMore += 1;
			if (other >= votesNeeded && other > mine.for) passedStrictlyMore += 1;
			if (other >= votesNeeded && other === mine.for) passedEqual += 1;
		}
		const passed = mine.for >= votesNeeded;
		let outcome: CandidateTally['outcome'] = 'not_chosen';
		if (passed && passedStrictlyMore + passedEqual <= r.seats) outcome = 'chosen';
		else if (passed && passedStrictlyMore < r.seats) outcome = 'tied';
		candidates.push({ candidateId, ...mine, rank: strictlyMore + 1, passed, outcome });
	}
	const chosenCount = candidates.filter((entry) => entry.outcome === 'chosen').length;
	const tiedCandidates = candidates.filter((entry) => entry.outcome === 'tied');
	const tie =
		tiedCandidates.length > 0
			? {
					votes: (tiedCandidates[0] as ExpectedCandidate).for,
					candidateIds: tiedCandidates.map((entry) => entry.candidateId),
					seatsAtStake: r.seats - chosenCount
				}
			: null;
	const shortfall = tie === null && chosenCount < r.seats ? { seatsLeft: r.seats - chosenCount } : null;
	return {
		voidBallots,
		blankBallots,
		validBallots: ballots.length - voidBallots,
		base,
		votesNeeded,
		candidates,
		chosenCount,
		tie,
		shortfall
	};
}

/** Checks a tally against the hand count, including the order of the candidate list. */
function expectMatchesHandCount(
	tally: Tally,
	r: VotingRules,
	candidateIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
) {
	const expected = countByHand(r, candidateIds, ballots, turnout);
	expect(tally.ballotsCast).toBe(ballots.length);
	expect(tally.validBallots).toBe(expected.validBallots);
	expect(tally.voidBallots).toBe(expected.voidBallots);
	expect(tally.blankBallots).toBe(expected.blankBallots);
	expect(tally.thresholdBaseCount).toBe(expected.base);
	expect(tally.votesNeeded).toBe(expected.votesNeeded);
	expect(tally.chosenCount).toBe(expected.chosenCount);
	expect(tally.tie).toEqual(expected.tie);
	expect(tally.shortfall).toEqual(expected.shortfall);
	// Every session candidate appears exactly once, with the hand-counted figures.
	expect(tally.candidates).toHaveLength(candidateIds.length);
	expect([...tally.candidates].sort((a, b) => a.candidateId - b.candidateId)).toEqual(
		[...expected.candidates].sort((a, b) => a.candidateId - b.candidateId)
	);
	// Listed by votes for, then by position on the ballot.
	for (let i = 1; i < tally.candidates.length; i += 1) {
		const before = tally.candidates[i - 1] as CandidateTally;
		const after = tally.candidates[i] as CandidateTally;
		expect(before.for).toBeGreaterThanOrEqual(after.for);
		if (before.for === after.for) {
			expect(candidateIds.indexOf(before.candidateId)).toBeLessThan(candidateIds.indexOf(after.candidateId));
		}
	}
	return expected;
}

// ---------------------------------------------------------------- threshold

describe('votesNeededToPass: more than half of the base', () => {
	it.each([
		[444, 223], // Taizhou 2022 congress, all enrolled
		[445, 223],
		[327, 164], // Lishui 2025 应到
		[314, 158], // Lishui 2025 实到
		[385, 193], // Linhai 2022 应到
		[374, 188], // Linhai 2022 实到
		[100, 51],
		[101, 51],
		[2, 2],
		[1, 1],
		[0, 1]
	])('base %i needs %i votes', (base, needed) => {
		expect(votesNeededToPass(base)).toBe(needed);
	});

	it('is always the smallest whole number strictly above half, for every base up to 1000', () => {
		for (let base = 0; base <= 1000; base += 1) {
			const needed = votesNeededToPass(base);
			expect(Number.isInteger(needed)).toBe(true);
			expect(2 * needed).toBeGreaterThan(base); // strictly more than half
			expect(2 * (needed - 1)).toBeLessThanOrEqual(base); // one fewer is not more than half
		}
	});
});

describe('thresholdBaseCount', () => {
	const turnout: Turnout = { enrolled: 444, present: 431 };
	it('uses enrolled delegates (应到) for the enrolled base', () => {
		expect(thresholdBaseCount(rules(10, 'enrolled'), turnout, 420)).toBe(444);
	});
	it('uses delegates present (实到) for the present base', () => {
		expect(thresholdBaseCount(rules(10, 'present'), turnout, 420)).toBe(431);
	});
	it('uses ballots cast (收回) for the cast base', () => {
		expect(thresholdBaseCount(rules(10, 'cast'), turnout, 420)).toBe(420);
	});
});

describe('tallyBallots: the threshold base decides who passes', () => {
	// 100 enrolled, 80 present, 60 ballots returned; three seats.
	const candidateIds = [1, 2, 3, 4, 5];
	const votes = [
		[1, 51],
		[2, 50],
		[3, 41],
		[4, 31],
		[5, 5]
	] as const;
	const ballots = ballotsWithVotes(votes, 60, 3);
	const turnout: Turnout = { enrolled: 100, present: 80 };

	it('enrolled base (100 → 51): exactly half (50) does not pass; one chosen and a shortfall of two', () => {
		const tally = tallyBallots(rules(3, 'enrolled'), candidateIds, ballots, turnout);
		expect(tally.thresholdBaseCount).toBe(100);
		expect(tally.votesNeeded).toBe(51);
		expect(candidate(tally, 1).passed).toBe(true);
		expect(candidate(tally, 2).passed).toBe(false);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1]);
		expect(tally.chosenCount).toBe(1);
		expect(tally.shortfall).toEqual({ seatsLeft: 2 });
		expect(tally.tie).toBeNull();
	});

	it('present base (80 → 41): candidates 1–3 pass, 41 votes is just enough; all three seats filled', () => {
		const tally = tallyBallots(rules(3, 'present'), candidateIds, ballots, turnout);
		expect(tally.thresholdBaseCount).toBe(80);
		expect(tally.votesNeeded).toBe(41);
		expect(tally.candidates.filter((entry) => entry.passed).map((entry) => entry.candidateId)).toEqual([1, 2, 3]);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3]);
		expect(tally.shortfall).toBeNull();
		expect(tally.tie).toBeNull();
	});

	it('cast base (60 → 31): four pass, only the top three are chosen', () => {
		const tally = tallyBallots(rules(3, 'cast'), candidateIds, ballots, turnout);
		expect(tally.ballotsCast).toBe(60);
		expect(tally.thresholdBaseCount).toBe(60);
		expect(tally.votesNeeded).toBe(31);
		expect(tally.candidates.filter((entry) => entry.passed).map((entry) => entry.candidateId)).toEqual([1, 2, 3, 4]);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3]);
		expect(candidate(tally, 4)).toMatchObject({ for: 31, passed: true, outcome: 'not_chosen', rank: 4 });
		expect(candidate(tally, 5)).toMatchObject({ for: 5, passed: false, outcome: 'not_chosen', rank: 5 });
		expect(tally.shortfall).toBeNull();
	});

	it('the cast base counts void ballots too (ballots returned, not valid ballots)', () => {
		const withVoid = [...ballots, spoiled(1), tick(1, 2, 3, 4)];
		const tally = tallyBallots(rules(3, 'cast'), candidateIds, withVoid, turnout);
		expect(tally.ballotsCast).toBe(62);
		expect(tally.voidBallots).toBe(2);
		expect(tally.thresholdBaseCount).toBe(62);
		expect(tally.votesNeeded).toBe(32);
		expect(candidate(tally, 4)).toMatchObject({ for: 31, passed: false });
	});

	it('reports the turnout and rules it was counted under', () => {
		const tally = tallyBallots(rules(3, 'present'), candidateIds, ballots, turnout);
		expect(tally).toMatchObject({
			ballotMethod: 'approval',
			seats: 3,
			thresholdBase: 'present',
			enrolled: 100,
			present: 80
		});
	});
});

// ---------------------------------------------------------------- ranking and choosing

describe('tallyBallots: ranks, chosen and ties', () => {
	it('uses competition ranks: equal votes share a rank and the next rank skips (1, 2, 2, 4, 4, 4, 7)', () => {
		const candidateIds = [1, 2, 3, 4, 5, 6, 7];
		const ballots = ballotsWithVotes(
			[
				[1, 40],
				[2, 35],
				[3, 35],
				[4, 30],
				[5, 30],
				[6, 30],
				[7, 10]
			],
			50,
			5
		);
		const tally = tallyBallots(rules(5), candidateIds, ballots, { enrolled: 50, present: 50 });
		expect(tally.candidates.map((entry) => [entry.candidateId, entry.for, entry.rank])).toEqual([
			[1, 40, 1],
			[2, 35, 2],
			[3, 35, 2],
			[4, 30, 4],
			[5, 30, 4],
			[6, 30, 4],
			[7, 10, 7]
		]);
	});

	it('chooses the passed candidates within N: 12 pass, N = 10, the top 10 are chosen', () => {
		// Wenzhou 2022: 12 candidates for 10 places; 327 enrolled, 314 present (Lishui 2025 figures).
		const candidateIds = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
		const votes = [300, 296, 290, 281, 275, 262, 250, 243, 231, 226, 219, 170];
		const ballots = ballotsWithVotes(
			candidateIds.map((id, i) => [id, votes[i] as number] as const),
			314,
			10
		);
		const tally = tallyBallots(rules(10), candidateIds, ballots, { enrolled: 327, present: 314 });
		expect(tally.votesNeeded).toBe(164);
		expect(tally.candidates.every((entry) => entry.passed)).toBe(true);
		expect(idsWithOutcome(tally, 'chosen')).toEqual(candidateIds.slice(0, 10));
		expect(idsWithOutcome(tally, 'not_chosen')).toEqual([21, 22]);
		expect(tally.chosenCount).toBe(10);
		expect(tally.tie).toBeNull();
		expect(tally.shortfall).toBeNull();
		expect(tally.candidates.map((entry) => entry.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
	});

	it('flags a tie at the cut-off: tied candidates are "tied", those strictly above are chosen, no shortfall', () => {
		// N = 10; the 9th, 10th and 11th all have 230 votes: two seats for three candidates.
		const candidateIds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
		const votes = [300, 290, 285, 280, 270, 260, 250, 240, 230, 230, 230, 120];
		const ballots = ballotsWithVotes(
			candidateIds.map((id, i) => [id, votes[i] as number] as const),
			314,
			10
		);
		const tally = tallyBallots(rules(10), candidateIds, ballots, { enrolled: 327, present: 314 });
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(idsWithOutcome(tally, 'tied')).toEqual([9, 10, 11]);
		expect(idsWithOutcome(tally, 'not_chosen')).toEqual([12]);
		expect(tally.chosenCount).toBe(8);
		expect(tally.tie).toEqual({ votes: 230, candidateIds: [9, 10, 11], seatsAtStake: 2 });
		expect(tally.shortfall).toBeNull();
		for (const id of [9, 10, 11]) expect(candidate(tally, id)).toMatchObject({ rank: 9, passed: true });
		expect(candidate(tally, 12)).toMatchObject({ rank: 12, passed: false });
	});

	it('a tie at the cut-off can put every seat at stake', () => {
		const ballots = ballotsWithVotes(
			[
				[1, 40],
				[2, 40],
				[3, 40]
			],
			60,
			2
		);
		const tally = tallyBallots(rules(2), [1, 2, 3], ballots, { enrolled: 60, present: 60 });
		expect(tally.chosenCount).toBe(0);
		expect(idsWithOutcome(tally, 'tied')).toEqual([1, 2, 3]);
		expect(tally.tie).toEqual({ votes: 40, candidateIds: [1, 2, 3], seatsAtStake: 2 });
		expect(tally.shortfall).toBeNull();
	});

	it('a tie inside the chosen set is not flagged: both tied candidates are chosen', () => {
		const candidateIds = [1, 2, 3, 4];
		const ballots = ballotsWithVotes(
			[
				[1, 250],
				[2, 230],
				[3, 230],
				[4, 200]
			],
			314,
			3
		);
		const tally = tallyBallots(rules(3), candidateIds, ballots, { enrolled: 327, present: 314 });
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3]);
		expect(candidate(tally, 4)).toMatchObject({ passed: true, outcome: 'not_chosen' });
		expect(tally.tie).toBeNull();
		expect(tally.shortfall).toBeNull();
		expect(candidate(tally, 2).rank).toBe(2);
		expect(candidate(tally, 3).rank).toBe(2);
	});

	it('a tie that fills the seats exactly (the next candidate did not pass) is not flagged', () => {
		const ballots = ballotsWithVotes(
			[
				[1, 300],
				[2, 250],
				[3, 250],
				[4, 100]
			],
			314,
			3
		);
		const tally = tallyBallots(rules(3), [1, 2, 3, 4], ballots, { enrolled: 327, present: 314 });
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3]);
		expect(tally.tie).toBeNull();
		expect(tally.shortfall).toBeNull();
	});

	it('a tie below the cut-off among passed candidates is not flagged', () => {
		// With at most N ticks a ballot, fewer than 2N can pass; N = 3 leaves room for 5.
		const ballots = ballotsWithVotes(
			[
				[1, 60],
				[2, 58],
				[3, 57],
				[4, 52],
				[5, 52]
			],
			100,
			3
		);
		const tally = tallyBallots(rules(3), [1, 2, 3, 4, 5], ballots, { enrolled: 100, present: 100 });
		expect(tally.votesNeeded).toBe(51);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3]);
		expect(candidate(tally, 4)).toMatchObject({ passed: true, outcome: 'not_chosen', rank: 4 });
		expect(candidate(tally, 5)).toMatchObject({ passed: true, outcome: 'not_chosen', rank: 4 });
		expect(tally.tie).toBeNull();
	});

	it('equal votes below the threshold are a shortfall, not a tie', () => {
		// 327 enrolled → 164 needed; candidates 3 and 4 have 160 each.
		const ballots = ballotsWithVotes(
			[
				[1, 300],
				[2, 200],
				[3, 160],
				[4, 160]
			],
			314,
			3
		);
		const tally = tallyBallots(rules(3), [1, 2, 3, 4], ballots, { enrolled: 327, present: 314 });
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2]);
		expect(idsWithOutcome(tally, 'tied')).toEqual([]);
		expect(tally.tie).toBeNull();
		expect(tally.shortfall).toEqual({ seatsLeft: 1 });
	});

	it('a shortfall: fewer than N pass, every passed candidate is chosen, seatsLeft = N − passed', () => {
		const candidateIds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
		const votes = [300, 290, 280, 250, 220, 190, 164, 163, 150, 120, 80, 40];
		const ballots = ballotsWithVotes(
			candidateIds.map((id, i) => [id, votes[i] as number] as const),
			314,
			10
		);
		const tally = tallyBallots(rules(10), candidateIds, ballots, { enrolled: 327, present: 314 });
		expect(tally.votesNeeded).toBe(164);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(tally.candidates.filter((entry) => entry.passed)).toHaveLength(7);
		expect(candidate(tally, 8)).toMatchObject({ for: 163, passed: false, outcome: 'not_chosen' });
		expect(tally.chosenCount).toBe(7);
		expect(tally.shortfall).toEqual({ seatsLeft: 3 });
		expect(tally.tie).toBeNull();
	});

	it('nobody passes: the shortfall is every seat', () => {
		const ballots = ballotsWithVotes(
			[
				[1, 100],
				[2, 90]
			],
			200,
			2
		);
		const tally = tallyBallots(rules(2), [1, 2, 3], ballots, { enrolled: 444, present: 431 });
		expect(tally.votesNeeded).toBe(223);
		expect(tally.chosenCount).toBe(0);
		expect(tally.candidates.every((entry) => !entry.passed && entry.outcome === 'not_chosen')).toBe(true);
		expect(tally.shortfall).toEqual({ seatsLeft: 2 });
	});

	it('no ballots at all: every candidate listed with zero votes, nothing chosen', () => {
		const tally = tallyBallots(rules(2, 'cast'), [5, 6, 7], [], { enrolled: 10, present: 0 });
		expect(tally.ballotsCast).toBe(0);
		expect(tally.validBallots).toBe(0);
		expect(tally.votesNeeded).toBe(1);
		expect(tally.candidates.map((entry) => [entry.candidateId, entry.for, entry.rank, entry.passed])).toEqual([
			[5, 0, 1, false],
			[6, 0, 1, false],
			[7, 0, 1, false]
		]);
		expect(tally.shortfall).toEqual({ seatsLeft: 2 });
	});

	it('orders candidates with equal votes by their position on the ballot, not by id', () => {
		const candidateIds = [40, 10, 30, 20];
		const ballots = ballotsWithVotes(
			[
				[40, 7],
				[10, 5],
				[30, 7],
				[20, 5]
			],
			10,
			3
		);
		const tally = tallyBallots(rules(3, 'cast'), candidateIds, ballots, { enrolled: 12, present: 10 });
		expect(tally.candidates.map((entry) => [entry.candidateId, entry.for, entry.rank])).toEqual([
			[40, 7, 1],
			[30, 7, 1],
			[10, 5, 3],
			[20, 5, 3]
		]);
	});
});

// ---------------------------------------------------------------- valid, void, blank

describe('tallyBallots: valid, void and blank ballots', () => {
	const candidateIds = [1, 2, 3, 4];

	it('a ballot declared void supports nobody, whatever it marks', () => {
		const ballots = [tick(1, 2), tick(1, 3), spoiled(1, 2, 3), spoiled()];
		const tally = tallyBallots(rules(3, 'cast'), candidateIds, ballots, { enrolled: 5, present: 4 });
		expect(tally.ballotsCast).toBe(4);
		expect(tally.voidBallots).toBe(2);
		expect(tally.validBallots).toBe(2);
		expect(tally.blankBallots).toBe(0);
		expect(candidate(tally, 1).for).toBe(2);
		expect(candidate(tally, 2).for).toBe(1);
		expect(candidate(tally, 3).for).toBe(1);
	});

	it('a ballot marking more than N is void (无效票) and supports nobody; exactly N is valid', () => {
		const ballots = [tick(1, 2, 3), tick(1, 2, 3, 4), tick(4)];
		const tally = tallyBallots(rules(3, 'cast'), candidateIds, ballots, { enrolled: 5, present: 3 });
		expect(tally.voidBallots).toBe(1);
		expect(tally.validBallots).toBe(2);
		expect(candidate(tally, 1).for).toBe(1);
		expect(candidate(tally, 4).for).toBe(1);
	});

	it('a blank ballot is valid and blank, and supports nobody', () => {
		const ballots = [tick(), tick(), tick(2)];
		const tally = tallyBallots(rules(2, 'cast'), candidateIds, ballots, { enrolled: 3, present: 3 });
		expect(tally.validBallots).toBe(3);
		expect(tally.voidBallots).toBe(0);
		expect(tally.blankBallots).toBe(2);
		expect(tally.candidates.map((entry) => entry.for)).toEqual([1, 0, 0, 0]);
		// Blank ballots still count in a 'cast' base: 3 → 2 needed, so 1 vote does not pass.
		expect(tally.votesNeeded).toBe(2);
		expect(candidate(tally, 2).passed).toBe(false);
	});

	it('for/against/abstain: counts for, against and abstain per candidate (Dongyang-style 赞成281、反对1)', () => {
		const ballots = [
			...repeat(250, () =>
				faa([
					[1, 'for'],
					[2, 'for'],
					[3, 'against'],
					[4, 'for']
				])
			),
			...repeat(20, () =>
				faa([
					[1, 'for'],
					[2, 'abstain'],
					[3, 'for'],
					[4, 'against']
				])
			),
			...repeat(11, () =>
				faa([
					[1, 'for'],
					[2, 'against'],
					[3, 'for'],
					[4, 'abstain']
				])
			),
			faa([
				[1, 'against'],
				[2, 'against'],
				[3, 'against'],
				[4, 'against']
			])
		];
		const tally = tallyBallots(rules(3, 'enrolled', 'for_against_abstain'), [1, 2, 3, 4], ballots, {
			enrolled: 290,
			present: 282
		});
		expect(tally.ballotMethod).toBe('for_against_abstain');
		expect(tally.ballotsCast).toBe(282);
		expect(tally.validBallots).toBe(282);
		expect(tally.voidBallots).toBe(0);
		expect(tally.blankBallots).toBe(1); // the all-against ballot supports nobody
		expect(tally.votesNeeded).toBe(146);
		expect(
			tally.candidates.map((entry) => [entry.candidateId, entry.for, entry.against, entry.abstain, entry.rank])
		).toEqual([
			[1, 281, 1, 0, 1],
			[2, 250, 12, 20, 2],
			[4, 250, 21, 11, 2],
			[3, 31, 251, 0, 4]
		]);
		expect(idsWithOutcome(tally, 'chosen')).toEqual([1, 2, 4]);
		expect(tally.tie).toBeNull();
		expect(tally.shortfall).toBeNull();
	});

	it('for/against/abstain: more "for" than N is void, and its against/abstain marks are not counted either', () => {
		const ballots = [
			faa([
				[1, 'for'],
				[2, 'for'],
				[3, 'for'],
				[4, 'against']
			]),
			faa([
				[1, 'for'],
				[2, 'abstain'],
				[3, 'against'],
				[4, 'for']
			])
		];
		const tally = tallyBallots(rules(2, 'cast', 'for_against_abstain'), [1, 2, 3, 4], ballots, {
			enrolled: 2,
			present: 2
		});
		expect(tally.voidBallots).toBe(1);
		expect(tally.validBallots).toBe(1);
		expect(tally.candidates.map((entry) => [entry.candidateId, entry.for, entry.against, entry.abstain])).toEqual([
			[1, 1, 0, 0],
			[4, 1, 0, 0],
			[2, 0, 0, 1],
			[3, 0, 1, 0]
		]);
	});

	it('for/against/abstain: all abstain is a valid blank ballot', () => {
		const ballots = [
			faa([
				[1, 'abstain'],
				[2, 'abstain']
			])
		];
		const tally = tallyBallots(rules(1, 'cast', 'for_against_abstain'), [1, 2], ballots, { enrolled: 1, present: 1 });
		expect(tally.validBallots).toBe(1);
		expect(tally.blankBallots).toBe(1);
		expect(candidate(tally, 1)).toMatchObject({ for: 0, against: 0, abstain: 1 });
	});

	it('throws when a ballot names a candidate outside the session', () => {
		expect(() => tallyBallots(rules(3), [1, 2, 3], [tick(1), tick(2, 99)], { enrolled: 5, present: 5 })).toThrow(/99/);
		expect(() =>
			tallyBallots(
				rules(3, 'enrolled', 'for_against_abstain'),
				[1, 2],
				[
					faa([
						[1, 'for'],
						[7, 'against']
					])
				],
				{ enrolled: 5, present: 5 }
			)
		).toThrow(/7/);
	});

	it('does not reorder the ballots it is given', () => {
		const ballots = [tick(3, 1), tick(2)];
		const before = JSON.stringify(ballots);
		tallyBallots(rules(3), [1, 2, 3], ballots, { enrolled: 3, present: 3 });
		expect(JSON.stringify(ballots)).toBe(before);
	});
});

// ---------------------------------------------------------------- digest

describe('canonicalBallot and ballotsDigest', () => {
	it('canonical form: void flag, then choices sorted by candidate id', () => {
		expect(
			canonicalBallot(
				faa([
					[3, 'against'],
					[1, 'for'],
					[2, 'abstain']
				])
			)
		).toBe('{"void":false,"choices":[[1,"for"],[2,"abstain"],[3,"against"]]}');
		expect(canonicalBallot(spoiled())).toBe('{"void":true,"choices":[]}');
	});

	it('is SHA-256 (lower-case hex) of the sorted canonical ballots as a JSON array, recomputable by anyone', () => {
		const ballots = [tick(2, 1), spoiled(), tick(3)];
		const canonical = [
			'{"void":false,"choices":[[1,"for"],[2,"for"]]}',
			'{"void":true,"choices":[]}',
			'{"void":false,"choices":[[3,"for"]]}'
		].sort();
		const digest = ballotsDigest(ballots);
		expect(digest).toMatch(/^[0-9a-f]{64}$/);
		expect(digest).toBe(sha256Hex(`[${canonical.join(',')}]`));
		expect(ballotsDigest([])).toBe(sha256Hex('[]'));
	});

	it('does not depend on the order of ballots or of choices within a ballot', () => {
		const ballots = [tick(1, 2), tick(3), tick(2, 3), spoiled(1)];
		const reordered = [spoiled(1), tick(3, 2), tick(3), tick(2, 1)];
		expect(ballotsDigest(reordered)).toBe(ballotsDigest(ballots));
		const r = rules(2, 'cast');
		expect(tallyBallots(r, [1, 2, 3], reordered, { enrolled: 4, present: 4 }).ballotsDigest).toBe(
			tallyBallots(r, [1, 2, 3], ballots, { enrolled: 4, present: 4 }).ballotsDigest
		);
	});

	it('changes when any ballot changes', () => {
		const base = [
			faa([
				[1, 'for'],
				[2, 'against']
			]),
			faa([
				[1, 'abstain'],
				[2, 'for']
			])
		];
		const digest = ballotsDigest(base);
		const variants: BallotContent[][] = [
			// a choice changes
			[
				faa([
					[1, 'for'],
					[2, 'abstain']
				]),
				base[1] as BallotContent
			],
			// the candidate changes
			[
				faa([
					[1, 'for'],
					[3, 'against']
				]),
				base[1] as BallotContent
			],
			// the void flag changes
			[{ ...(base[0] as BallotContent), isVoid: true }, base[1] as BallotContent],
			// a ballot is removed
			[base[0] as BallotContent],
			// a ballot is added
			[...base, faa([])],
			// a ballot is duplicated in place of another (same set, different multiset)
			[base[0] as BallotContent, base[0] as BallotContent]
		];
		const digests = variants.map((variant) => ballotsDigest(variant));
		for (const other of digests) expect(other).not.toBe(digest);
		expect(new Set(digests).size).toBe(variants.length);
	});

	it('the tally carries the digest of exactly the ballots it counted', () => {
		const ballots = [tick(1), tick(2), spoiled(1, 2)];
		const tally = tallyBallots(rules(1, 'cast'), [1, 2], ballots, { enrolled: 3, present: 3 });
		expect(tally.ballotsDigest).toBe(ballotsDigest(ballots));
	});
});

// ---------------------------------------------------------------- compareTallies

describe('compareTallies', () => {
	const candidateIds = [1, 2, 3];
	const turnout: Turnout = { enrolled: 10, present: 9 };
	const ballots = [tick(1, 2), tick(1), tick(1, 3), tick(2), tick(1, 2), spoiled(3)];

	it('is empty for equal tallies, including a recount of the same ballots in another order', () => {
		const stored = tallyBallots(rules(2), candidateIds, ballots, turnout);
		expect(compareTallies(stored, tallyBallots(rules(2), candidateIds, ballots, turnout))).toEqual([]);
		expect(compareTallies(stored, tallyBallots(rules(2), candidateIds, [...ballots].reverse(), turnout))).toEqual([]);
		// A stored tally read back from JSON compares equal too.
		expect(compareTallies(JSON.parse(JSON.stringify(stored)) as Tally, stored)).toEqual([]);
	});

	it('names a changed top-level field with both values', () => {
		const recomputed = tallyBallots(rules(2), candidateIds, ballots, turnout);
		const stored: Tally = { ...recomputed, voidBallots: 0, validBallots: 6 };
		expect(compareTallies(stored, recomputed)).toEqual([
			'validBallots: stored 6, recomputed 5',
			'voidBallots: stored 0, recomputed 1'
		]);
	});

	it('names a changed candidate figure by its path', () => {
		const recomputed = tallyBallots(rules(2), candidateIds, ballots, turnout);
		const first = recomputed.candidates[0] as CandidateTally;
		const stored: Tally = {
			...recomputed,
			candidates: [{ ...first, for: first.for + 1 }, ...recomputed.candidates.slice(1)]
		};
		expect(first.candidateId).toBe(1);
		expect(compareTallies(stored, recomputed)).toEqual([
			`candidates.0.for: stored ${first.for + 1}, recomputed ${first.for}`
		]);
	});

	it('lists every difference when a ballot was altered', () => {
		const stored = tallyBallots(rules(2), candidateIds, ballots, turnout);
		const altered = [tick(1, 3), ...ballots.slice(1)]; // the first ballot's 2 became 3
		const differences = compareTallies(stored, tallyBallots(rules(2), candidateIds, altered, turnout));
		expect(differences.some((line) => line.startsWith('ballotsDigest: '))).toBe(true);
		expect(differences.some((line) => /^candidates\.\d+\.for: /.test(line))).toBe(true);
		expect(differences.length).toBeGreaterThanOrEqual(3);
	});

	it('reports a tie present on one side only', () => {
		const recomputed = tallyBallots(rules(2), candidateIds, ballots, turnout);
		expect(recomputed.tie).toBeNull();
		const stored: Tally = { ...recomputed, tie: { votes: 3, candidateIds: [2, 3], seatsAtStake: 1 } };
		const differences = compareTallies(stored, recomputed);
		expect(differences).toHaveLength(1);
		expect(differences[0]).toMatch(/^tie: stored .*"seatsAtStake":1.*, recomputed null$/);
	});

	it('reports a candidate missing from one side', () => {
		const recomputed = tallyBallots(rules(2), candidateIds, ballots, turnout);
		const stored: Tally = { ...recomputed, candidates: recomputed.candidates.slice(0, 2) };
		const differences = compareTallies(stored, recomputed);
		expect(differences).toHaveLength(1);
		expect(differences[0]).toMatch(/^candidates\.2: stored undefined, recomputed \{.*"candidateId":3/);
	});
});

// ---------------------------------------------------------------- congress-sized

describe('a congress-sized vote: 444 enrolled, 34 candidates, N = 10', () => {
	const turnout: Turnout = { enrolled: 444, present: 436 };
	const seats = 10;
	// 34 candidates in 12 categories; ids in ballot order.
	const candidateIds = Array.from({ length: 34 }, (_, i) => 101 + i);

	function generateApprovalBallots(seed: number): BallotContent[] {
		const random = mulberry32(seed);
		// Popularity: 14 strong projects, 20 weak ones, placed at random ballot positions.
		const strengths = [0.82, 0.78, 0.74, 0.7, 0.67, 0.64, 0.62, 0.6, 0.58, 0.56, 0.55, 0.54, 0.52, 0.5];
		const popularity = shuffled([...strengths, ...Array.from({ length: 20 }, () => 0.03)], random);
		const ballots: BallotContent[] = [];
		// 422 electronic ballots: independent ticks, trimmed to N (the interface refuses more).
		for (let d = 0; d < 422; d += 1) {
			let marked = candidateIds.filter((_, i) => random() < (popularity[i] as number));
			while (marked.length > seats) {
				const drop = Math.floor(random() * marked.length);
				marked = marked.filter((_, i) => i !== drop);
			}
			ballots.push(tick(...shuffled(marked, random)));
		}
		// Paper batch: 3 over-marked (11 ticks), 2 spoiled, 4 blank.
		for (let p = 0; p < 3; p += 1) ballots.push(tick(...shuffled(candidateIds, random).slice(0, 11)));
		ballots.push(spoiled(...shuffled(candidateIds, random).slice(0, 4)));
		ballots.push(spoiled());
		for (let p = 0; p < 4; p += 1) ballots.push(tick());
		return shuffled(ballots, random);
	}

	const ballots = generateApprovalBallots(2022);

	it('generates the intended ballots (431 returned, none beyond N except the 3 over-marked)', () => {
		expect(ballots).toHaveLength(431);
		expect(ballots.filter((ballot) => !ballot.isVoid && ballot.choices.length > seats)).toHaveLength(3);
		expect(
			ballots.every((ballot) => new Set(ballot.choices.map((c) => c.candidateId)).size === ballot.choices.length)
		).toBe(true);
		// Same seed, same ballots: the scenario is reproducible.
		expect(ballotsDigest(generateApprovalBallots(2022))).toBe(ballotsDigest(ballots));
	});

	it.each(['enrolled', 'present', 'cast'] as const)('matches a hand count with the %s base', (thresholdBase) => {
		const r = rules(seats, thresholdBase);
		const tally = tallyBallots(r, candidateIds, ballots, turnout);
		const expected = expectMatchesHandCount(tally, r, candidateIds, ballots, turnout);
		expect(tally.voidBallots).toBe(5);
		expect(tally.validBallots).toBe(426);
		expect(tally.blankBallots).toBeGreaterThanOrEqual(4);
		expect(tally.thresholdBaseCount).toBe({ enrolled: 444, present: 436, cast: 431 }[thresholdBase]);
		expect(tally.votesNeeded).toBe({ enrolled: 223, present: 219, cast: 216 }[thresholdBase]);
		expect(tally.ballotsDigest).toBe(ballotsDigest(ballots));
		// The scenario is not trivial: some pass, some fail.
		const passedCount = expected.candidates.filter((entry) => entry.passed).length;
		expect(passedCount).toBeGreaterThan(0);
		expect(passedCount).toBeLessThan(34);
	});

	it('the base matters here: more pass on ballots cast than on all enrolled, and the seat limit bites', () => {
		const passedUnder = (thresholdBase: ThresholdBase) =>
			tallyBallots(rules(seats, thresholdBase), candidateIds, ballots, turnout).candidates.filter(
				(entry) => entry.passed
			).length;
		expect(passedUnder('cast')).toBeGreaterThan(passedUnder('enrolled'));
		expect(passedUnder('cast')).toBeGreaterThan(seats);
		// With this seed fewer than N clear 223 of 444: the enrolled base leaves a further vote to hold.
		const enrolled = tallyBallots(rules(seats, 'enrolled'), candidateIds, ballots, turnout);
		expect(passedUnder('enrolled')).toBeLessThan(seats);
		expect(enrolled.shortfall).toEqual({ seatsLeft: seats - passedUnder('enrolled') });
	});

	it('the same ballots in another order give the same tally', () => {
		const r = rules(seats, 'enrolled');
		const again = tallyBallots(r, candidateIds, shuffled(ballots, mulberry32(7)), turnout);
		expect(compareTallies(tallyBallots(r, candidateIds, ballots, turnout), again)).toEqual([]);
	});

	it('for/against/abstain at Linhai scale (385 enrolled, 374 present, 12 candidates) matches a hand count', () => {
		const random = mulberry32(385);
		const ids = Array.from({ length: 12 }, (_, i) => 201 + i);
		const forRate = [0.9, 0.86, 0.83, 0.8, 0.75, 0.7, 0.66, 0.62, 0.55, 0.52, 0.48, 0.3];
		const generated: BallotContent[] = [];
		for (let d = 0; d < 370; d += 1) {
			generated.push(
				faa(
					ids.map((id, i) => {
						const u = random();
						const rate = forRate[i] as number;
						const choice: Choice = u < rate ? 'for' : u < rate + (1 - rate) / 2 ? 'against' : 'abstain';
						return [id, choice] as const;
					})
				)
			);
		}
		const linhai: Turnout = { enrolled: 385, present: 374 };
		for (const thresholdBase of ['enrolled', 'present', 'cast'] as const) {
			const r = rules(10, thresholdBase, 'for_against_abstain');
			const tally = tallyBallots(r, ids, generated, linhai);
			const expected = expectMatchesHandCount(tally, r, ids, generated, linhai);
			// Some paper-style ballots marked more than ten "for" and are void.
			expect(expected.voidBallots).toBeGreaterThan(0);
			expect(expected.candidates.some((entry) => entry.against > 0 && entry.abstain > 0)).toBe(true);
		}
	});
});
