// The server's log (issue 18): one JSON object per line on standard output (pino), with the
// request id of the request it belongs to. What a line may hold is decided where it is written:
// routes by their id (/vote/[sessionId], never the path or query, which may carry an access code),
// status, duration, error codes. Never a form field, a cookie, a name, a user id or ballot content
// (tests/integration/secrecy.test.ts reads the whole log of a vote).
import pino from 'pino';

export const log = pino({
	level: process.env.LOG_LEVEL ?? 'info',
	base: { pid: process.pid },
	timestamp: pino.stdTimeFunctions.isoTime,
	formatters: { level: (label) => ({ level: label }) }
});

/** A request id: the one nginx passes in X-Request-Id when it looks like one, else a new one. */
export function requestIdFrom(header: string | null): string {
	return header && /^[0-9A-Za-z-]{8,64}$/.test(header) ? header : crypto.randomUUID();
}
