// What the methods that ask one choice per candidate share: reading `choice-<candidateId>` fields,
// and checking that every candidate, and only they, got one of the allowed choices.
import type { z } from 'zod';
import type { BallotChoice, BallotContent } from '../types';
import type { BallotProblem } from './method';

/** The `choice-<candidateId>` entries of a form, each read by `schema`; a repeated or unknown value is an error. */
export function readChoicePerCandidate<T extends string>(
	form: FormData,
	schema: z.ZodType<T>
): { ok: true; choices: Record<number, T> } | { ok: false; error: string } {
	const choices: Record<number, T> = {};
	for (const [key, value] of form.entries()) {
		const match = /^choice-(\d+)$/.exec(key);
		if (!match) continue;
		const parsedChoice = schema.safeParse(value);
		if (!parsedChoice.success) return { ok: false, error: 'error_choice_invalid' };
		const candidateId = Number(match[1]);
		if (choices[candidateId] !== undefined) return { ok: false, error: 'error_choice_invalid' };
		choices[candidateId] = parsedChoice.data;
	}
	return { ok: true, choices };
}

/**
 * The ballot of a choice per candidate: each chosen one is among `permitted`, no unknown candidate,
 * none left out. `evaluation` marks the missing-choice problem as an evaluation's (its message).
 */
export function ballotOfChoicePerCandidate(
	candidateIds: readonly number[],
	choices: Record<number, BallotChoice>,
	permitted: ReadonlySet<string>,
	evaluation = false
): { ok: true; ballot: BallotContent } | { ok: false; problem: BallotProblem } {
	const allowed = new Set(candidateIds);
	for (const [key, choice] of Object.entries(choices)) {
		const candidateId = Number(key);
		if (!allowed.has(candidateId)) return { ok: false, problem: { code: 'unknown_candidate', candidateId } };
		if (!permitted.has(choice)) return { ok: false, problem: { code: 'choice_not_allowed', candidateId } };
	}
	const missing = candidateIds.filter((candidateId) => choices[candidateId] === undefined);
	if (missing.length > 0)
		return {
			ok: false,
			problem: { code: 'missing_choice', candidateIds: missing, ...(evaluation ? { evaluation: true as const } : {}) }
		};
	const ordered = [...candidateIds]
		.sort((a, b) => a - b)
		.map((candidateId) => ({ candidateId, choice: choices[candidateId] as BallotChoice }));
	return { ok: true, ballot: { isVoid: false, choices: ordered } };
}

/** A selection of another method than the session's. */
export const WRONG_METHOD = { ok: false, problem: { code: 'choice_not_allowed', candidateId: 0 } } as const;
