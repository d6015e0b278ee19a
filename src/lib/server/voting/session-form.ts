// Reading the staff's voting-session form (new and edit share it).
import { fieldErrors, votingSessionFormSchema, type VotingSessionForm } from '$lib/domain/schemas';
import { procedureSettingsFormSchema } from '$lib/domain/procedure-schemas';
import type { NewVotingSession } from './sessions';
import type { ProcedureSettings } from './procedure';

/** What the form echoes back when it is refused, so nothing typed is lost. */
export interface SessionFormValues {
	title: string;
	year: string;
	ballotMethod: string;
	seats: string;
	thresholdBase: string;
	opensAt: string;
	closesAt: string;
	candidateIds: string[];
	/** The procedure settings (issue 13): the meeting's name, what opening requires ('yes' or ''), the minimum ratio. */
	meetingName: string;
	requireAdoptedRules: string;
	requireReview: string;
	requireNamedScrutineers: string;
	minCandidateRatio: string;
	/** 'yes' when the anonymous ballots are published with the result. */
	publishBallots: string;
}

export function formValues(form: FormData): SessionFormValues {
	const text = (name: string) => String(form.get(name) ?? '');
	return {
		title: text('title'),
		year: text('year'),
		ballotMethod: text('ballotMethod'),
		seats: text('seats'),
		thresholdBase: text('thresholdBase'),
		opensAt: text('opensAt'),
		closesAt: text('closesAt'),
		candidateIds: form.getAll('candidate').map(String),
		meetingName: text('meetingName'),
		requireAdoptedRules: text('requireAdoptedRules'),
		requireReview: text('requireReview'),
		requireNamedScrutineers: text('requireNamedScrutineers'),
		minCandidateRatio: text('minCandidateRatio'),
		publishBallots: text('publishBallots')
	};
}

/** The form's values of stored procedure settings. */
export function procedureFormValues(
	settings: ProcedureSettings
): Pick<
	SessionFormValues,
	'meetingName' | 'requireAdoptedRules' | 'requireReview' | 'requireNamedScrutineers' | 'minCandidateRatio'
> {
	const yes = (value: boolean) => (value ? 'yes' : '');
	return {
		meetingName: settings.meetingName,
		requireAdoptedRules: yes(settings.requireAdoptedRules),
		requireReview: yes(settings.requireReview),
		requireNamedScrutineers: yes(settings.requireNamedScrutineers),
		minCandidateRatio: settings.minCandidateRatio.toFixed(2).replace(/0$/, '')
	};
}

/** Reads the form; `catalogCandidateIds` are the candidates that exist (a made-up or repeated id is refused, not left to the database). */
export function readSessionForm(
	values: SessionFormValues,
	catalogCandidateIds: ReadonlySet<number>
): { ok: true; session: NewVotingSession } | { ok: false; errors: Record<string, string> } {
	const parsed = votingSessionFormSchema.safeParse({ ...values, candidateIds: values.candidateIds });
	const procedure = procedureSettingsFormSchema.safeParse({
		meetingName: values.meetingName,
		requireAdoptedRules: values.requireAdoptedRules === 'yes',
		requireReview: values.requireReview === 'yes',
		requireNamedScrutineers: values.requireNamedScrutineers === 'yes',
		minCandidateRatio: values.minCandidateRatio
	});
	if (!parsed.success || !procedure.success)
		return {
			ok: false,
			errors: {
				...(procedure.success ? {} : fieldErrors(procedure.error)),
				...(parsed.success ? {} : fieldErrors(parsed.error))
			}
		};
	const form: VotingSessionForm = parsed.data;
	if (new Set(form.candidateIds).size !== form.candidateIds.length)
		return { ok: false, errors: { candidateIds: 'error_candidate_duplicate' } };
	if (form.candidateIds.some((id) => !catalogCandidateIds.has(id)))
		return { ok: false, errors: { candidateIds: 'error_candidate_not_found' } };
	return {
		ok: true,
		session: {
			title: form.title,
			year: form.year,
			rules: { ballotMethod: form.ballotMethod, seats: form.seats, thresholdBase: form.thresholdBase },
			candidateIds: form.candidateIds,
			opensAt: form.opensAt,
			closesAt: form.closesAt,
			publishBallots: form.publishBallots,
			procedure: procedure.data
		}
	};
}

/** A stored time as a datetime-local value in Beijing time. */
export function toBeijingLocal(value: Date | null): string {
	if (!value) return '';
	return new Date(value.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}
