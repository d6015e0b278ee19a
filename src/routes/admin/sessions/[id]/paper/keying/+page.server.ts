// Paper ballots keyed twice (issue 15): a stack keyed as a grid by one person, then again, blind,
// by another (staff or the session's scrutineers); the batch goes in only when the two agree cell by cell, and then
// waits for its named scrutineers like any other batch (paper-keying.ts).
import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/auth/guard';
import { listSessionCandidates } from '$lib/server/catalog/catalog';
import { db } from '$lib/server/db';
import { paperKeyingMessages } from '$lib/server/voting/paper-messages';
import { listScrutineers } from '$lib/server/voting/paper';
import { getProcedure } from '$lib/server/voting/procedure';
import { getVotingSession } from '$lib/server/voting/sessions';
import { seesSessionScrutiny } from '$lib/server/voting/scrutiny';
import { readFormBody } from '$lib/server/form-body';
import { gridRowCount, readGridForm, trimEmptyRows, MAX_GRID_ROWS } from '$lib/domain/paper-grid';
import {
	discardKeying,
	finishSecondKeying,
	getPaperKeying,
	listPaperKeyings,
	saveFirstKeying
} from '$lib/server/voting/paper-keying';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function loadSession(params: { id: string }) {
	const id = idSchema.safeParse(params.id);
	const votingSession = id.success ? await getVotingSession(db(), id.data) : null;
	if (!votingSession) error(404, m.error_session_not_found());
	// Paper ballots are entered for votes only; an evaluation is cast electronically.
	if (votingSession.rules.ballotMethod === 'evaluation') error(409, m.evaluation_paper_unsupported());
	return { ...votingSession, rules: { ...votingSession.rules, ballotMethod: votingSession.rules.ballotMethod } };
}

export const load: PageServerLoad = async (event) => {
	const { url, params } = event;
	const user = await keyer(event);
	const votingSession = await loadSession(params);
	const open = votingSession.status === 'open';
	// The second keying of a first one (?second=<id>): by someone else, and never showing the first grid.
	const secondId = idSchema.safeParse(url.searchParams.get('second'));
	const second = secondId.success && open ? await getPaperKeying(db(), votingSession.id, secondId.data) : null;
	return {
		votingSession,
		userId: user.id,
		isStaff: user.roles.includes('staff'),
		candidates: await listSessionCandidates(db(), votingSession.id),
		scrutineers: await listScrutineers(db(), votingSession.id),
		namedScrutineers: (await getProcedure(db(), votingSession.id))?.confirmation.hasPanel ?? false,
		keyings: open ? await listPaperKeyings(db(), votingSession.id) : [],
		second,
		rows: second ? second.rowCount : gridRowCount(url.searchParams.get('rows')),
		canKey: open
	};
};

/** The session as the keying reads it: method, seats and candidates in ballot order. */
async function keyingSession(params: { id: string }) {
	const votingSession = await loadSession(params);
	const candidates = await listSessionCandidates(db(), votingSession.id);
	return {
		id: votingSession.id,
		status: votingSession.status,
		method: votingSession.rules.ballotMethod,
		seats: votingSession.rules.seats,
		candidateIds: candidates.map((candidate) => candidate.id)
	};
}

const keyingRowsSchema = z.coerce.number().int().min(1).max(MAX_GRID_ROWS);

/** The grid posted (its rows as typed, for showing back), and its ballots (empty rows at the end dropped). */
function postedGrid(form: FormData, candidateCount: number) {
	const rowCount = keyingRowsSchema.catch(1).parse(form.get('rows'));
	const typed = readGridForm(form, rowCount, candidateCount);
	return { rowCount, typed, rows: trimEmptyRows(typed) };
}

/** Who may key: staff and the session's scrutineers (its named 总监票人 and 监票人, or the global role's holders). */
async function keyer(event: Pick<RequestEvent, 'locals' | 'url' | 'params'>) {
	const user = requireUser(event.locals, event.url);
	const id = idSchema.safeParse(event.params.id);
	if (!id.success) error(404, m.error_session_not_found());
	if (!(await seesSessionScrutiny(db(), user, id.data))) error(403, m.error_forbidden());
	return user;
}

const secondKeyingForm = z.object({
	keying: idSchema,
	delegates: z.string().max(20_000).default(''),
	note: z.string().max(500).default(''),
	scrutineers: z.array(idSchema).default([]),
	issued: z.coerce.number({ error: 'attendance_error_paper_issued' }).int().min(0).max(1_000_000)
});

export const actions: Actions = {
	// The first keying of a stack's grid.
	key: async (event) => {
		const user = await keyer(event);
		const votingSession = await keyingSession(event.params);
		const form = await readFormBody(event.request);
		const grid = postedGrid(form, votingSession.candidateIds.length);
		const note = String(form.get('note') ?? '').slice(0, 500);
		const kept = { keying: { stage: 'first' as const, rows: grid.rowCount, grid: grid.typed, note } };
		const result = await saveFirstKeying(db(), votingSession, { keyedBy: user.id, rows: grid.rows, note: note.trim() });
		if (!result.ok)
			return fail(result.error === 'not_open' ? 409 : 400, { ...kept, keyingMessages: paperKeyingMessages(result) });
		return { keyingSaved: { id: result.keyingId, rows: grid.rows.length } };
	},
	// The second keying: compared with the first; agreeing, the batch goes in.
	second: async (event) => {
		const user = await keyer(event);
		const votingSession = await keyingSession(event.params);
		const form = await readFormBody(event.request);
		const grid = postedGrid(form, votingSession.candidateIds.length);
		const kept = {
			keying: {
				stage: 'second' as const,
				rows: grid.rowCount,
				grid: grid.typed,
				note: String(form.get('note') ?? ''),
				delegates: String(form.get('delegates') ?? ''),
				issued: String(form.get('issued') ?? ''),
				scrutineers: form.getAll('scrutineer').map(String)
			}
		};
		const parsed = secondKeyingForm.safeParse({
			keying: form.get('keying'),
			delegates: form.get('delegates') ?? undefined,
			note: form.get('note') ?? undefined,
			scrutineers: form.getAll('scrutineer'),
			issued: String(form.get('issued') ?? '').trim() || undefined
		});
		if (!parsed.success)
			return fail(400, {
				...kept,
				keyingMessages: parsed.error.issues.some((issue) => issue.path[0] === 'issued')
					? [m.attendance_error_paper_issued()]
					: [m.paper_error_too_long()]
			});
		const result = await finishSecondKeying(db(), votingSession, {
			keyingId: parsed.data.keying,
			keyedBy: user.id,
			rows: grid.rows,
			delegates: parsed.data.delegates,
			issuedCount: parsed.data.issued,
			scrutineerIds: parsed.data.scrutineers,
			note: parsed.data.note
		});
		if (result.ok) return { entered: { ballots: result.ballots, void: result.void } };
		const status =
			result.error === 'not_found'
				? 404
				: result.error === 'batch' && result.batchError.code === 'not_open'
					? 409
					: 400;
		return fail(status, {
			...kept,
			...(result.error === 'mismatch' ? { mismatches: result.mismatches } : {}),
			keyingMessages: paperKeyingMessages(result)
		});
	},
	discard: async (event) => {
		const user = await keyer(event);
		const votingSession = await loadSession(event.params);
		const keying = idSchema.safeParse((await readFormBody(event.request)).get('keying'));
		if (!keying.success) return fail(400, { discardMessage: m.hall_keying_gone() });
		const discarded = await discardKeying(db(), {
			votingSessionId: votingSession.id,
			keyingId: keying.data,
			actorUserId: user.id,
			isStaff: user.roles.includes('staff')
		});
		if (!discarded) return fail(404, { discardMessage: m.hall_keying_gone() });
		return { discarded: keying.data };
	}
};
