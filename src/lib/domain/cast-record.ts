// The record of casting that the audit chain keeps (issue 16, docs/decisions/0005-audit-chain.md).
// A cast writes no audit entry: the has-voted marks, the ballots and the receipts are the record
// of casting. The chain holds checkpoints of them: counts at opening and at intervals while voting,
// and in the closing entry the counts with digests of the marks and the receipts (beside the
// ballots' digest the tally already carried). After closing, any change to a mark, a receipt or a
// ballot makes the tables disagree with the closing entry, which the chain's hashes protect.
//
// While voting, checkpoints carry counts only: a digest of the marks at each interval would let
// anyone holding the marks recover who voted in a quiet interval by trying each candidate set,
// and a digest of the ballots would do the same for ballot contents: together, a link between a
// delegate and a ballot. The closing digests cover complete sets that are published anyway.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';

/** The counts a checkpoint records (an interval checkpoint holds only these). */
export interface CastCounts {
	/** Has-voted marks of ballots cast electronically (each has its ballot and its receipt). */
	electronicMarks: number;
	/** Has-voted marks of paper batches, counted or awaiting their scrutineers. */
	paperMarks: number;
	/** Receipt hashes (one per electronic ballot). */
	receipts: number;
}

/** What the opening and closing entries record: the counts and digests of the marks and the receipts. */
export interface CastRecord extends CastCounts {
	marksDigest: string;
	receiptsDigest: string;
}

export interface Mark {
	delegateId: number;
	channel: string;
}

function digest(lines: string[]): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(lines.join('\n'))));
}

/**
 * SHA-256 (hex) of the marks as lines `delegateId:channel`, in ascending delegate id, joined by a
 * line feed (no line feed at the end; the empty set digests the empty string).
 */
export function marksDigest(marks: readonly Mark[]): string {
	return digest(
		[...marks].sort((a, b) => a.delegateId - b.delegateId).map((mark) => `${mark.delegateId}:${mark.channel}`)
	);
}

/** SHA-256 (hex) of the receipt hashes in lowercase hex, sorted, joined by a line feed. */
export function receiptsDigest(receiptHashesHex: readonly string[]): string {
	return digest(receiptHashesHex.map((hash) => hash.toLowerCase()).sort());
}

export function castRecord(marks: readonly Mark[], receiptHashesHex: readonly string[]): CastRecord {
	const paperMarks = marks.filter((mark) => mark.channel === 'paper').length;
	return {
		electronicMarks: marks.length - paperMarks,
		paperMarks,
		receipts: receiptHashesHex.length,
		marksDigest: marksDigest(marks),
		receiptsDigest: receiptsDigest(receiptHashesHex)
	};
}

const COUNT_FIELDS = ['electronicMarks', 'paperMarks', 'receipts'] as const;
const DIGEST_FIELDS = ['marksDigest', 'receiptsDigest'] as const;

/** The checkpoint counts an audit entry's details carry, or null when it carries none (entries before issue 16). */
export function recordedCounts(details: Record<string, unknown>): CastCounts | null {
	if (!COUNT_FIELDS.every((field) => typeof details[field] === 'number')) return null;
	return {
		electronicMarks: details.electronicMarks as number,
		paperMarks: details.paperMarks as number,
		receipts: details.receipts as number
	};
}

/** The full record an opening or closing entry carries, or null when it carries none. */
export function recordedCastRecord(details: Record<string, unknown>): CastRecord | null {
	const counts = recordedCounts(details);
	if (!counts || !DIGEST_FIELDS.every((field) => typeof details[field] === 'string')) return null;
	return { ...counts, marksDigest: details.marksDigest as string, receiptsDigest: details.receiptsDigest as string };
}

/**
 * How the tables differ from a closing record: after closing nothing is cast, so the marks, the
 * receipts and their digests must be exactly those recorded.
 */
export function closingRecordDifferences(recorded: CastRecord, current: CastRecord): string[] {
	const differences: string[] = [];
	for (const field of COUNT_FIELDS) {
		if (recorded[field] !== current[field])
			differences.push(`${field}: the closing entry records ${recorded[field]}, the tables hold ${current[field]}`);
	}
	for (const field of DIGEST_FIELDS) {
		if (recorded[field] !== current[field])
			differences.push(`${field}: the closing entry records ${recorded[field]}, the tables give ${current[field]}`);
	}
	return differences;
}

/**
 * How a checkpoint taken while voting differs from a later state (the next checkpoint, or the
 * tables now): electronic marks and receipts are never removed, so they can only have grown.
 * (Paper marks may go: a batch its scrutineers refuse takes its marks with it.)
 */
export function checkpointDifferences(earlier: CastCounts, later: CastCounts, laterName: string): string[] {
	const differences: string[] = [];
	for (const field of ['electronicMarks', 'receipts'] as const) {
		if (later[field] < earlier[field])
			differences.push(`${field}: a checkpoint records ${earlier[field]}, ${laterName} ${later[field]}, fewer`);
	}
	return differences;
}
