// Paper ballots: each method's notation for a typed ballot lives in its module (methods/); the
// reading of a whole batch and its inverse are in the registry (methods/index.ts).
export { formatPaperBallot, readPaperBallots, type PaperLineProblem } from './methods';

/** The delegates a batch covers: one username or delegate number per line (also separated by commas or spaces). */
export function readDelegateReferences(text: string): string[] {
	return [
		...new Set(
			text
				.split(/[\s,，、;；]+/)
				.map((reference) => reference.trim())
				.filter(Boolean)
		)
	];
}
