// One paper batch: its status and, for the scrutineers it names while it is pending, the delegates
// and ballots as entered, to compare with the paper before confirming it (or refusing it).
import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { formatPaperBallot } from '$lib/domain/paper';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import type { SessionUser } from '$lib/server/auth/session';
import { isPersonalSignIn } from '$lib/server/auth/session';
import { sessionCandidateIds, getVotingSession } from '$lib/server/voting/sessions';
import { db } from '$lib/server/db';
import { readFormBody } from '$lib/server/form-body';
import {
	confirmPaperBatch,
	getPaperBatch,
	pendingBatchContent,
	rejectPaperBatch,
	type BatchDecisionError
} from '$lib/server/voting/paper';
import { seesSessionScrutiny } from '$lib/server/voting/scrutiny';
import type { Actions, PageServerLoad } from './$types';

/**
 * The batch, for staff and the session's scrutineers (its named 总监票人 and 监票人, who need no
 * role beyond delegate, or the global role's holders); 403 for anyone else.
 */
async function readBatch(user: SessionUser, params: { id: string; batchId: string }) {
	const sessionId = idSchema.safeParse(params.id);
	const batchId = idSchema.safeParse(params.batchId);
	if (sessionId.success && !(await seesSessionScrutiny(db(), user, sessionId.data))) error(403, m.error_forbidden());
	const batch = sessionId.success && batchId.success ? await getPaperBatch(db(), sessionId.data, batchId.data) : null;
	if (!batch) error(404, m.trust_batch_not_found());
	return batch;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireUser(locals, url);
	const batch = await readBatch(user, params);
	const votingSession = await getVotingSession(db(), batch.votingSessionId);
	if (!votingSession) error(404, m.error_session_not_found());
	const named = batch.scrutineers.find((scrutineer) => scrutineer.id === user.id);
	// The content is for the scrutineers the batch names, who check it against the paper.
	const content = named && batch.status === 'pending' ? await pendingBatchContent(db(), batch.id) : null;
	const candidateIds = content ? await sessionCandidateIds(db(), batch.votingSessionId) : [];
	return {
		votingSession: { id: votingSession.id, title: votingSession.title, status: votingSession.status },
		batch,
		content: content && {
			delegates: content.delegates,
			lines: content.ballots.map((ballot) => formatPaperBallot(votingSession.rules.ballotMethod, candidateIds, ballot))
		},
		canConfirm: batch.status === 'pending' && !!named && named.confirmedAt === null,
		canReject: batch.status === 'pending' && (!!named || user.roles.includes('staff')),
		personalSignIn: locals.session !== null && isPersonalSignIn(locals.session, user)
	};
};

const decisionMessages: Record<BatchDecisionError, () => string> = {
	not_found: m.trust_batch_not_found,
	not_pending: m.trust_batch_not_pending,
	not_named: m.trust_batch_not_named,
	already_confirmed: m.trust_batch_already_confirmed,
	sign_in_again: m.trust_sign_in_again
};

const confirmForm = z.object({ confirm: z.literal('yes') });
const rejectForm = z.object({ reason: z.string().trim().min(1).max(500) });

export const actions: Actions = {
	confirm: async ({ locals, url, params, request }) => {
		const scrutineer = requireUser(locals, url);
		const batch = await readBatch(scrutineer, params);
		if (!confirmForm.safeParse(Object.fromEntries(await readFormBody(request))).success)
			return fail(400, { action: 'confirm' as const, message: m.error_confirm_required(), reason: '' });
		const result = await confirmPaperBatch(db(), {
			batchId: batch.id,
			scrutineerId: scrutineer.id,
			authSessionId: locals.session?.id ?? ''
		});
		if (!result.ok)
			return fail(409, { action: 'confirm' as const, message: decisionMessages[result.error](), reason: '' });
		return { action: 'confirm' as const, done: true, counted: result.status === 'counted' };
	},
	reject: async ({ locals, url, params, request }) => {
		const user = requireUser(locals, url);
		const batch = await readBatch(user, params);
		const form = Object.fromEntries(await readFormBody(request));
		const reason = typeof form.reason === 'string' ? form.reason : '';
		const parsed = rejectForm.safeParse(form);
		if (!parsed.success)
			return fail(400, { action: 'reject' as const, message: m.trust_batch_reason_required(), reason });
		const result = await rejectPaperBatch(db(), {
			batchId: batch.id,
			userId: user.id,
			authSessionId: locals.session?.id ?? '',
			reason: parsed.data.reason
		});
		if (!result.ok) return fail(409, { action: 'reject' as const, message: decisionMessages[result.error](), reason });
		return { action: 'reject' as const, done: true, counted: false };
	}
};
