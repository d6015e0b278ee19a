// Shared pieces of the operator CLI, for scripts/cli.ts and the commands in scripts/cli-extra.ts.
import type { Database } from '../src/lib/server/db/client';

/** Bad arguments: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export interface CliCommand {
	/** One or two lines for the usage text, indented like the others. */
	usage: string;
	/** Returns the exit code: 0 done, 1 failed. Throw UsageError for bad arguments. */
	run(args: string[], database: Database): Promise<number>;
}
