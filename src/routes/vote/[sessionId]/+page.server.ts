import { error, fail } from '@sveltejs/kit';
import type { Selection } from '$lib/domain/ballot';
import { idSchema, parseCastForm } from '$lib/domain/schemas';
import { messageByKey } from '$lib/i18n';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { listSessionCandidates } from '$lib/server/catalog/catalog';
import { db } from '$lib/server/db';
import { castErrorMessage, castErrorStatus } from '$lib/server/voting/cast-messages';
import { castBallot, reviewBallot } from '$lib/server/voting/casting';
import { getVotingSession, isEnrolled } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function loadSession(params: { sessionId: string }) {
	const id = idSchema.safeParse(params.sessionId);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession) error(404, m.error_session_not_found());
	return votingSession;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const delegate = requireRole(locals, url, 'delegate');
	const votingSession = await loadSession(params);
	const enrolment = await isEnrolled(db(), votingSession.id, delegate.id);
	if (!enrolment.enrolled) error(403, m.error_not_enrolled());
	return {
		votingSession,
		hasVoted: enrolment.hasVoted,
		serverNow: new Date(),
		candidates: await listSessionCandidates(db(), votingSession.id)
	};
};

/** The selection as the form echoes it back (to keep what the delegate chose). */
function echo(selection: Selection) {
	return selection.method === 'approval'
		? { selected: selection.candidateIds, choices: {} }
		: { selected: [], choices: selection.choices as Record<string, string> };
}

async function readSelection(event: RequestEvent) {
	const delegate = requireRole(event.locals, event.url, 'delegate');
	const votingSession = await loadSession(event.params);
	const parsed = parseCastForm(votingSession.rules.ballotMethod, await readFormBody(event.request));
	if (!parsed.ok) return { delegate, votingSession, failure: fail(400, { stage: 'edit' as const, message: messageByKey(parsed.error), selected: [], choices: {} }) };
	return { delegate, votingSession, selection: parsed.selection };
}

export const actions: Actions = {
	review: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) return read.failure;
		const input = { votingSessionId: read.votingSession.id, delegateId: read.delegate.id, selection: read.selection };
		const result = await reviewBallot(db(), input);
		if (!result.ok) return fail(castErrorStatus(result.error), { stage: 'edit' as const, message: castErrorMessage(result.error), ...echo(read.selection) });
		return { stage: 'review' as const, ...echo(read.selection) };
	},
	edit: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) return read.failure;
		return { stage: 'edit' as const, ...echo(read.selection) };
	},
	cast: async (event) => {
		const read = await readSelection(event);
		if (!read.selection) return read.failure;
		const input = { votingSessionId: read.votingSession.id, delegateId: read.delegate.id, selection: read.selection };
		const result = await castBallot(db(), input);
		if (!result.ok) return fail(castErrorStatus(result.error), { stage: 'edit' as const, message: castErrorMessage(result.error), ...echo(read.selection) });
		return {
			stage: 'receipt' as const,
			receiptCode: result.receiptCode,
			castAt: result.castAt.toISOString(),
			...echo(read.selection)
		};
	}
};
