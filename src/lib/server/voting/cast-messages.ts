// The user's-language message and HTTP status for each reason a cast is refused.
import { m } from '$lib/paraglide/messages';
import type { CastError } from './casting';

export function castErrorMessage(error: CastError): string {
	switch (error.code) {
		case 'session_not_found':
			return m.error_session_not_found();
		case 'not_open':
			return error.reason === 'not_yet_open' ? m.error_vote_not_yet_open() : m.error_vote_closed();
		case 'not_enrolled':
			return m.error_not_enrolled();
		case 'not_checked_in':
			return m.attendance_error_not_checked_in();
		case 'outside_hall_network':
			return m.attendance_error_outside_hall();
		case 'already_voted':
			return m.error_already_voted();
		case 'invalid_ballot': {
			const problem = error.problem;
			switch (problem.code) {
				case 'over_limit':
					return m.error_over_limit({ marked: problem.marked, seats: problem.seats });
				case 'missing_choice':
					return problem.evaluation
						? m.evaluation_error_missing_choice({ count: problem.candidateIds.length })
						: m.error_missing_choice({ count: problem.candidateIds.length });
				case 'unknown_candidate':
					return m.error_candidate_unknown();
				case 'duplicate_candidate':
					return m.error_candidate_duplicate();
				case 'choice_not_allowed':
					return m.error_choice_invalid();
			}
		}
	}
}

export function castErrorStatus(error: CastError): number {
	switch (error.code) {
		case 'session_not_found':
			return 404;
		case 'not_enrolled':
		case 'not_checked_in':
		case 'outside_hall_network':
			return 403;
		case 'not_open':
		case 'already_voted':
			return 409;
		case 'invalid_ballot':
			return 400;
	}
}
