// The message of anything thrown or rejected. A promise may be rejected with `undefined` (the
// embedded PostgreSQL package does that when its server exits), a string or a plain object:
// reading `.message` of those blindly is how a failed start turned into a TypeError.

/** A one-line description of a thrown value, whatever its type. */
export function errorMessage(error: unknown): string {
	if (error instanceof Error) return error.message || error.name;
	if (error === undefined || error === null) return `rejected with ${String(error)} (no reason given)`;
	if (typeof error === 'string') return error;
	const message = (error as { message?: unknown }).message;
	if (typeof message === 'string') return message;
	try {
		return JSON.stringify(error) ?? String(error);
	} catch {
		return String(error);
	}
}

/** The `code` property of a thrown value (Node's ENOENT, PostgreSQL's SQLSTATE), if it has one. */
export function errorCode(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null | undefined)?.code;
	return typeof code === 'string' ? code : undefined;
}
