// Telling "the database cannot be reached" apart from every other failure: PostgreSQL stopped or
// restarting, the network between app and database cut, the connection dropped mid-query. Such a
// request is answered 503 (try again shortly), not 500 (a bug), and is logged as one short line.

/** Errors of the socket or of postgres.js's connection handling. */
const CONNECTION_ERROR_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'EHOSTDOWN',
	'ENETUNREACH',
	'ENETDOWN',
	'ENOTFOUND',
	'EAI_AGAIN',
	'CONNECTION_CLOSED',
	'CONNECTION_ENDED',
	'CONNECTION_DESTROYED',
	'CONNECT_TIMEOUT'
]);

/**
 * SQLSTATEs that mean the server is going away or not yet there: admin_shutdown, crash_shutdown,
 * cannot_connect_now (starting up or shutting down), too_many_connections. Class 08 (connection
 * exception) is matched as a whole.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** How long a client should wait before trying again (the Retry-After header, in seconds). */
export const RETRY_AFTER_SECONDS = 10;

function codeOf(error: unknown): string | null {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : null;
}

/** The connection-level code of an error, looking into its causes and (for AggregateError) its parts. */
function unavailableCode(error: unknown, depth = 0): string | null {
	if (error === null || typeof error !== 'object' || depth > 5) return null;
	const code = codeOf(error);
	if (code && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
		return code;
	const parts = (error as { errors?: unknown }).errors;
	for (const part of Array.isArray(parts) ? parts : []) {
		const found = unavailableCode(part, depth + 1);
		if (found) return found;
	}
	return unavailableCode((error as { cause?: unknown }).cause, depth + 1);
}

/** True when the error says the database cannot be reached right now (as opposed to a bug or a refused query). */
export function isDatabaseUnavailable(error: unknown): boolean {
	return unavailableCode(error) !== null;
}

/** A short, secret-free description for the log: the code only (e.g. ECONNREFUSED, 57P01), never the message. */
export function describeDatabaseUnavailable(error: unknown): string {
	return unavailableCode(error) ?? 'unknown';
}

/**
 * Logs a line, but at most one per `quietMs` with the number left out meanwhile, so that a hall
 * of delegates pressing reload during an outage does not flood the log.
 */
export function createOutageLog<Context extends unknown[] = []>(
	write: (line: string, ...context: Context) => void,
	quietMs = 10_000,
	now: () => number = Date.now
) {
	let lastLoggedAt = -Infinity;
	let suppressed = 0;
	return (line: string, ...context: Context) => {
		const at = now();
		if (at - lastLoggedAt < quietMs) {
			suppressed += 1;
			return;
		}
		write(suppressed > 0 ? `${line} (and ${suppressed} more like it since the last line)` : line, ...context);
		lastLoggedAt = at;
		suppressed = 0;
	};
}
