// Scenario 1 (and 6, 7): every delegate casts at the same moment. Against the app, through the
// real form action as a browser without JavaScript posts it (signed-in cookie, same-origin
// `origin` header, repeated `candidate` fields), or as the enhanced form (`use:enhance`) posts it
// with JavaScript (`x-sveltekit-action`, answered with the action's own small JSON); against the
// bare baseline, the same ballots to its one endpoint. Afterwards the database must hold a mark for every acknowledged delegate
// (none lost; none twice, the mark is the primary key), as many ballots as marks, and every
// choice when everyone got through.
import type { Sql } from '../../src/lib/server/db/client';
import { keepAliveAgent, request, runPool, summarize, timed, type Outcome } from '../harness/http';
import { ballotFor, type SignedInUser } from '../harness/seed';

export type StormTarget =
	{ kind: 'app'; baseUrl: string; origin: string; enhanced?: boolean } | { kind: 'baseline'; baseUrl: string };

export interface StormInput {
	sql: Sql;
	target: StormTarget;
	votingSessionId: number;
	delegates: SignedInUser[];
	candidateIds: number[];
	seats: number;
	/** Connections open at once (every delegate is one browser; bounded for the large storms). */
	concurrency: number;
}

export interface StormOutcome {
	outcomes: Outcome[];
	wallMs: number;
	summary: ReturnType<typeof summarize>;
	/** What the database holds afterwards, and whether it is exactly what was acknowledged. */
	stored: {
		marks: number;
		ballots: number;
		choices: number;
		expectedChoices: number;
		acknowledged: number;
		lost: number;
		unacknowledgedStored: number;
		correct: boolean;
	};
	/** Acknowledgement times (performance.now()), for the live scenarios. */
	acknowledgedAt: number[];
}

/**
 * The app acknowledges a cast with the receipt page (without JavaScript) or the action's JSON with
 * the receipt code (enhanced form); the baseline with a line of text.
 */
function judge(target: StormTarget) {
	const kind = target.kind;
	const enhanced = target.kind === 'app' && target.enhanced === true;
	return (response: { status: number; body: string }) => {
		if (response.status !== 200) return `HTTP ${response.status}: ${response.body.replace(/\s+/g, ' ').slice(0, 160)}`;
		if (enhanced && !(response.body.includes('"type":"success"') && response.body.includes('receiptCode')))
			return `HTTP 200 without a receipt: ${response.body.slice(0, 160)}`;
		if (kind === 'app' && !enhanced && !response.body.includes('id="receipt-title"'))
			return 'HTTP 200 without a receipt';
		if (kind === 'baseline' && !response.body.startsWith('cast'))
			return `baseline answered ${response.body.slice(0, 80)}`;
		return null;
	};
}

export async function runVoteStorm(input: StormInput): Promise<StormOutcome> {
	const { target, delegates } = input;
	const agent = keepAliveAgent(input.concurrency);
	// Every request is prepared before the first leaves.
	const prepared = delegates.map(
		(delegate, index): { path: string; body: string; headers: Record<string, string>; choices: number } => {
			const ballot = ballotFor(index, input.candidateIds, input.seats);
			const fields = new URLSearchParams(ballot.map((candidateId) => ['candidate', String(candidateId)]));
			if (target.kind === 'app') {
				return {
					path: `/vote/${input.votingSessionId}?/cast`,
					body: fields.toString(),
					headers: {
						'content-type': 'application/x-www-form-urlencoded',
						...(target.enhanced
							? { accept: 'application/json', 'x-sveltekit-action': 'true' }
							: { accept: 'text/html,application/xhtml+xml' }),
						origin: target.origin,
						cookie: delegate.cookie
					},
					choices: ballot.length
				};
			}
			fields.append('session', String(input.votingSessionId));
			fields.append('delegate', String(delegate.id));
			return {
				path: '/cast',
				body: fields.toString(),
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
				choices: ballot.length
			};
		}
	);
	const check = judge(target);
	const { outcomes, wallMs } = await runPool(prepared.length, input.concurrency, (index) => {
		const cast = prepared[index]!;
		return timed(
			() =>
				request(agent, target.baseUrl, cast.path, {
					method: 'POST',
					body: cast.body,
					headers: cast.headers,
					timeoutMs: 120_000
				}),
			check
		);
	});
	agent.destroy();

	const [stored] = await input.sql<{ marks: number; ballots: number; choices: number }[]>`
		select (select count(*) from ballot_mark where voting_session_id = ${input.votingSessionId})::int as marks,
		       (select count(*) from ballot where voting_session_id = ${input.votingSessionId})::int as ballots,
		       (select count(*) from ballot_choice where voting_session_id = ${input.votingSessionId})::int as choices`;
	const marked = new Set(
		(
			await input.sql<
				{ delegateId: number }[]
			>`select delegate_id as "delegateId" from ballot_mark where voting_session_id = ${input.votingSessionId}`
		).map((row) => row.delegateId)
	);
	const acknowledged = delegates.filter((_, index) => outcomes[index]?.ok);
	// Lost: acknowledged but not stored. Unacknowledged: stored although the request failed.
	const lost = acknowledged.filter((delegate) => !marked.has(delegate.id)).length;
	const counts = stored ?? { marks: -1, ballots: -1, choices: -1 };
	const everyoneCast = counts.marks === delegates.length;
	const expectedChoices = prepared.reduce((sum, cast) => sum + cast.choices, 0);
	const correct =
		lost === 0 &&
		counts.marks === counts.ballots &&
		counts.marks <= delegates.length &&
		(!everyoneCast || counts.choices === expectedChoices);
	return {
		outcomes,
		wallMs,
		summary: summarize(outcomes, wallMs),
		stored: {
			...counts,
			expectedChoices,
			acknowledged: acknowledged.length,
			lost,
			unacknowledgedStored: counts.marks - (acknowledged.length - lost),
			correct
		},
		acknowledgedAt: outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.endedAt)
	};
}

/**
 * Before a vote, every delegate has the ballot page open (that is how they vote): the server has
 * rendered it once per delegate. Returns how many page loads failed.
 */
export async function openBallotPages(
	baseUrl: string,
	votingSessionId: number,
	delegates: SignedInUser[],
	concurrency: number
): Promise<{ failed: number; wallMs: number }> {
	const agent = keepAliveAgent(concurrency);
	const { outcomes, wallMs } = await runPool(delegates.length, concurrency, (index) =>
		timed(
			() =>
				request(agent, baseUrl, `/vote/${votingSessionId}`, {
					headers: { accept: 'text/html', cookie: (delegates[index] as SignedInUser).cookie },
					timeoutMs: 30_000
				}),
			(response) => (response.status === 200 ? null : `HTTP ${response.status}`)
		)
	);
	agent.destroy();
	return { failed: outcomes.filter((outcome) => !outcome.ok).length, wallMs };
}
