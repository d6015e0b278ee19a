// Residents' mobile numbers at rest, sealed as the two-factor secrets are (src/lib/server/auth/totp-key.ts):
// AES-256-GCM under a key the application holds (PIAOJUE_TOTP_KEY, or the generated key file), the
// ciphertext bound to its user id, so a database dump alone reveals no number. Uniqueness needs a
// stable value: a keyed hash (HMAC-SHA-256), which cannot be reversed by trying the 10^10 possible
// numbers without the key. SMS codes are kept the same way, as a keyed hash.
// Each use has its own key, derived from the one application key (HKDF-SHA-256, a label per use).
import { log } from '../observability/log';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { loadTotpKey } from '../auth/totp-key';

const IV_BYTES = 12;
const TAG_BYTES = 16;

type KeyUse = 'mobile-encryption' | 'mobile-hash' | 'sms-code-hash' | 'altcha-signature';

let masterKey: Buffer | null = null;
const derived = new Map<KeyUse, Buffer>();

/** The key for one use, derived from the application key (cached). */
function keyFor(use: KeyUse): Buffer {
	let key = derived.get(use);
	if (!key) {
		masterKey ??= loadTotpKey().key;
		key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `piaojue.residents.${use}`, 32));
		derived.set(use, key);
	}
	return key;
}

function associatedData(userId: number): Buffer {
	return Buffer.from(`piaojue.mobile.user:${userId}`);
}

/** AES-256-GCM of the number: IV | ciphertext | tag. */
export function sealMobile(mobile: string, userId: number): Buffer {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', keyFor('mobile-encryption'), iv);
	cipher.setAAD(associatedData(userId));
	return Buffer.concat([iv, cipher.update(mobile, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

/** The number, or null when it does not open (another key, another user's row, tampering). */
export function openMobile(sealed: Buffer, userId: number): string | null {
	if (sealed.length <= IV_BYTES + TAG_BYTES) return null;
	try {
		const decipher = createDecipheriv('aes-256-gcm', keyFor('mobile-encryption'), sealed.subarray(0, IV_BYTES));
		decipher.setAAD(associatedData(userId));
		decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
		return Buffer.concat([
			decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
			decipher.final()
		]).toString('utf8');
	} catch {
		log.error(
			`the mobile number of user ${userId} does not decrypt with the current key (was PIAOJUE_TOTP_KEY changed?)`
		);
		return null;
	}
}

/** The keyed hash that makes a number unique across residents. */
export function mobileHash(mobile: string): Buffer {
	return createHmac('sha256', keyFor('mobile-hash')).update(mobile).digest();
}

/** The keyed hash of an SMS code, bound to the resident and the number it was sent to. */
export function smsCodeHash(code: string, userId: number, mobile: string): Buffer {
	return createHmac('sha256', keyFor('sms-code-hash')).update(`${userId}\n${mobile}\n${code}`).digest();
}

/** The secret that signs proof-of-work challenges (hex), so any instance can check what another issued. */
export function altchaSignatureSecret(): string {
	return keyFor('altcha-signature').toString('hex');
}

export function sameHash(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}
