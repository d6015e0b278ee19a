// The audit chain's record of casting (issue 16): digests an auditor can recompute from the
// published rule, and the comparisons audit:verify makes with them.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
	castRecord,
	checkpointDifferences,
	closingRecordDifferences,
	marksDigest,
	receiptsDigest,
	recordedCastRecord,
	recordedCounts
} from '../../src/lib/domain/cast-record';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the record of casting', () => {
	it('digests the marks as `id:channel` lines in ascending delegate id, whatever order they are read in', () => {
		const marks = [
			{ delegateId: 12, channel: 'electronic' },
			{ delegateId: 3, channel: 'paper' },
			{ delegateId: 100, channel: 'electronic' }
		];
		expect(marksDigest(marks)).toBe(sha256Hex('3:paper\n12:electronic\n100:electronic'));
		expect(marksDigest([...marks].reverse())).toBe(marksDigest(marks));
		expect(marksDigest([])).toBe(sha256Hex(''));
		// Another voter, or the same voter on another channel, gives another digest.
		expect(marksDigest([{ delegateId: 12, channel: 'paper' }])).not.toBe(
			marksDigest([{ delegateId: 12, channel: 'electronic' }])
		);
	});

	it('digests the receipts as sorted lowercase hex lines', () => {
		expect(receiptsDigest(['BB', 'aa'])).toBe(sha256Hex('aa\nbb'));
	});

	it('counts the marks by channel and the receipts', () => {
		const record = castRecord(
			[
				{ delegateId: 1, channel: 'electronic' },
				{ delegateId: 2, channel: 'paper' },
				{ delegateId: 3, channel: 'electronic' }
			],
			['aa', 'bb']
		);
		expect(record).toMatchObject({ electronicMarks: 2, paperMarks: 1, receipts: 2 });
		expect(recordedCastRecord({ ...record, ballotsCast: 3 })).toEqual(record);
		expect(recordedCounts({ electronicMarks: 2, paperMarks: 1, receipts: 2 })).toEqual({
			electronicMarks: 2,
			paperMarks: 1,
			receipts: 2
		});
		// Entries from before issue 16 carry none.
		expect(recordedCounts({ ballotsCast: 3 })).toBeNull();
		expect(recordedCastRecord({ electronicMarks: 2, paperMarks: 1, receipts: 2 })).toBeNull();
	});

	it('finds a closing record that the tables no longer give', () => {
		const recorded = castRecord([{ delegateId: 1, channel: 'electronic' }], ['aa']);
		expect(closingRecordDifferences(recorded, recorded)).toEqual([]);
		const swapped = castRecord([{ delegateId: 2, channel: 'electronic' }], ['aa']);
		expect(closingRecordDifferences(recorded, swapped)).toEqual([expect.stringContaining('marksDigest')]);
		const receiptGone = castRecord([{ delegateId: 1, channel: 'electronic' }], []);
		expect(closingRecordDifferences(recorded, receiptGone)).toEqual([
			expect.stringContaining('receipts: the closing entry records 1, the tables hold 0'),
			expect.stringContaining('receiptsDigest')
		]);
	});

	it('finds a checkpoint that counts more electronic casts or receipts than what followed it', () => {
		const earlier = { electronicMarks: 5, paperMarks: 2, receipts: 5 };
		expect(checkpointDifferences(earlier, { electronicMarks: 7, paperMarks: 0, receipts: 7 }, 'later')).toEqual([]);
		expect(checkpointDifferences(earlier, { electronicMarks: 4, paperMarks: 2, receipts: 5 }, 'later')).toEqual([
			'electronicMarks: a checkpoint records 5, later 4, fewer'
		]);
	});
});
