import { error, json } from '@sveltejs/kit';
import { idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { readPublicFor } from '$lib/server/db/read-routing';
import { listReceipts } from '$lib/server/voting/receipts';
import type { RequestHandler } from './$types';

/** After closing: the sorted receipt hashes of the electronic ballots, with the counts. */
export const GET: RequestHandler = async (event) => {
	const id = idSchema.safeParse(event.params.id);
	const receipts = id.success ? await readPublicFor(event, (sql) => listReceipts(sql, id.data)) : null;
	if (!receipts) error(404, m.receipt_error_not_closed());
	return json({ ...receipts, count: receipts.receiptHashes.length });
};
