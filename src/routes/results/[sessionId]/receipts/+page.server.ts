import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { db } from '$lib/server/db';
import { readPublicFor } from '$lib/server/db/read-routing';
import type { Sql } from '$lib/server/db/client';
import { isReceiptIncluded, listReceipts } from '$lib/server/voting/receipts';
import { getVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

async function sessionOf(params: { sessionId: string }, sql: Sql = db()) {
	const id = idSchema.safeParse(params.sessionId);
	const votingSession = id.success ? await getVotingSession(sql, id.data) : null;
	if (!votingSession) error(404, m.error_session_not_found());
	return votingSession;
}

export const load: PageServerLoad = (event) =>
	readPublicFor(event, async (sql) => {
		const votingSession = await sessionOf(event.params, sql);
		return {
			// The receipt's QR code links here with its code filled in (issue 15).
			prefilledCode: (event.url.searchParams.get('code') ?? '').slice(0, 60),
			votingSession: { id: votingSession.id, title: votingSession.title, status: votingSession.status },
			receipts: await listReceipts(sql, votingSession.id)
		};
	});

const checkForm = z.object({
	code: z
		.string()
		.trim()
		.regex(/^[A-Za-z2-9-\s]{20,60}$/, { error: 'receipt_error_format' })
});

export const actions: Actions = {
	default: async ({ params, request }) => {
		const votingSession = await sessionOf(params);
		const code = String((await readFormBody(request)).get('code') ?? '');
		const parsed = checkForm.safeParse({ code });
		if (!parsed.success) return fail(400, { code, error: m.receipt_error_format() });
		if (votingSession.status !== 'closed' && votingSession.status !== 'published')
			return fail(409, { code, error: m.receipt_error_not_closed() });
		return { code, included: await isReceiptIncluded(db(), votingSession.id, parsed.data.code) };
	}
};
