/** Every database of one test run starts with this prefix (the run's main process id). */
export function runPrefix(pid: number): string {
	return `piaojue_t${pid}`;
}

/** The same server, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
	const url = new URL(serverUrl);
	url.pathname = `/${database}`;
	return url.toString();
}
