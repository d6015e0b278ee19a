// `audit:verify`: walks the whole audit chain and exits 1 at the first break.
import { parseArgs } from 'node:util';
import { verifyAuditChain, type AuditBreak } from '../src/lib/server/audit/verify';
import { UsageError, type CliCommand } from './cli-support';

const problems: Record<AuditBreak, string> = {
	hash_mismatch: "the entry's contents do not give its stored hash (it was changed after it was written)",
	link_mismatch: "the entry's previous-hash is not the hash of the entry before it",
	missing_entry: 'there is no entry with this number (an entry was deleted)'
};

export const auditVerifyCommand: CliCommand = {
	usage: `  audit:verify [--batch-size N]             walk the audit chain: recompute every hash, check links and numbering;
                                            exits 1 at the first break`,
	async run(args, database) {
		const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string' } } });
		const batchSize = values['batch-size'] === undefined ? 1000 : Number(values['batch-size']);
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError('--batch-size must be a whole number from 1 to 100000');
		let lastReport = 0;
		const verification = await verifyAuditChain(database.sql, {
			batchSize,
			onProgress: (checked, lastSeq) => {
				// Long chains: a line every 10,000 entries (on standard error, so standard output stays the verdict).
				if (checked - lastReport >= 10_000) {
					lastReport = checked;
					console.error(`… ${checked} of ${lastSeq} entries checked`);
				}
			}
		});
		if (!verification.ok) {
			console.error(`audit chain BROKEN at seq ${verification.seq}: ${problems[verification.problem]}`);
			if (verification.expected !== undefined) console.error(`  expected ${verification.expected ?? '(none)'}\n  found    ${verification.found ?? '(none)'}`);
			console.error(`${verification.entriesChecked} entries before it are intact`);
			return 1;
		}
		console.log(
			verification.head
				? `audit chain OK: ${verification.entries} entries, head seq ${verification.head.seq} hash ${verification.head.hash}`
				: 'audit chain OK: 0 entries (the chain is empty)'
		);
		return 0;
	}
};
