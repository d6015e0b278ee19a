// Labels of the procedure's vocabulary in the reader's language (pages and the CLI share them).
import type { ApprovingBody, FollowUpKind, ScrutineerDuty } from '$lib/domain/procedure';
import { m } from '$lib/paraglide/messages';

export function bodyLabel(body: ApprovingBody): string {
	return body === 'presidium' ? m.procedure_body_presidium() : m.procedure_body_plenary();
}

export function dutyLabel(duty: ScrutineerDuty | 'global'): string {
	return {
		chief: m.procedure_duty_chief,
		member: m.procedure_duty_member,
		counter: m.procedure_duty_counter,
		global: m.procedure_duty_global
	}[duty]();
}

export function followUpKindLabel(kind: FollowUpKind): string {
	return kind === 'tie' ? m.procedure_follow_up_tie() : m.procedure_follow_up_shortfall();
}
