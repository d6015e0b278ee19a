// The presidium's announcement (大会公告) of a published vote: the meeting, its number (第N号), the
// issuer (the meeting's 主席团) and date; 应到 / 实到 and the quorum; 发出 / 收回 / 有效 / 无效 and the
// vote's validity; the chosen projects in rank order with category, quantified targets, lead
// department and votes; the further vote's outcome where there was one. One object, read from
// the stored tally, makes the printed page, the JSON and the CSV: the same content everywhere.
import { isEvaluationTally } from '$lib/domain/tally';
import type { Tally } from '$lib/domain/counting';
import type { QuorumRule, VoteFigures } from '$lib/domain/attendance';
import type { FollowUpKind } from '$lib/domain/procedure';
import type { SessionStatus, ThresholdBase } from '$lib/domain/types';
import { formatCsv } from '$lib/domain/csv';
import { m } from '$lib/paraglide/messages';
import type { Sql } from '../db/client';
import { getPublishedTally } from './results';
import { roundsSummary } from './follow-up';
import { getProcedure } from './procedure';
import { getVotingSession } from './sessions';

export interface AnnouncedProject {
	/** The place in the list (1, 2, …). */
	place: number;
	candidateId: number;
	title: string;
	category: string;
	targets: string[];
	leadDepartment: string;
	votes: number;
	/** 1 for the first round, 2 for its further vote, … */
	round: number;
}

/**
 * The vote's figures as the tally stored them at closing (`tally.figures`, the ballot account of
 * issue 13 part 1). A tally stored before that account existed has only the counts: its quorum,
 * 发出 and validity are null (never guessed).
 */
export interface AnnouncementFigures {
	/** 应到 */
	enrolled: number;
	/** 实到, at closing */
	present: number;
	quorumRule: QuorumRule | null;
	quorumNeeded: number | null;
	quorumMet: boolean | null;
	/** 发出: electronic ballots issued (delegates checked in) and paper ballots issued. */
	issued: number | null;
	/** 收回: ballots returned, electronic and paper. */
	returned: number;
	validBallots: number;
	voidBallots: number;
	/** 本次票决有效: no more returned than issued. */
	valid: boolean | null;
}

/** The announcement's figures from the stored tally: its ballot account where it has one. */
export function announcementFigures(tally: Tally): AnnouncementFigures {
	// Stored tallies are JSON written at closing: one from before the ballot account has no figures.
	const account: VoteFigures | undefined = (tally as Partial<Tally>).figures;
	if (account)
		return {
			enrolled: account.enrolled,
			present: account.present,
			quorumRule: account.quorumRule,
			quorumNeeded: account.quorumNeeded,
			quorumMet: account.quorumMet,
			issued: account.issued,
			returned: account.returned,
			validBallots: account.validBallots,
			voidBallots: account.voidBallots,
			valid: account.valid
		};
	return {
		enrolled: tally.enrolled,
		present: tally.present,
		quorumRule: null,
		quorumNeeded: null,
		quorumMet: null,
		issued: null,
		returned: tally.ballotsCast,
		validBallots: tally.validBallots,
		voidBallots: tally.voidBallots,
		valid: null
	};
}

export interface Announcement {
	votingSessionId: number;
	title: string;
	year: number;
	isDemo: boolean;
	/** The meeting, e.g. 台州市第六届人民代表大会第一次会议 ('' when the session names none). */
	meetingName: string;
	/** 第N号 */
	number: number | null;
	/** 大会主席团: the meeting's presidium. */
	issuer: string;
	/** The date of the announcement (publication), Beijing time, YYYY-MM-DD. */
	date: string | null;
	/** The day the vote was held (opened), Beijing time, YYYY-MM-DD. */
	voteDate: string | null;
	seats: number;
	candidateCount: number;
	figures: AnnouncementFigures;
	threshold: { base: ThresholdBase; baseCount: number; votesNeeded: number };
	/** This round's chosen projects, in rank order. */
	chosen: AnnouncedProject[];
	/** The further vote: what it settles, its rounds and outcome, and the final list (null when there was none to hold). */
	furtherVote: {
		kind: FollowUpKind;
		/** Places it fills. */
		seats: number;
		/** The further votes made so far, in order, with their state and announcement number. */
		rounds: { id: number; title: string; status: SessionStatus; number: number | null }[];
		/** The chosen over every published round (this one first). */
		finalList: AnnouncedProject[];
		/** Every round published and nothing left open. */
		complete: boolean;
	} | null;
	/** Where this vote is itself a further vote: the first round it settles. */
	followUpOf: { id: number; title: string; kind: FollowUpKind } | null;
	/** Who confirmed the tally (the named scrutineers, or the holder of the global role), and when. */
	confirmations: { name: string; duty: 'chief' | 'member' | 'global'; confirmedAt: Date }[];
	ballotsDigest: string;
}

/** Beijing calendar date of a moment. */
function beijingDate(moment: Date | null): string | null {
	return moment ? new Date(moment.getTime() + 8 * 3600_000).toISOString().slice(0, 10) : null;
}

/** The announcement of a published vote; null when the session does not exist, is not published, or is an evaluation. */
export async function buildAnnouncement(sql: Sql, votingSessionId: number): Promise<Announcement | null> {
	const votingSession = await getVotingSession(sql, votingSessionId);
	if (!votingSession || votingSession.status !== 'published') return null;
	const stored = await getPublishedTally(sql, votingSessionId);
	if (!stored || isEvaluationTally(stored)) return null;
	const tally: Tally = stored;
	const procedure = await getProcedure(sql, votingSessionId);
	const rounds = await roundsSummary(sql, votingSessionId);
	const firstRoundId = rounds?.rounds[0]?.id ?? votingSessionId;
	const candidates = await sql<
		{ id: number; title: string; category: string; targets: string[]; leadDepartment: string }[]
	>`
		select c.id, c.title, g.name as category, c.targets, c.lead_department as "leadDepartment"
		from voting_session_candidate v join candidate c on c.id = v.candidate_id join category g on g.id = c.category_id
		where v.voting_session_id = ${firstRoundId}`;
	const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
	const project = (candidateId: number, place: number, votes: number, round: number): AnnouncedProject => {
		const candidate = byId.get(candidateId);
		return {
			place,
			candidateId,
			title: candidate?.title ?? '',
			category: candidate?.category ?? '',
			targets: candidate?.targets ?? [],
			leadDepartment: candidate?.leadDepartment ?? '',
			votes,
			round
		};
	};
	const thisRound = rounds ? rounds.rounds.findIndex((round) => round.id === votingSessionId) + 1 : 1;
	const chosen = tally.candidates
		.filter((row) => row.outcome === 'chosen')
		.map((row, index) => project(row.candidateId, index + 1, row.for, thisRound));

	// The further vote this round called for (a tie or a shortfall), and what came of it.
	let furtherVote: Announcement['furtherVote'] = null;
	if (tally.tie || tally.shortfall) {
		const later = rounds ? rounds.rounds.slice(thisRound) : [];
		const numbers = later.length
			? await sql<{ id: number; number: number | null }[]>`
					select voting_session_id as id, announcement_number as number from session_procedure
					where voting_session_id in ${sql(later.map((round) => round.id))}`
			: [];
		furtherVote = {
			kind: tally.tie ? 'tie' : 'shortfall',
			seats: tally.tie ? tally.tie.seatsAtStake : (tally.shortfall?.seatsLeft ?? 0),
			rounds: later.map((round) => ({
				...round,
				number: numbers.find((entry) => entry.id === round.id)?.number ?? null
			})),
			finalList: (rounds?.finalList ?? []).map((entry) =>
				project(entry.candidateId, entry.place, entry.votes, entry.round)
			),
			complete: rounds?.complete ?? false
		};
	}
	const meetingName = procedure?.settings.meetingName ?? '';
	const first = rounds && thisRound > 1 ? rounds.rounds[0] : undefined;
	const confirmations = [
		...(procedure?.scrutineers ?? []).flatMap((entry) =>
			entry.confirmedAt && entry.duty !== 'counter'
				? [{ name: entry.displayName, duty: entry.duty, confirmedAt: entry.confirmedAt }]
				: []
		),
		...(procedure?.otherConfirmations ?? []).map((entry) => ({
			name: entry.displayName,
			duty: 'global' as const,
			confirmedAt: entry.confirmedAt
		}))
	];
	return {
		votingSessionId,
		title: votingSession.title,
		year: votingSession.year,
		isDemo: votingSession.isDemo,
		meetingName,
		number: procedure?.announcementNumber ?? null,
		// The issuer is the meeting's presidium, named in Chinese whatever the reader's language (a proper name).
		issuer: meetingName ? `${meetingName}主席团` : '大会主席团',
		date: beijingDate(votingSession.publishedAt),
		voteDate: beijingDate(votingSession.openedAt),
		seats: tally.seats,
		candidateCount: tally.candidates.length,
		figures: announcementFigures(tally),
		threshold: { base: tally.thresholdBase, baseCount: tally.thresholdBaseCount, votesNeeded: tally.votesNeeded },
		chosen,
		furtherVote,
		followUpOf:
			first && procedure?.followUpKind ? { id: first.id, title: first.title, kind: procedure.followUpKind } : null,
		confirmations,
		ballotsDigest: tally.ballotsDigest
	};
}

/**
 * The announcement as CSV (UTF-8 with BOM, headers in the reader's language): its facts as
 * label/value rows, an empty row, then one row per announced project (the final list where a
 * further vote completed it).
 */
export function announcementCsv(announcement: Announcement): string {
	const figures = announcement.figures;
	const projects = announcement.furtherVote?.complete ? announcement.furtherVote.finalList : announcement.chosen;
	const rows: (string | number)[][] = [
		[m.procedure_csv_field(), m.procedure_csv_value()],
		[m.procedure_csv_meeting(), announcement.meetingName],
		[m.procedure_csv_number(), announcement.number ?? ''],
		[m.procedure_csv_issuer(), announcement.issuer],
		[m.procedure_csv_date(), announcement.date ?? ''],
		[m.procedure_csv_session(), announcement.title],
		[m.figure_enrolled(), figures.enrolled],
		[m.figure_present(), figures.present],
		...(figures.quorumRule === null || figures.quorumRule === 'none'
			? []
			: [[m.attendance_figure_quorum(), figures.quorumNeeded ?? '']]),
		...(figures.quorumRule === null
			? []
			: [
					[
						m.attendance_csv_quorum_met(),
						figures.quorumRule === 'none'
							? m.attendance_quorum_rule_none()
							: figures.quorumMet
								? m.attendance_quorum_met()
								: m.attendance_quorum_not_met()
					]
				]),
		...(figures.issued === null ? [] : [[m.attendance_figure_issued(), figures.issued]]),
		[m.attendance_figure_returned(), figures.returned],
		[m.figure_valid(), figures.validBallots],
		[m.figure_void(), figures.voidBallots],
		...(figures.valid === null
			? []
			: [[m.attendance_csv_validity(), figures.valid ? m.attendance_csv_valid() : m.attendance_csv_void()]]),
		[m.procedure_csv_votes_needed(), announcement.threshold.votesNeeded],
		[m.procedure_csv_seats(), announcement.seats],
		[m.procedure_csv_further_vote(), furtherVoteState(announcement)],
		[m.procedure_csv_digest(), announcement.ballotsDigest],
		[],
		[
			m.procedure_final_place(),
			m.candidate_category(),
			m.tally_candidate(),
			m.procedure_csv_targets(),
			m.procedure_csv_lead_department(),
			m.tally_for(),
			m.procedure_final_round()
		],
		...projects.map((entry) => [
			entry.place,
			entry.category,
			entry.title,
			entry.targets.join('；'),
			entry.leadDepartment,
			entry.votes,
			entry.round
		])
	];
	return formatCsv(rows, { bom: true, escapeFormulas: true });
}

function furtherVoteState(announcement: Announcement): string {
	const further = announcement.furtherVote;
	if (!further) return m.procedure_csv_further_none();
	if (further.complete) return m.procedure_csv_further_done();
	return m.procedure_csv_further_pending({ seats: further.seats });
}
