// The meeting's procedure around the vote, as pure rules: the scrutineers' confirmation rule, the
// 差额 ratio, what a further vote (另行票决 / 再次投票) is held on, the final list over the rounds,
// and the app's draft of the 票决办法 (voting rules) made from a session's settings.
import type { Tally } from './counting';
import { methodOf } from './methods';
import type { SessionMethod, SessionStatus, ThresholdBase } from './types';

/** 总监票人 (chief), 监票人 (member), 计票人 (counter, from staff). */
export const SCRUTINEER_DUTIES = ['chief', 'member', 'counter'] as const;
export type ScrutineerDuty = (typeof SCRUTINEER_DUTIES)[number];

/** The body that adopted the 票决办法 or approved the scrutineers: 主席团 or 大会全体会议. */
export const APPROVING_BODIES = ['presidium', 'plenary'] as const;
export type ApprovingBody = (typeof APPROVING_BODIES)[number];

/** The Chinese names of the bodies, as the CLI takes them and the documents print them. */
export const APPROVING_BODY_NAMES: Record<ApprovingBody, string> = {
	presidium: '主席团',
	plenary: '大会全体会议'
};

export const DEFAULT_MIN_CANDIDATE_RATIO = 1.2;

export interface ConfirmationProgress {
	/** A named panel (总监票人 and 监票人) exists; without one, one holder of the global role confirms. */
	hasPanel: boolean;
	chiefConfirmed: boolean;
	membersConfirmed: number;
	members: number;
	/** Named 监票人 needed: more than half of them. */
	membersNeeded: number;
	complete: boolean;
}

/**
 * The confirmation rule: the 总监票人 and a majority of the named 监票人, each with their own
 * account. A session without a named panel (its setting allows it) is confirmed by one holder of
 * the global scrutineer role. The database applies the same rule (procedure_confirmation_complete).
 */
export function confirmationProgress(
	panel: readonly { userId: number; duty: ScrutineerDuty }[],
	confirmedUserIds: ReadonlySet<number>
): ConfirmationProgress {
	const chief = panel.find((entry) => entry.duty === 'chief');
	const members = panel.filter((entry) => entry.duty === 'member');
	const hasPanel = chief !== undefined || members.length > 0;
	const chiefConfirmed = chief !== undefined && confirmedUserIds.has(chief.userId);
	const membersConfirmed = members.filter((entry) => confirmedUserIds.has(entry.userId)).length;
	const membersNeeded = Math.floor(members.length / 2) + 1;
	return {
		hasPanel,
		chiefConfirmed,
		membersConfirmed,
		members: members.length,
		membersNeeded,
		complete: hasPanel ? chiefConfirmed && membersConfirmed >= membersNeeded : confirmedUserIds.size > 0
	};
}

/** Whether a panel is complete enough to open: one 总监票人 and at least two 监票人. */
export function panelIsComplete(panel: readonly { duty: ScrutineerDuty }[]): boolean {
	return (
		panel.filter((entry) => entry.duty === 'chief').length === 1 &&
		panel.filter((entry) => entry.duty === 'member').length >= 2
	);
}

/** Candidates per place, e.g. 3.4 for 34 : 10. */
export function candidateRatio(candidates: number, places: number): number {
	return places > 0 ? candidates / places : 0;
}

/** Below the minimum ratio (compared in hundredths, as the database stores it: numeric(4,2)). */
export function isBelowMinimumRatio(candidates: number, places: number, minimumRatio: number): boolean {
	return candidates * 100 < Math.round(minimumRatio * 100) * places;
}

export type FollowUpKind = 'tie' | 'shortfall';

export interface FollowUpPlan {
	kind: FollowUpKind;
	/** The further vote's candidate list, in ballot order. */
	candidateIds: number[];
	/** Places left to fill. */
	seats: number;
}

/**
 * What a further vote is held on, from a first round's tally: a tie at the cut-off → the tied
 * candidates (in the first round's order), for the places at stake; a shortfall → every
 * candidate not chosen, in first-round vote order, for the places left. Null when neither.
 */
export function followUpPlan(tally: Tally): FollowUpPlan | null {
	if (tally.tie) {
		const tied = new Set(tally.tie.candidateIds);
		return {
			kind: 'tie',
			candidateIds: tally.candidates.filter((row) => tied.has(row.candidateId)).map((row) => row.candidateId),
			seats: tally.tie.seatsAtStake
		};
	}
	if (tally.shortfall) {
		return {
			kind: 'shortfall',
			candidateIds: tally.candidates.filter((row) => row.outcome !== 'chosen').map((row) => row.candidateId),
			seats: tally.shortfall.seatsLeft
		};
	}
	return null;
}

export interface ChosenAcrossRounds {
	candidateId: number;
	/** 1 for the first round, 2 for its further vote, … */
	round: number;
	votes: number;
	/** The place in the final list. */
	place: number;
}

/**
 * The final list over a first round and its further votes (each published round's tally, in
 * order): the chosen of each round in rank order, round after round. `complete` when the last
 * round leaves nothing open (no tie, no shortfall).
 */
export function finalList(rounds: readonly Tally[]): { chosen: ChosenAcrossRounds[]; complete: boolean } {
	const chosen: ChosenAcrossRounds[] = [];
	rounds.forEach((tally, index) => {
		for (const row of tally.candidates) {
			if (row.outcome === 'chosen')
				chosen.push({ candidateId: row.candidateId, round: index + 1, votes: row.for, place: chosen.length + 1 });
		}
	});
	const last = rounds[rounds.length - 1];
	return { chosen, complete: last !== undefined && !last.tie && !last.shortfall };
}

// ---------------------------------------------------------------- the draft of the 票决办法
// The 票决办法 is a document of the congress, written in Chinese whatever the language of the page
// that shows it: the app drafts it once from the settings, staff edit it, the meeting adopts it.

export interface VotingRulesDraftInput {
	meetingName: string;
	year: number;
	ballotMethod: SessionMethod;
	seats: number;
	candidateCount: number;
	thresholdBase: ThresholdBase;
	/** The quorum: more than this fraction of all delegates present (the organic law: two thirds). */
	quorum: { numerator: number; denominator: number };
}

const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** Small whole numbers in Chinese (1 → 一, 12 → 十二, 23 → 二十三); larger ones in digits. */
export function chineseNumeral(value: number): string {
	if (!Number.isInteger(value) || value < 0 || value >= 100) return String(value);
	if (value <= 10) return CHINESE_DIGITS[value] as string;
	const tens = Math.floor(value / 10);
	const units = value % 10;
	return `${tens === 1 ? '' : CHINESE_DIGITS[tens]}十${units === 0 ? '' : CHINESE_DIGITS[units]}`;
}

const BASE_WORDS: Record<ThresholdBase, string> = {
	enrolled: '全体代表',
	present: '出席会议的代表',
	cast: '参加投票的代表'
};

export function draftVotingRules(input: VotingRulesDraftInput): string {
	const meeting = input.meetingName.trim() || '本次会议';
	const seats = input.seats;
	const quorum = `${chineseNumeral(input.quorum.denominator)}分之${chineseNumeral(input.quorum.numerator)}`;
	const methodLine =
		methodOf(input.ballotMethod).ballotForm === 'tick'
			? `代表对赞成的候选项目在选票上作出标记，所选项目不得多于${seats}个；多于${seats}个的为无效票，等于或者少于${seats}个的为有效票。`
			: `代表对每个候选项目可以表示赞成、反对或者弃权，表示赞成的项目不得多于${seats}个；多于${seats}个的为无效票。`;
	const articles = [
		'根据《中华人民共和国地方各级人民代表大会和地方各级人民政府组织法》和本级人民代表大会常务委员会关于民生实事项目人大代表票决制的规定，制定本办法。',
		`本次会议对经本级人民代表大会常务委员会审议的${input.candidateCount}个候选项目进行差额票决，从中票决产生${seats}个${input.year}年度民生实事项目。`,
		'票决采用无记名投票方式。代表使用电子表决系统投票，也可以使用书面选票；代表不得委托他人投票。',
		methodLine,
		`会议举行票决时，出席代表须超过全体代表的${quorum}，方可进行票决。`,
		'每次票决收回的选票，等于或者少于发出的选票，票决有效；多于发出的选票，票决无效，应当重新进行票决。',
		`候选项目获得的赞成票超过${BASE_WORDS[input.thresholdBase]}的半数的，始得入选。入选项目按得票多少排序，以得票多的前${seats}个项目为票决产生的民生实事项目。`,
		`获得赞成票超过半数的候选项目多于应选数，因票数相等不能确定入选项目的，就票数相等的候选项目再次投票，以得票多的入选。入选项目少于${seats}个的，不足的名额在未入选的候选项目中，按照第一次投票得票多少的顺序另行票决。`,
		'本次票决设总监票人一人、监票人若干人，由主席团在代表中提名，经大会通过；计票人由大会秘书处指定。监票人、计票人在总监票人的领导下，对发票、投票、计票工作进行监督。计票结果经总监票人和过半数的监票人确认后，报大会主席团。',
		'票决结果由大会主席团以公告形式公布。',
		'本办法经大会通过后施行。'
	];
	return [
		`${meeting}${input.year}年度民生实事项目票决办法`,
		'',
		...articles.map((article, index) => `${chineseNumeral(index + 1)}、${article}`)
	].join('\n');
}

/** A vote with further votes: its rounds and the final list of chosen projects, with their titles. */
export interface RoundsSummary {
	rounds: { id: number; title: string; status: SessionStatus; kind: FollowUpKind | null }[];
	/** The final list of chosen projects over the published rounds, with their titles. */
	finalList: (ChosenAcrossRounds & { title: string })[];
	complete: boolean;
}
