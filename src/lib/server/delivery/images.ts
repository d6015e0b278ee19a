// Photos of progress updates: what a file is (by its bytes, never by its name or declared type),
// its dimensions, and a copy without metadata. JPEG keeps only what decoding needs (APP0 JFIF,
// APP2 ICC profile, APP14 Adobe colour transform); every other APPn segment (EXIF with GPS
// position, XMP, camera maker notes) and comments go. PNG loses its text, EXIF and time chunks;
// WebP its EXIF and XMP chunks (and their flags). Bytes after the image's end are dropped.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { PHOTO_MAX_BYTES, PHOTO_MAX_SIDE } from '$lib/domain/delivery';

export const PHOTO_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMediaType = (typeof PHOTO_MEDIA_TYPES)[number];

export type ImageProblem = 'not_image' | 'too_large' | 'too_big_dimensions' | 'corrupt';

export interface CleanImage {
	mediaType: PhotoMediaType;
	width: number;
	height: number;
	content: Buffer;
	sha256: Buffer;
}

export type ImageCheck = { ok: true; image: CleanImage } | { ok: false; error: ImageProblem };

class Corrupt extends Error {}

function need(condition: boolean): asserts condition {
	if (!condition) throw new Corrupt();
}

// ---------------------------------------------------------------- JPEG
const JPEG_KEPT_APP: Record<number, string> = { 0xe0: 'JFIF', 0xe2: 'ICC_PROFILE', 0xee: 'Adobe' };

function startsWithText(bytes: Buffer, offset: number, text: string): boolean {
	return bytes.subarray(offset, offset + text.length).toString('latin1') === text;
}

function stripJpeg(bytes: Buffer): { width: number; height: number; content: Buffer } {
	const kept: Buffer[] = [bytes.subarray(0, 2)];
	let offset = 2;
	let width = 0;
	let height = 0;
	for (;;) {
		need(offset + 1 < bytes.length && bytes[offset] === 0xff);
		while (bytes[offset + 1] === 0xff) offset += 1; // fill bytes
		const marker = bytes[offset + 1] as number;
		if (marker === 0xd9) {
			kept.push(bytes.subarray(offset, offset + 2));
			break;
		}
		need(marker !== 0x00 && marker !== 0x01 && !(marker >= 0xd0 && marker <= 0xd8));
		need(offset + 4 <= bytes.length);
		const length = bytes.readUInt16BE(offset + 2);
		need(length >= 2 && offset + 2 + length <= bytes.length);
		const segment = bytes.subarray(offset, offset + 2 + length);
		const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isSof) {
			need(length >= 7);
			height = bytes.readUInt16BE(offset + 5);
			width = bytes.readUInt16BE(offset + 7);
		}
		const isApp = marker >= 0xe0 && marker <= 0xef;
		const keep =
			marker === 0xfe
				? false
				: isApp
					? JPEG_KEPT_APP[marker] !== undefined && startsWithText(bytes, offset + 4, JPEG_KEPT_APP[marker] as string)
					: true;
		if (keep) kept.push(segment);
		offset += 2 + length;
		if (marker === 0xda) {
			need(width > 0 && height > 0);
			// Entropy-coded data runs to the next marker that is not a stuffed byte or a restart.
			const start = offset;
			while (offset + 1 < bytes.length) {
				if (bytes[offset] === 0xff) {
					const next = bytes[offset + 1] as number;
					if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
				}
				offset += 1;
			}
			need(offset + 1 < bytes.length);
			kept.push(bytes.subarray(start, offset));
		}
	}
	need(width > 0 && height > 0);
	return { width, height, content: Buffer.concat(kept) };
}

// ---------------------------------------------------------------- PNG
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DROPPED = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(bytes: Buffer): { width: number; height: number; content: Buffer } {
	const kept: Buffer[] = [PNG_SIGNATURE];
	let offset = 8;
	let width = 0;
	let height = 0;
	let first = true;
	for (;;) {
		need(offset + 12 <= bytes.length);
		const length = bytes.readUInt32BE(offset);
		need(offset + 12 + length <= bytes.length);
		const type = bytes.subarray(offset + 4, offset + 8).toString('latin1');
		need(/^[A-Za-z]{4}$/.test(type));
		const crc = bytes.readUInt32BE(offset + 8 + length);
		need(crc32(bytes.subarray(offset + 4, offset + 8 + length)) === crc);
		if (first) {
			need(type === 'IHDR' && length === 13);
			width = bytes.readUInt32BE(offset + 8);
			height = bytes.readUInt32BE(offset + 12);
			first = false;
		}
		if (!PNG_DROPPED.has(type)) kept.push(bytes.subarray(offset, offset + 12 + length));
		offset += 12 + length;
		if (type === 'IEND') break;
	}
	need(width > 0 && height > 0);
	return { width, height, content: Buffer.concat(kept) };
}

// ---------------------------------------------------------------- WebP
const WEBP_DROPPED = new Set(['EXIF', 'XMP ']);
const VP8X_EXIF_FLAG = 0x08;
const VP8X_XMP_FLAG = 0x04;

function stripWebp(bytes: Buffer): { width: number; height: number; content: Buffer } {
	const riffSize = bytes.readUInt32LE(4);
	need(riffSize >= 4 && 8 + riffSize <= bytes.length);
	const end = 8 + riffSize;
	const kept: Buffer[] = [];
	let offset = 12;
	let width = 0;
	let height = 0;
	while (offset < end) {
		need(offset + 8 <= end);
		const type = bytes.subarray(offset, offset + 4).toString('latin1');
		const size = bytes.readUInt32LE(offset + 4);
		const padded = size + (size % 2);
		need(offset + 8 + size <= end);
		const data = bytes.subarray(offset + 8, offset + 8 + size);
		if (type === 'VP8X') {
			need(size >= 10);
			width = data.readUIntLE(4, 3) + 1;
			height = data.readUIntLE(7, 3) + 1;
		} else if (type === 'VP8 ' && width === 0) {
			need(size >= 10 && data[3] === 0x9d && data[4] === 0x01 && data[5] === 0x2a);
			width = data.readUInt16LE(6) & 0x3fff;
			height = data.readUInt16LE(8) & 0x3fff;
		} else if (type === 'VP8L' && width === 0) {
			need(size >= 5 && data[0] === 0x2f);
			const bits = data.readUInt32LE(1);
			width = (bits & 0x3fff) + 1;
			height = ((bits >>> 14) & 0x3fff) + 1;
		}
		if (!WEBP_DROPPED.has(type)) {
			const chunk = Buffer.from(bytes.subarray(offset, Math.min(offset + 8 + padded, end)));
			if (type === 'VP8X') chunk[8] = (chunk[8] as number) & ~(VP8X_EXIF_FLAG | VP8X_XMP_FLAG);
			kept.push(chunk);
		}
		offset += 8 + padded;
	}
	need(width > 0 && height > 0 && kept.length > 0);
	const body = Buffer.concat(kept);
	const header = Buffer.alloc(12);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(body.length + 4, 4);
	header.write('WEBP', 8, 'latin1');
	return { width, height, content: Buffer.concat([header, body]) };
}

/** The media type the bytes announce, if they are one of the accepted images. */
export function sniffImage(bytes: Uint8Array): PhotoMediaType | null {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (buffer.length >= 3 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff) return 'image/jpeg';
	if (buffer.length >= 8 && buffer.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
	if (buffer.length >= 12 && startsWithText(buffer, 0, 'RIFF') && startsWithText(buffer, 8, 'WEBP'))
		return 'image/webp';
	return null;
}

/** Checks an uploaded photo and returns it without metadata, or the problem in a word. */
export function cleanImage(bytes: Uint8Array): ImageCheck {
	if (bytes.byteLength > PHOTO_MAX_BYTES) return { ok: false, error: 'too_large' };
	const mediaType = sniffImage(bytes);
	if (!mediaType) return { ok: false, error: 'not_image' };
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let stripped: { width: number; height: number; content: Buffer };
	try {
		stripped =
			mediaType === 'image/jpeg' ? stripJpeg(buffer) : mediaType === 'image/png' ? stripPng(buffer) : stripWebp(buffer);
	} catch (error) {
		if (error instanceof Corrupt || error instanceof RangeError) return { ok: false, error: 'corrupt' };
		throw error;
	}
	if (stripped.width > PHOTO_MAX_SIDE || stripped.height > PHOTO_MAX_SIDE)
		return { ok: false, error: 'too_big_dimensions' };
	const content = Buffer.from(stripped.content);
	return {
		ok: true,
		image: {
			mediaType,
			width: stripped.width,
			height: stripped.height,
			content,
			sha256: createHash('sha256').update(content).digest()
		}
	};
}
