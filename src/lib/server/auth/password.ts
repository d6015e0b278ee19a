// Passwords: argon2id with OWASP's recommended parameters.
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

const ARGON2ID = 2;
const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
	decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
	return decoyHash;
}

/** A random string from an unambiguous 32-letter alphabet: 5 bits a character. */
export function randomReadableString(length: number): string {
	const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
	return [...randomBytes(length)].map((byte) => alphabet[byte >> 3]).join('');
}

/** A generated password: 20 characters (100 bits) in groups of five. */
export function generatePassword(): string {
	return randomReadableString(20).replace(/(.{5})(?!$)/g, '$1-');
}
