// A receipt code proves inclusion and nothing else (issue 12, item 6): with a delegate's receipt
// code and any copy of the ballot tables (a backup file, a database reader) nobody can find that
// delegate's choices, because receipt hashes live apart from ballots with no link to them. The
// public receipts list, its count and the check of a code work as before; the receipt's time is
// rounded to the minute (issue 12, "smaller").
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot, receiptHash } from '../../src/lib/server/voting/casting';
import { isReceiptIncluded, listReceipts } from '../../src/lib/server/voting/receipts';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession } from '../helpers/factory';

const database = useTestDatabase();
let folder: string;
beforeAll(async () => {
	folder = await mkdtemp(path.join(tmpdir(), 'piaojue-receipts-'));
});
afterAll(async () => {
	await rm(folder, { recursive: true, force: true });
});

/** The lines of one table's COPY text in a backup file. */
function section(backup: string, table: string): string[] {
	const start = backup.indexOf(`@@table ${table} `);
	if (start < 0) return [];
	return backup
		.slice(backup.indexOf('\n', start) + 1, backup.indexOf('\n\\.\n', start))
		.split('\n')
		.filter(Boolean);
}

describe('receipts apart from ballots', () => {
	it('lets nobody holding the ballot tables and a receipt code read that delegate’s choices', async () => {
		const { sql } = database;
		const session = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 4 });
		const receipts: string[] = [];
		for (const [index, delegate] of session.delegates.entries()) {
			const cast = await castBallot(sql, {
				votingSessionId: session.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [session.candidateIds[index]!] }
			});
			if (!cast.ok) throw new Error('the test cast was refused');
			receipts.push(cast.receiptCode);
			// Rounded to the minute: the receipt's time does not pin the cast's audit entry.
			expect(cast.castAt.getUTCSeconds()).toBe(0);
			expect(cast.castAt.getUTCMilliseconds()).toBe(0);
		}
		const staff = await createUser(sql, ['staff']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);

		// The ballot table holds no receipt; nothing joins a receipt to a ballot.
		const columns = await sql<{ column: string }[]>`
			select column_name as column from information_schema.columns where table_name = 'ballot' order by 1`;
		expect(columns.map((row) => row.column)).not.toContain('receipt_hash');
		const receiptColumns = await sql<{ column: string }[]>`
			select column_name as column from information_schema.columns where table_name = 'ballot_receipt' order by 1`;
		expect(receiptColumns.map((row) => row.column)).toEqual(['receipt_hash', 'voting_session_id']);

		// A backup file, read as a thief with a delegate's receipt code would.
		const file = path.join(folder, 'copy.backup');
		const backup = runCli(['backup', file], {
			databaseUrl: database.url,
			env: { DATABASE_OWNER_URL: database.ownerUrl }
		});
		expect(backup.code, backup.stderr).toBe(0);
		const text = await readFile(file, 'utf8');
		const hash = receiptHash(receipts[0]!).toString('hex');
		const ballotLines = section(text, 'ballot');
		expect(ballotLines).toHaveLength(4);
		for (const line of [...ballotLines, ...section(text, 'ballot_choice')]) expect(line).not.toContain(hash);
		// The receipt is there, beside nothing but its session.
		const receiptLine = section(text, 'ballot_receipt').find((line) => line.includes(hash));
		expect(receiptLine).toBe(`\\\\x${hash}\t${session.id}`);
		for (const ballotId of ballotLines.map((line) => line.split('\t')[0]!))
			expect(section(text, 'ballot_receipt').join('\n')).not.toContain(ballotId);

		// What the receipt is for still works: inclusion, the list and its count.
		expect(await isReceiptIncluded(sql, session.id, receipts[0]!)).toBe(true);
		expect(await isReceiptIncluded(sql, session.id, 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG')).toBe(false);
		const list = await listReceipts(sql, session.id);
		expect(list?.receiptHashes).toEqual(receipts.map((code) => receiptHash(code).toString('hex')).sort());
		expect(list?.electronicBallots).toBe(4);
	});

	it('keeps receipts append-only, written only while voting is open', async () => {
		const { sql, ownerSql } = database;
		const session = await createVotingSession(sql, { delegates: 1 });
		const staff = await createUser(sql, ['staff']);
		expect((await applyLifecycle(sql, session.id, 'close', staff.id)).ok).toBe(true);
		await expect(
			sql`insert into ballot_receipt (receipt_hash, voting_session_id) values (${Buffer.alloc(32, 9)}, ${session.id})`
		).rejects.toThrow(/is not open/);
		await expect(sql`delete from ballot_receipt`).rejects.toThrow(/permission denied/);
		await expect(ownerSql`delete from ballot_receipt`).rejects.toThrow(/never changed/);
		await expect(ownerSql`truncate ballot_receipt`).rejects.toThrow(/cannot be truncated/);
	});
});
