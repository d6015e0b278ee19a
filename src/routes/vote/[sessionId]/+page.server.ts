import { error, fail } from '@sveltejs/kit';
import type { Selection } from '$lib/domain/ballot';
import { idSchema } from '$lib/domain/schemas';
import { parseCastForm } from '$lib/domain/methods';
import { messageByKey } from '$lib/i18n';
import { m } from '$lib/paraglide/messages';
import { requireVoter } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { recordCast, recordRefusedInput } from '$lib/server/observability/metrics';
import { castErrorMessage, castErrorStatus } from '$lib/server/voting/cast-messages';
import { ballotThreshold, castBallot, frozenBallot, readBallotSession, reviewBallot } from '$lib/server/voting/casting';
import { readFormBody } from '$lib/server/form-body';
import { ballotIdleSeconds, idleSignOutToken, receiptQrSvg } from '$lib/server/hall/shared-tablet';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

type BallotRead = NonNullable<Awaited<ReturnType<typeof readBallotSession>>>;

/**
 * A form action's read of the session, kept for the page load that SvelteKit runs after it in the
 * same request (keyed by that request's locals): the page after a cast does not read again what
 * the action has just read and written.
 */
const readInThisRequest = new WeakMap<App.Locals, BallotRead>();

function sessionIdOf(params: { sessionId: string }): number {
	const id = idSchema.safeParse(params.sessionId);
	if (!id.success) error(404, m.error_session_not_found());
	return id.data;
}

async function readSession(
	locals: App.Locals,
	votingSessionId: number,
	delegateId: number,
	clientAddress: string
): Promise<BallotRead> {
	const read =
		readInThisRequest.get(locals) ?? (await readBallotSession(db(), votingSessionId, delegateId, clientAddress));
	if (!read) error(404, m.error_session_not_found());
	return read;
}

export const load: PageServerLoad = async ({ locals, url, params, getClientAddress, setHeaders }) => {
	const votingSessionId = sessionIdOf(params);
	const delegate = requireVoter(locals, url, votingSessionId);
	// Never kept by the browser (nor its back button): a shared tablet shows no one's ballot again.
	setHeaders({ 'cache-control': 'no-store' });
	// Both reads leave at once (postgres.js pipelines them); the candidates come from memory once
	// the session has opened (frozen from then on).
	const [read, ballot] = await Promise.all([
		readSession(locals, votingSessionId, delegate.id, getClientAddress()),
		frozenBallot(db(), votingSessionId)
	]);
	if (!read.enrolled || !ballot) error(403, m.error_not_enrolled());
	const candidates = ballot.candidates;
	return {
		votingSession: read.votingSession,
		hasVoted: read.hasVoted,
		checkedIn: read.checkedIn,
		inHallNetwork: read.inHallNetwork,
		// "过半数：N 票" above an open ballot (not after voting: the receipt needs no count).
		threshold:
			!read.hasVoted && read.votingSession.status === 'open' ? await ballotThreshold(db(), votingSessionId) : null,
		serverNow: new Date(),
		candidates,
		// The shared tablet signs out by itself after a while without use (issue 15).
		idle: { seconds: ballotIdleSeconds(), token: locals.session ? idleSignOutToken(locals.session.id) : '' }
	};
};

/** The selection as the form echoes it back (to keep what the delegate chose). */
function echo(selection: Selection) {
	return selection.method === 'approval'
		? { selected: selection.candidateIds, choices: {} }
		: { selected: [], choices: selection.choices as Record<string, string> };
}

async function readSelection(event: RequestEvent) {
	const votingSessionId = sessionIdOf(event.params);
	const delegate = requireVoter(event.locals, event.url, votingSessionId);
	// The rules the form is read by: from memory once the session has opened (frozen from then on).
	const ballot = await frozenBallot(db(), votingSessionId);
	if (!ballot) error(404, m.error_session_not_found());
	const votingSession = ballot.votingSession;
	const parsed = parseCastForm(votingSession.rules.ballotMethod, await readFormBody(event.request));
	if (!parsed.ok)
		return {
			delegate,
			votingSession,
			failure: fail(400, { stage: 'edit' as const, message: messageByKey(parsed.error), selected: [], choices: {} })
		};
	return { delegate, votingSession, selection: parsed.selection };
}

export const actions: Actions = {
	review: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) return read.failure;
		const input = {
			votingSessionId: read.votingSession.id,
			delegateId: read.delegate.id,
			selection: read.selection,
			clientAddress: event.getClientAddress()
		};
		const result = await reviewBallot(db(), input);
		if (!result.ok)
			return fail(castErrorStatus(result.error), {
				stage: 'edit' as const,
				message: castErrorMessage(result.error),
				...echo(read.selection)
			});
		return { stage: 'review' as const, ...echo(read.selection) };
	},
	edit: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) return read.failure;
		return { stage: 'edit' as const, ...echo(read.selection) };
	},
	cast: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) {
			recordRefusedInput('cast', 'invalid_form');
			return read.failure;
		}
		const input = {
			votingSessionId: read.votingSession.id,
			delegateId: read.delegate.id,
			selection: read.selection,
			clientAddress: event.getClientAddress()
		};
		const result = await castBallot(db(), input);
		recordCast(result);
		if (!result.ok) {
			return fail(castErrorStatus(result.error), {
				stage: 'edit' as const,
				message: castErrorMessage(result.error),
				...echo(read.selection)
			});
		}
		// The receipt page, from what the cast has just established: the session was open, the delegate
		// enrolled, checked in, in the hall's network, and has voted now. Nothing is read again.
		readInThisRequest.set(event.locals, {
			votingSession: { ...read.votingSession, status: 'open' },
			enrolled: true,
			hasVoted: true,
			checkedIn: true,
			inHallNetwork: true
		});
		return {
			stage: 'receipt' as const,
			receiptCode: result.receiptCode,
			receiptQr: await receiptQrSvg(event.url.origin, read.votingSession.id, result.receiptCode),
			castAt: result.castAt.toISOString(),
			...echo(read.selection)
		};
	}
};
