// Delivery tracking (监督) and the yearly chain: pure rules and input schemas. Error messages
// are Paraglide message keys (translated with messageByKey where they are shown).
import { z } from 'zod';

export const PROGRESS_STATUSES = ['on_track', 'at_risk', 'delayed', 'done'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

export const NOTE_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];

/** Photo limits (the database holds the same ones). */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTO_MAX_SIDE = 8000;
export const PHOTOS_PER_UPDATE = 4;

export const TEXT_MAX = 5000;

/** The percentages an update needs: one per quantified target, or one overall when there are none. */
export function percentageCount(targets: readonly string[]): number {
	return Math.max(targets.length, 1);
}

/** The form field of the n-th target's percentage. */
export function percentageField(index: number): string {
	return `percent-${index}`;
}

/** Overall completion: the mean of the targets' percentages, rounded to a whole percent. */
export function overallPercent(percentages: readonly number[]): number {
	if (percentages.length === 0) return 0;
	return Math.round(percentages.reduce((sum, value) => sum + value, 0) / percentages.length);
}

/** A calendar date as typed in a date field: "2022-06-30". */
export const calendarDateSchema = z
	.string({ error: 'delivery_error_date_invalid' })
	.trim()
	.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'delivery_error_date_invalid' })
	.refine(
		(value) => {
			const date = new Date(`${value}T00:00:00Z`);
			return (
				!Number.isNaN(date.getTime()) &&
				date.toISOString().slice(0, 10) === value &&
				value >= '2000-01-01' &&
				value <= '2100-12-31'
			);
		},
		{ error: 'delivery_error_date_invalid' }
	);

const bodySchema = (requiredKey: string) =>
	z
		.string({ error: requiredKey })
		.trim()
		.min(1, { error: requiredKey })
		.max(TEXT_MAX, { error: 'delivery_error_text_too_long' });

const percentageSchema = z
	.string({ error: 'delivery_error_percent_invalid' })
	.trim()
	.regex(/^\d{1,3}$/, { error: 'delivery_error_percent_invalid' })
	.transform(Number)
	.pipe(
		z
			.number()
			.int()
			.min(0, { error: 'delivery_error_percent_invalid' })
			.max(100, { error: 'delivery_error_percent_invalid' })
	);

export interface ProgressUpdateInput {
	reportedOn: string;
	body: string;
	status: ProgressStatus;
	percentages: number[];
}

/** A progress update of a project with `targetCount` percentages (fields percent-0 … percent-n). */
export function progressUpdateSchema(targetCount: number) {
	const percentages = Object.fromEntries(
		Array.from({ length: targetCount }, (_, index) => [percentageField(index), percentageSchema])
	);
	return z
		.object({
			reportedOn: calendarDateSchema,
			body: bodySchema('delivery_error_body_required'),
			status: z.enum(PROGRESS_STATUSES, { error: 'delivery_error_status_invalid' }),
			...percentages
		})
		.transform((form, context): ProgressUpdateInput => {
			const values = Array.from(
				{ length: targetCount },
				(_, index) => (form as Record<string, unknown>)[percentageField(index)] as number
			);
			if (form.status === 'done' && values.some((value) => value !== 100)) {
				context.addIssue({ code: 'custom', path: ['status'], message: 'delivery_error_done_needs_100' });
			}
			return { reportedOn: form.reportedOn, body: form.body, status: form.status, percentages: values };
		});
}

export const inspectionNoteSchema = z.object({
	projectId: z
		.string({ error: 'error_not_found' })
		.regex(/^[1-9]\d{0,15}$/, { error: 'error_not_found' })
		.transform(Number),
	visitedOn: calendarDateSchema,
	body: bodySchema('delivery_error_note_required')
});
export type InspectionNoteInput = z.infer<typeof inspectionNoteSchema>;

export const noteReviewSchema = z.object({
	noteId: z
		.string({ error: 'error_not_found' })
		.regex(/^[1-9]\d{0,15}$/, { error: 'error_not_found' })
		.transform(Number),
	decision: z.enum(['approved', 'rejected'], { error: 'delivery_error_decision_invalid' })
});

/** A delegate named by username or delegate number. */
export const memberReferenceSchema = z.object({
	delegate: z
		.string({ error: 'delivery_error_delegate_required' })
		.trim()
		.min(1, { error: 'delivery_error_delegate_required' })
		.max(64, { error: 'delivery_error_delegate_unknown' })
});

export const departmentAccountSchema = z.object({
	username: z
		.string({ error: 'error_username_required' })
		.trim()
		.min(1, { error: 'error_username_required' })
		.regex(/^[A-Za-z0-9_.-]{3,64}$/, { error: 'error_username_format' }),
	displayName: z.string().trim().max(100, { error: 'delivery_error_name_too_long' }),
	departmentName: z
		.string({ error: 'delivery_error_department_required' })
		.trim()
		.min(1, { error: 'delivery_error_department_required' })
		.max(100, { error: 'delivery_error_name_too_long' })
});
export type DepartmentAccountInput = z.infer<typeof departmentAccountSchema>;

/** A year in a query or a path: "2022". */
export const yearSchema = z
	.string()
	.regex(/^\d{4}$/)
	.transform(Number)
	.pipe(z.number().int().min(2000).max(2100));

/** The year asked for, or null when the text is no year. */
export function parseYear(text: string | null | undefined): number | null {
	const parsed = yearSchema.safeParse(text ?? '');
	return parsed.success ? parsed.data : null;
}

// ---------------------------------------------------------------- the yearly chain
export const CHAIN_STAGES = ['collection', 'selection', 'vote', 'delivery', 'evaluation'] as const;
export type ChainStage = (typeof CHAIN_STAGES)[number];

/** What is known of one stage of a year: when it starts and ends (null: not planned / not yet). */
export interface StageDates {
	startsAt: Date | null;
	endsAt: Date | null;
}

export type StageState = 'done' | 'current' | 'upcoming' | 'none';

/**
 * Where a year stands: the current stage is the last one that has begun; the stages before it
 * are done (or "none" when they never took place), the ones after it are upcoming or none.
 * A year whose last begun stage has also ended (the evaluation) has no current stage.
 */
export function chainStates(
	stages: Record<ChainStage, StageDates>,
	now: Date
): { states: Record<ChainStage, StageState>; current: ChainStage | null } {
	let lastBegun = -1;
	CHAIN_STAGES.forEach((stage, index) => {
		const startsAt = stages[stage].startsAt;
		if (startsAt && startsAt <= now) lastBegun = index;
	});
	const states = {} as Record<ChainStage, StageState>;
	let current: ChainStage | null = null;
	CHAIN_STAGES.forEach((stage, index) => {
		const { startsAt, endsAt } = stages[stage];
		if (!startsAt) states[stage] = 'none';
		else if (index < lastBegun) states[stage] = 'done';
		else if (index === lastBegun) {
			const ended = endsAt !== null && endsAt <= now;
			states[stage] = ended && stage === 'evaluation' ? 'done' : 'current';
			if (states[stage] === 'current') current = stage;
		} else states[stage] = 'upcoming';
	});
	return { states, current };
}

export interface ProjectSummary {
	id: number;
	year: number;
	rank: number;
	votesFor: number;
	category: string;
	title: string;
	leadDepartment: string;
	targets: string[];
	budgetYuan: number | null;
	/** "YYYY-MM-DD" or null. */
	plannedCompletion: string | null;
	isDemo: boolean;
	votingSessionId: number;
	/** The latest progress update, if any. */
	latest: { reportedOn: string; status: ProgressStatus; percentages: number[]; body: string } | null;
	/** Overall completion of the latest update (0 without one). */
	percent: number;
	members: number;
	pendingNotes: number;
}

export interface Project extends ProjectSummary {
	summary: string;
	votingSessionTitle: string;
}

export interface ProgressUpdate {
	id: number;
	reportedOn: string;
	body: string;
	status: ProgressStatus;
	percentages: number[];
	percent: number;
	authorName: string;
	/** Whether a department account (not staff) posted it. */
	byDepartment: boolean;
	createdAt: Date;
	photos: { id: number; width: number; height: number }[];
}

export interface InspectionNote {
	id: number;
	projectId: number;
	visitedOn: string;
	body: string;
	status: NoteStatus;
	authorName: string;
	createdAt: Date;
	reviewedAt: Date | null;
}

/** One stage of a year's chain as the pages show it (the home page, the empty pages' calendar). */
export interface ChainStep {
	stage: ChainStage;
	state: StageState;
	startsAt: Date | null;
	endsAt: Date | null;
	/** Where to read about it (null when there is nothing to show). */
	href: string | null;
	/** How many: campaigns' proposals, rounds, sessions, projects (null when not counted). */
	count: number | null;
}

export interface YearChain {
	year: number;
	current: ChainStage | null;
	steps: ChainStep[];
}
