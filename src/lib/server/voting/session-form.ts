// Reading the staff's voting-session form (new and edit share it).
import { fieldErrors, votingSessionFormSchema, type VotingSessionForm } from '$lib/domain/schemas';
import type { NewVotingSession } from './sessions';

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
		publishBallots: text('publishBallots')
	};
}

/** Reads the form; `catalogCandidateIds` are the candidates that exist (a made-up or repeated id is refused, not left to the database). */
export function readSessionForm(
	values: SessionFormValues,
	catalogCandidateIds: ReadonlySet<number>
): { ok: true; session: NewVotingSession } | { ok: false; errors: Record<string, string> } {
	const parsed = votingSessionFormSchema.safeParse({ ...values, candidateIds: values.candidateIds });
	if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
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
			publishBallots: form.publishBallots
		}
	};
}

/** A stored time as a datetime-local value in Beijing time. */
export function toBeijingLocal(value: Date | null): string {
	if (!value) return '';
	return new Date(value.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}
