// `two-factor:reset USERNAME --as STAFF`: removes a user's authenticator and recovery codes (a lost
// phone and lost codes), ends their sessions, and records who did it in the audit chain.
import { m } from '../src/lib/paraglide/messages';
import { parseArgs } from 'node:util';
import { usernameSchema } from '../src/lib/domain/schemas';
import { resetTwoFactor } from '../src/lib/server/auth/two-factor';
import { findUserByUsername } from '../src/lib/server/users/users';
import { actingUser, UsageError, type CliCommand } from './cli-support';

export const twoFactorResetCommand: CliCommand = {
	usage: `  two-factor:reset USERNAME --as STAFF      remove the user's two-factor authenticator and recovery codes and end
                                            their sessions (they sign in with the password and enrol again)`,
	async run(args, database) {
		const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } });
		const parsed = usernameSchema.safeParse(positionals[0] ?? '');
		if (!parsed.success || positionals.length !== 1)
			throw new UsageError(m.a11y_cli_needs_one_username({ command: 'two-factor:reset' }));
		const staff = await actingUser(database.sql, values.as, 'staff');
		const user = await findUserByUsername(database.sql, parsed.data);
		if (!user) {
			console.error(m.a11y_cli_no_user({ username: parsed.data }));
			return 1;
		}
		if (!(await resetTwoFactor(database.sql, { userId: user.id, username: user.username, actorUserId: staff.id }))) {
			console.error(m.a11y_cli_no_two_factor({ username: user.username }));
			return 1;
		}
		console.log(m.a11y_cli_two_factor_removed({ username: user.username }));
		return 0;
	}
};
