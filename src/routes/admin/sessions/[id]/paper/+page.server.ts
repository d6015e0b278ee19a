import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { readDelegateReferences, readPaperBallots } from '$lib/domain/paper';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { listSessionCandidates } from '$lib/server/catalog/catalog';
import { db } from '$lib/server/db';
import { paperBatchErrorMessage, paperLineProblemMessage } from '$lib/server/voting/paper-messages';
import { enterPaperBatch, listPaperBatches, listScrutineers } from '$lib/server/voting/paper';
import { getVotingSession } from '$lib/server/voting/sessions';
import { getProcedure } from '$lib/server/voting/procedure';
import { seesSessionScrutiny } from '$lib/server/voting/scrutiny';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

async function loadSession(params: { id: string }) {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession) error(404, m.error_session_not_found());
	// Paper ballots are entered for votes only; an evaluation is cast electronically.
	if (votingSession.rules.ballotMethod === 'evaluation') error(409, m.evaluation_paper_unsupported());
	return { ...votingSession, rules: { ...votingSession.rules, ballotMethod: votingSession.rules.ballotMethod } };
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	// Staff and the session's scrutineers (its named 总监票人 and 监票人, or the global role's holders).
	const user = requireUser(locals, url);
	const votingSession = await loadSession(params);
	if (!(await seesSessionScrutiny(db(), user, votingSession.id))) error(403, m.error_forbidden());
	return {
		votingSession,
		candidates: await listSessionCandidates(db(), votingSession.id),
		batches: await listPaperBatches(db(), votingSession.id),
		scrutineers: await listScrutineers(db(), votingSession.id),
		namedScrutineers: (await getProcedure(db(), votingSession.id))?.confirmation.hasPanel ?? false,
		canEnter: user.roles.includes('staff') && votingSession.status === 'open'
	};
};

const batchForm = z.object({
	delegates: z.string().max(20_000).default(''),
	ballots: z.string().max(200_000).default(''),
	note: z.string().max(500).default(''),
	scrutineers: z.array(idSchema).default([]),
	issued: z.coerce.number({ error: 'attendance_error_paper_issued' }).int().min(0).max(1_000_000)
});

export const actions: Actions = {
	default: async ({ locals, url, params, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const votingSession = await loadSession(params);
		const form = await readFormBody(request);
		const parsed = batchForm.safeParse({
			delegates: form.get('delegates') ?? undefined,
			ballots: form.get('ballots') ?? undefined,
			note: form.get('note') ?? undefined,
			scrutineers: form.getAll('scrutineer'),
			issued: String(form.get('issued') ?? '').trim() || undefined
		});
		const kept = {
			issued: String(form.get('issued') ?? ''),
			delegates: String(form.get('delegates') ?? ''),
			ballots: String(form.get('ballots') ?? ''),
			note: String(form.get('note') ?? ''),
			scrutineers: form.getAll('scrutineer').map(String)
		};
		if (!parsed.success) {
			const issuedWrong = parsed.error.issues.some((issue) => issue.path[0] === 'issued');
			const tooLong = parsed.error.issues.some((issue) => issue.path[0] !== 'issued');
			return fail(400, {
				...kept,
				messages: [
					...(tooLong ? [m.paper_error_too_long()] : []),
					...(issuedWrong ? [m.attendance_error_paper_issued()] : [])
				]
			});
		}
		const candidateIds = (await listSessionCandidates(db(), votingSession.id)).map((candidate) => candidate.id);
		const reading = readPaperBallots(
			votingSession.rules.ballotMethod,
			votingSession.rules.seats,
			candidateIds,
			parsed.data.ballots
		);
		if (!reading.ok) return fail(400, { ...kept, messages: reading.problems.map(paperLineProblemMessage) });
		const result = await enterPaperBatch(db(), {
			votingSessionId: votingSession.id,
			enteredBy: staff.id,
			delegateReferences: readDelegateReferences(parsed.data.delegates),
			ballots: reading.ballots,
			scrutineerIds: parsed.data.scrutineers,
			note: parsed.data.note.trim(),
			issuedCount: parsed.data.issued
		});
		if (!result.ok)
			return fail(result.error.code === 'not_open' ? 409 : 400, {
				...kept,
				messages: [paperBatchErrorMessage(result.error)]
			});
		return { entered: { ballots: result.ballots, void: result.void } };
	}
};
