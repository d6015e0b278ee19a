// Shared pieces of the operator CLI, for scripts/cli.ts and the commands in scripts/cli-extra.ts.
import { usernameSchema } from '../src/lib/domain/schemas';
import type { Database } from '../src/lib/server/db/client';
import { findUserByUsername } from '../src/lib/server/users/users';
import { m } from '../src/lib/paraglide/messages';

/** Bad arguments: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export interface CliCommand {
	/** One or two lines for the usage text, indented like the others. */
	usage: string;
	/** Returns the exit code: 0 done, 1 failed. Throw UsageError for bad arguments. */
	run(args: string[], database: Database): Promise<number>;
}

/** The user named by --as, who must be active and hold `role` (every staff action is audited under a name). */
export async function actingUser(sql: Database['sql'], username: string | undefined, role: 'staff' | 'scrutineer') {
	if (!username) throw new UsageError(m.a11y_cli_needs_as({ role }));
	const parsed = usernameSchema.safeParse(username);
	const user = parsed.success ? await findUserByUsername(sql, parsed.data) : null;
	if (!user || user.disabled) throw new UsageError(m.a11y_cli_as_unknown({ username }));
	if (!user.roles.includes(role)) throw new UsageError(m.a11y_cli_as_wrong_role({ username, role }));
	return user;
}
