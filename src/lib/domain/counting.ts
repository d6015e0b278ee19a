// The congress's counting rules, as pure functions. The same code produces the result
// page, the API, the export and `tally --verify`.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { voteFigures, votesNeededToPass, type AttendanceRecord, type VoteFigures } from './attendance';
import { CHOICES, type BallotChoice, type BallotContent, type Choice, type VotingRules } from './types';

export function countFor(ballot: BallotContent): number {
	return ballot.choices.filter((entry) => entry.choice === 'for').length;
}

/** A ballot that marks more "for" than seats is void (无效票); used when counting any ballot. */
export function isVoidUnderRules(rules: VotingRules, ballot: BallotContent): boolean {
	return ballot.isVoid || countFor(ballot) > rules.seats;
}

function isVoteChoice(choice: BallotChoice): choice is Choice {
	return (CHOICES as readonly string[]).includes(choice);
}

/** 应到 (delegates enrolled) and 实到 (checked in), with what the ballot account needs (attendance.ts). */
export type Turnout = AttendanceRecord;

export type CandidateOutcome = 'chosen' | 'tied' | 'not_chosen';

export interface CandidateTally {
	candidateId: number;
	for: number;
	against: number;
	abstain: number;
	/** Competition ranking by votes for: equal votes share a rank (1, 2, 2, 4). */
	rank: number;
	passed: boolean;
	/** 'tied': at the cut-off with others on equal votes; a further vote among them decides. */
	outcome: CandidateOutcome;
}

export interface Tally {
	ballotMethod: VotingRules['ballotMethod'];
	seats: number;
	thresholdBase: VotingRules['thresholdBase'];
	enrolled: number;
	present: number;
	/** Ballots returned (收回), electronic and paper. */
	ballotsCast: number;
	electronicBallots: number;
	paperBallots: number;
	validBallots: number;
	voidBallots: number;
	/** Valid ballots that support nobody. */
	blankBallots: number;
	/** The size of the base the threshold is a majority of. */
	thresholdBaseCount: number;
	/** Votes for needed to pass: more than half of the base. */
	votesNeeded: number;
	/** In order of rank, then of position on the ballot. */
	candidates: CandidateTally[];
	chosenCount: number;
	/** A tie at the cut-off: these candidates share the last seats' votes. */
	tie: { votes: number; candidateIds: number[]; seatsAtStake: number } | null;
	/** Fewer passed than seats: a further vote (另行票决) fills the rest. */
	shortfall: { seatsLeft: number } | null;
	/** SHA-256 over the canonical set of ballots. */
	ballotsDigest: string;
	/** 应到, 实到, quorum, 发出, 收回, 有效, 无效 and validity, at closing. */
	figures: VoteFigures;
}

export { votesNeededToPass } from './attendance';

export function thresholdBaseCount(rules: VotingRules, turnout: Turnout, ballotsCast: number): number {
	switch (rules.thresholdBase) {
		case 'enrolled':
			return turnout.enrolled;
		case 'present':
			return turnout.present;
		case 'cast':
			return ballotsCast;
	}
}

/** Canonical form of a ballot: void flag and choices sorted by candidate id. */
export function canonicalBallot(ballot: BallotContent): string {
	const choices = [...ballot.choices]
		.sort((a, b) => a.candidateId - b.candidateId)
		.map((entry) => [entry.candidateId, entry.choice]);
	return JSON.stringify({ void: ballot.isVoid, choices });
}

/** Ballots returned electronically and on paper (a ballot without a channel is electronic). */
export function ballotsByChannel(ballots: readonly BallotContent[]): {
	electronicBallots: number;
	paperBallots: number;
} {
	const paperBallots = ballots.filter((ballot) => ballot.channel === 'paper').length;
	return { electronicBallots: ballots.length - paperBallots, paperBallots };
}

/** A digest anyone can recompute from an export: SHA-256 of the sorted canonical ballots as a JSON array. */
export function ballotsDigest(ballots: readonly BallotContent[]): string {
	const canonical = ballots.map(canonicalBallot).sort();
	return encodeHexLowerCase(sha256(new TextEncoder().encode(`[${canonical.join(',')}]`)));
}

/**
 * Counts the ballots and applies the rules: threshold over the configured base, ranking by
 * votes for, chosen = passed and within the seats; a tie at the cut-off and a shortfall are
 * flagged, never resolved silently.
 * `candidateIds` is the session's list in ballot order (used to order equal ranks).
 */
export function tallyBallots(
	rules: VotingRules,
	candidateIds: readonly number[],
	ballots: readonly BallotContent[],
	turnout: Turnout
): Tally {
	const counts = new Map(candidateIds.map((candidateId) => [candidateId, { for: 0, against: 0, abstain: 0 }]));
	let voidBallots = 0;
	let blankBallots = 0;
	for (const ballot of ballots) {
		if (isVoidUnderRules(rules, ballot)) {
			voidBallots += 1;
			continue;
		}
		if (!ballot.choices.some((entry) => entry.choice === 'for')) blankBallots += 1;
		for (const entry of ballot.choices) {
			const count = counts.get(entry.candidateId);
			if (!count) throw new Error(`a ballot names candidate ${entry.candidateId}, which is not in this session`);
			if (!isVoteChoice(entry.choice)) throw new Error(`a vote's ballot holds the choice ${entry.choice}`);
			count[entry.choice] += 1;
		}
	}

	const base = thresholdBaseCount(rules, turnout, ballots.length);
	const votesNeeded = votesNeededToPass(base);
	const position = new Map(candidateIds.map((candidateId, index) => [candidateId, index]));
	const ordered = [...counts.entries()]
		.map(([candidateId, count]) => ({ candidateId, ...count }))
		.sort((a, b) => b.for - a.for || (position.get(a.candidateId) ?? 0) - (position.get(b.candidateId) ?? 0));

	const passed = ordered.filter((entry) => entry.for >= votesNeeded);
	let tie: Tally['tie'] = null;
	let chosenIds: Set<number>;
	let tiedIds = new Set<number>();
	if (passed.length > rules.seats) {
		const cutOffVotes = (passed[rules.seats - 1] as (typeof passed)[number]).for;
		const firstOutside = passed[rules.seats] as (typeof passed)[number];
		if (firstOutside.for === cutOffVotes) {
			const above = passed.filter((entry) => entry.for > cutOffVotes);
			const tied = passed.filter((entry) => entry.for === cutOffVotes);
			chosenIds = new Set(above.map((entry) => entry.candidateId));
			tiedIds = new Set(tied.map((entry) => entry.candidateId));
			tie = {
				votes: cutOffVotes,
				candidateIds: tied.map((entry) => entry.candidateId),
				seatsAtStake: rules.seats - above.length
			};
		} else {
			chosenIds = new Set(passed.slice(0, rules.seats).map((entry) => entry.candidateId));
		}
	} else {
		chosenIds = new Set(passed.map((entry) => entry.candidateId));
	}
	const shortfall = !tie && chosenIds.size < rules.seats ? { seatsLeft: rules.seats - chosenIds.size } : null;

	const candidates: CandidateTally[] = ordered.map((entry) => ({
		candidateId: entry.candidateId,
		for: entry.for,
		against: entry.against,
		abstain: entry.abstain,
		rank: 1 + ordered.filter((other) => other.for > entry.for).length,
		passed: entry.for >= votesNeeded,
		outcome: chosenIds.has(entry.candidateId) ? 'chosen' : tiedIds.has(entry.candidateId) ? 'tied' : 'not_chosen'
	}));

	return {
		ballotMethod: rules.ballotMethod,
		seats: rules.seats,
		thresholdBase: rules.thresholdBase,
		enrolled: turnout.enrolled,
		present: turnout.present,
		ballotsCast: ballots.length,
		...ballotsByChannel(ballots),
		validBallots: ballots.length - voidBallots,
		voidBallots,
		blankBallots,
		thresholdBaseCount: base,
		votesNeeded,
		candidates,
		chosenCount: chosenIds.size,
		tie,
		shortfall,
		ballotsDigest: ballotsDigest(ballots),
		figures: voteFigures(turnout, ballots, voidBallots)
	};
}

/** Field-by-field differences between a stored and a recomputed tally (empty when equal). */
export function compareTallies<T extends object>(stored: T, recomputed: T): string[] {
	const differences: string[] = [];
	const walk = (left: unknown, right: unknown, path: string) => {
		if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null) {
			const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
			for (const key of keys) {
				walk(
					(left as Record<string, unknown>)[key],
					(right as Record<string, unknown>)[key],
					path ? `${path}.${key}` : key
				);
			}
		} else if (left !== right) {
			differences.push(`${path}: stored ${JSON.stringify(left)}, recomputed ${JSON.stringify(right)}`);
		}
	};
	walk(stored, recomputed, '');
	return differences;
}
