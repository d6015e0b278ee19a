// `audit:verify`: walks the whole audit chain and exits 1 at the first break.
import { m } from '../src/lib/paraglide/messages';
import { parseArgs } from 'node:util';
import { verifyAuditChain, type AuditBreak } from '../src/lib/server/audit/verify';
import { UsageError, type CliCommand } from './cli-support';

const problems: Record<AuditBreak, string> = {
	hash_mismatch: "the entry's contents do not give its stored hash (it was changed after it was written)",
	link_mismatch: "the entry's previous-hash is not the hash of the entry before it",
	missing_entry: 'there is no entry with this number (an entry was deleted)',
	records_differ:
		"the entry's record of casting disagrees with the has-voted marks, receipts or ballots now held (one was added, removed or changed after it was recorded)"
};

export const auditVerifyCommand: CliCommand = {
	usage: `  audit:verify [--batch-size N]             walk the audit chain: recompute every hash, check links and numbering,
                                            and compare its record of casting with the marks, receipts and ballots;
                                            exits 1 at the first break`,
	async run(args, database) {
		const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string' } } });
		const batchSize = values['batch-size'] === undefined ? 1000 : Number(values['batch-size']);
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
			throw new UsageError(m.a11y_cli_batch_size());
		let lastReport = 0;
		const verification = await verifyAuditChain(database.sql, {
			batchSize,
			onProgress: (checked, lastSeq) => {
				// Long chains: a line every 10,000 entries (on standard error, so standard output stays the verdict).
				if (checked - lastReport >= 10_000) {
					lastReport = checked;
					console.error(m.a11y_cli_audit_progress({ checked, last: lastSeq }));
				}
			}
		});
		if (!verification.ok) {
			console.error(m.a11y_cli_audit_broken({ seq: verification.seq, problem: problems[verification.problem] }));
			if (verification.expected !== undefined)
				console.error(`  expected ${verification.expected ?? '(none)'}\n  found    ${verification.found ?? '(none)'}`);
			if (verification.differences) {
				console.error(`  voting session ${verification.votingSessionId}:`);
				for (const difference of verification.differences) console.error(`  ${difference}`);
			}
			console.error(m.a11y_cli_audit_intact({ count: verification.entriesChecked }));
			return 1;
		}
		console.log(
			verification.head
				? m.a11y_cli_audit_ok({ count: verification.entries, seq: verification.head.seq, hash: verification.head.hash })
				: m.a11y_cli_audit_empty()
		);
		return 0;
	}
};
