// The key that encrypts TOTP secrets at rest, so that a dump of the database alone cannot make
// codes. It comes from PIAOJUE_TOTP_KEY (32 bytes, base64: `openssl rand -base64 32`); when that is
// unset (development, `npm start`), from the file `totp-key` in the data folder, beside the embedded
// database's credentials, generated on first use with mode 0600.
// Losing or changing the key makes enrolled authenticators unreadable: their users sign in with a
// recovery code and enrol again, or an operator runs `npm run cli -- two-factor:reset USERNAME`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultDataRoot } from '../db/embedded';

export const TOTP_KEY_FILE_NAME = 'totp-key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function decodeKey(text: string, source: string): Buffer {
	const key = Buffer.from(text.trim(), 'base64');
	if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim())) {
		throw new Error(`${source} must hold ${KEY_BYTES} bytes in base64 (make one with: openssl rand -base64 32)`);
	}
	return key;
}

/**
 * Reads the key from `env.PIAOJUE_TOTP_KEY`, else from `<data folder>/totp-key`, creating that file
 * (mode 0600) when it does not exist. Says on standard error when it generated one.
 */
export function loadTotpKey(env: NodeJS.ProcessEnv = process.env): { key: Buffer; source: string } {
	if (env.PIAOJUE_TOTP_KEY)
		return { key: decodeKey(env.PIAOJUE_TOTP_KEY, 'PIAOJUE_TOTP_KEY'), source: 'PIAOJUE_TOTP_KEY' };
	const dataRoot = env.PIAOJUE_DATA_DIR ? path.resolve(env.PIAOJUE_DATA_DIR) : defaultDataRoot();
	const file = path.join(dataRoot, TOTP_KEY_FILE_NAME);
	if (!existsSync(file)) {
		mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
		try {
			// 'wx': when two processes start at once, one writes and the other reads what it wrote.
			writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
			console.warn(
				`PIAOJUE_TOTP_KEY is unset: generated the key that encrypts two-factor secrets in ${file} (mode 0600). Set PIAOJUE_TOTP_KEY in production and keep it apart from database backups.`
			);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
	chmodSync(file, 0o600);
	return { key: decodeKey(readFileSync(file, 'utf8'), file), source: file };
}

let cachedKey: Buffer | null = null;
function totpKey(): Buffer {
	cachedKey ??= loadTotpKey().key;
	return cachedKey;
}

/** Additional data binding a ciphertext to its user: a secret copied onto another row does not decrypt. */
function associatedData(userId: number): Buffer {
	return Buffer.from(`piaojue.totp.user:${userId}`);
}

/** AES-256-GCM: IV | ciphertext | tag. */
export function encryptTotpSecret(secret: Uint8Array, userId: number, key: Buffer = totpKey()): Buffer {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(associatedData(userId));
	const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
	return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
}

/** The secret, or null when it does not decrypt (another key, another user's row, tampering). */
export function decryptTotpSecret(sealed: Buffer, userId: number, key: Buffer = totpKey()): Uint8Array | null {
	if (sealed.length <= IV_BYTES + TAG_BYTES) return null;
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
		decipher.setAAD(associatedData(userId));
		decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
		return new Uint8Array(
			Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()])
		);
	} catch {
		console.error(
			`the two-factor secret of user ${userId} does not decrypt with the current key (was PIAOJUE_TOTP_KEY changed?)`
		);
		return null;
	}
}
