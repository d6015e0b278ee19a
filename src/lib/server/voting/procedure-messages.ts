// The procedure's refusals in the reader's language (pages and the CLI).
import { m } from '$lib/paraglide/messages';
import type { NamingError } from './procedure';

export function namingErrorMessage(error: NamingError): string {
	switch (error.code) {
		case 'not_found':
		case 'not_a_vote':
			return m.error_session_not_found();
		case 'not_draft':
			return m.procedure_error_not_draft();
		case 'too_few_members':
			return m.procedure_error_members_too_few();
		case 'named_twice':
			return m.procedure_error_named_twice({ references: error.references.join('、') });
		case 'unknown_users':
			return m.procedure_error_unknown_users({ references: error.references.join('、') });
		case 'not_eligible':
			return m.procedure_error_not_eligible({ references: error.references.join('、') });
		case 'counters_not_staff':
			return m.procedure_error_counters_not_staff({ references: error.references.join('、') });
	}
}
