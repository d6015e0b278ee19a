// A guard against one known crash of postgres.js 3.4.9 (porsager/postgres#1154, #1208; fixes
// proposed in #1168, #1209, not released): when a connection's socket closes while a small write
// is queued — e.g. the ROLLBACK that `sql.begin` sends after a transaction failed because
// PostgreSQL shut down — the queued write runs on the closed socket and throws from a timer,
// where nothing can catch it, and the whole server process dies. Every app instance would crash
// at every PostgreSQL restart.
//
// The guard recognises exactly that error (a TypeError reading `write` of null, thrown in
// postgres.js's nextWrite), logs one line and lets the process go on; the query concerned has
// already failed. The connection it came from may be left unusable, so `onCrash` replaces the
// pool. Every other uncaught exception ends the process as Node does without a handler.
// Remove this guard once the installed postgres.js checks for a closed socket in nextWrite.

/** True for the TypeError postgres.js throws when it writes to a connection whose socket has closed. */
export function isDriverWriteAfterClose(error: unknown): boolean {
	if (!(error instanceof TypeError)) return false;
	const stack = error.stack ?? '';
	return (
		/Cannot read properties of null \(reading 'write'\)/.test(error.message) &&
		/nextWrite/.test(stack) &&
		/postgres[\\/]src[\\/]connection\.js/.test(stack)
	);
}

let installed = false;

export function guardAgainstDriverWriteAfterClose(
	onCrash: () => void,
	log: (line: string) => void = console.error
): void {
	if (installed) return;
	installed = true;
	process.on('uncaughtException', (error, origin) => {
		if (isDriverWriteAfterClose(error)) {
			log('database: a connection closed in the middle of a write; the query failed, the server goes on');
			onCrash();
			return;
		}
		// What Node does when nothing handles the exception: report it and exit with code 1.
		process.stderr.write(
			`${origin === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception'}: ${error instanceof Error ? error.stack : String(error)}\n`
		);
		process.exit(1);
	});
}
