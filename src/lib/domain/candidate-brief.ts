// The one line a ballot row shows under a candidate's title (issue 15): what the project will do,
// short enough to read at a glance. Pure: the full summary stays in the row's details.

/** Longest brief, in characters, before a shorter piece of the text is taken. */
export const BRIEF_MAX_CHARACTERS = 32;

/**
 * The first quantified target when there is one (it says what the project delivers, e.g.
 * "建成智慧公办养老院10家"), else the summary's first sentence, else its first clause; never
 * cut in the middle of a word: a piece that is still too long is shown whole.
 */
export function candidateBrief(summary: string, targets: readonly string[]): string {
	const target = targets.find((entry) => entry.trim() !== '')?.trim();
	if (target && [...target].length <= BRIEF_MAX_CHARACTERS) return target;
	const text = summary.trim();
	if (text === '') return target ?? '';
	const sentence = text.split(/(?<=[。！？；!?;])\s*|(?<=\.)\s+/u)[0]!.trim();
	if ([...sentence].length <= BRIEF_MAX_CHARACTERS) return sentence;
	const clause = sentence.split(/[，,：:]\s*/u)[0]!.trim();
	if ([...clause].length <= BRIEF_MAX_CHARACTERS) return clause;
	return target ?? sentence;
}
