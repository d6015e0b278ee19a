// Attendance (签到), quorum (法定人数) and the ballot account of a vote (发出 / 收回 / 有效 / 无效),
// as pure functions. The same code makes the stored tally, the pages, the API and the exports;
// migrations/00012_attendance.sql holds the same quorum rule and figures in the database.
import type { BallotContent, ThresholdBase } from './types';

export const QUORUM_RULES = ['two_thirds', 'half', 'none'] as const;
/** How many delegates must be present for the session to sit: more than two thirds of 应到 (the organic law's rule), more than half, or no quorum. */
export type QuorumRule = (typeof QUORUM_RULES)[number];
export const DEFAULT_QUORUM_RULE: QuorumRule = 'two_thirds';

/** The smallest number present that is more than the rule's share of the enrolled (0 without a quorum). */
export function quorumNeeded(rule: QuorumRule, enrolled: number): number {
	switch (rule) {
		case 'two_thirds':
			return Math.floor((2 * enrolled) / 3) + 1;
		case 'half':
			return Math.floor(enrolled / 2) + 1;
		case 'none':
			return 0;
	}
}

export interface QuorumState {
	rule: QuorumRule;
	enrolled: number;
	present: number;
	needed: number;
	met: boolean;
	/** Delegates still to check in before the quorum is met (0 once met). */
	missing: number;
}

export function quorumState(rule: QuorumRule, enrolled: number, present: number): QuorumState {
	const needed = quorumNeeded(rule, enrolled);
	return { rule, enrolled, present, needed, met: present >= needed, missing: Math.max(0, needed - present) };
}

/**
 * What the vote's record needs beyond the ballots: the electorate (应到), those checked in at
 * closing (实到), the session's quorum rule, the delegates present who voted on paper (their
 * electronic ballot is replaced by the paper one) and the paper ballots issued (entered per batch).
 */
export interface AttendanceRecord {
	enrolled: number;
	present: number;
	quorumRule?: QuorumRule;
	/** Present delegates holding a paper has-voted mark; 0 when not given. */
	paperVoters?: number;
	/** Paper ballots issued; when not given, as many as were returned. */
	paperIssued?: number;
}

/**
 * The figures an announcement states, as stored in the tally at closing (`tally.figures`):
 * 应到, 实到, the quorum, 发出, 收回, 有效票, 无效票 and whether the vote is valid
 * (收回 ≤ 发出, the election law's rule; otherwise the vote must be held again).
 */
export interface VoteFigures {
	/** 应到 */
	enrolled: number;
	/** 实到, at closing */
	present: number;
	quorumRule: QuorumRule;
	quorumNeeded: number;
	/** At closing. */
	quorumMet: boolean;
	/** 发出 = issuedElectronic + issuedPaper */
	issued: number;
	/** Electronic ballots issued: delegates checked in, less those who voted on paper. */
	issuedElectronic: number;
	/** Paper ballots issued, entered by staff per batch. */
	issuedPaper: number;
	/** 收回 = returnedElectronic + returnedPaper */
	returned: number;
	returnedElectronic: number;
	returnedPaper: number;
	/** 有效票 */
	validBallots: number;
	/** 无效票 */
	voidBallots: number;
	/** 本次票决有效: ballots returned do not exceed ballots issued. */
	valid: boolean;
}

/** The ballot account from the ballots (with their channel and void count) and the attendance record. */
export function voteFigures(
	record: AttendanceRecord,
	ballots: readonly BallotContent[],
	voidBallots: number
): VoteFigures {
	const returnedPaper = ballots.filter((ballot) => ballot.channel === 'paper').length;
	const returnedElectronic = ballots.length - returnedPaper;
	const issuedPaper = record.paperIssued ?? returnedPaper;
	const issuedElectronic = record.present - (record.paperVoters ?? 0);
	const quorum = quorumState(record.quorumRule ?? DEFAULT_QUORUM_RULE, record.enrolled, record.present);
	const issued = issuedElectronic + issuedPaper;
	const returned = returnedElectronic + returnedPaper;
	return {
		enrolled: record.enrolled,
		present: record.present,
		quorumRule: quorum.rule,
		quorumNeeded: quorum.needed,
		quorumMet: quorum.met,
		issued,
		issuedElectronic,
		issuedPaper,
		returned,
		returnedElectronic,
		returnedPaper,
		validBallots: ballots.length - voidBallots,
		voidBallots,
		valid: returned <= issued
	};
}

/** More than half: the smallest whole number of votes strictly above base / 2. */
export function votesNeededToPass(base: number): number {
	return Math.floor(base / 2) + 1;
}

/**
 * The passing threshold as it can be stated before the count (ballot page, projector): more than
 * half of the base. Known in advance for 应到 (and, as it stands now, for 实到); for ballots cast
 * only once counted (null).
 */
export function thresholdPreview(
	base: ThresholdBase,
	turnout: { enrolled: number; present: number }
): { base: ThresholdBase; baseCount: number | null; votesNeeded: number | null } {
	const baseCount = base === 'enrolled' ? turnout.enrolled : base === 'present' ? turnout.present : null;
	return { base, baseCount, votesNeeded: baseCount === null ? null : votesNeededToPass(baseCount) };
}
