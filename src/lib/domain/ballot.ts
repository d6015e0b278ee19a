// Checking a ballot a delegate submits against the session's rules: each method's own check lives
// in its module (methods/); these are the names the rest of the app imports.
export { countFor, isVoidUnderRules } from './counting';
export { checkBallot } from './methods';
export type { BallotProblem, Selection } from './methods';
