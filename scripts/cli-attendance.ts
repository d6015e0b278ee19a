// `presence:mark SESSION_ID USERNAME… [--absent] --as STAFF`: the check-in at the hall (签到) from
// the command line, all named delegates or none, each change audited under the staff member's name.
import { parseArgs } from 'node:util';
import { idSchema, usernameSchema } from '../src/lib/domain/schemas';
import { m } from '../src/lib/paraglide/messages';
import { setPresenceOfMany } from '../src/lib/server/electorate/presence';
import { getVotingSession } from '../src/lib/server/voting/sessions';
import { userIdsByUsername } from '../src/lib/server/users/users';
import { actingUser, UsageError, type CliCommand } from './cli-support';

export const presenceMarkCommand: CliCommand = {
	usage: `  presence:mark SESSION_ID USERNAME... [--absent] --as STAFF
                                            check the delegates in at the hall (签到), or undo it with
                                            --absent; all or none, audited`,
	async run(args, database) {
		const sql = database.sql;
		const { values, positionals } = parseArgs({
			args,
			allowPositionals: true,
			options: { as: { type: 'string' }, absent: { type: 'boolean' } }
		});
		const sessionId = idSchema.safeParse(positionals[0]);
		if (!sessionId.success) throw new UsageError(m.a11y_cli_needs_session_id({ command: 'presence:mark' }));
		const usernames = positionals.slice(1);
		if (usernames.length === 0) throw new UsageError(m.attendance_cli_needs_usernames());
		for (const name of usernames) {
			if (!usernameSchema.safeParse(name).success) throw new UsageError(m.attendance_cli_unknown({ usernames: name }));
		}
		const staff = await actingUser(sql, values.as, 'staff');
		const ids = await userIdsByUsername(sql, usernames);
		const unknown = usernames.filter((name) => !ids.has(name.toLowerCase()));
		if (unknown.length) {
			console.error(m.attendance_cli_unknown({ usernames: unknown.join(', ') }));
			return 1;
		}
		const present = !values.absent;
		const result = await setPresenceOfMany(sql, {
			votingSessionId: sessionId.data,
			delegateIds: [...new Set(ids.values())],
			present,
			actorUserId: staff.id,
			method: 'cli'
		});
		if (!result.ok) {
			const reason =
				result.error === 'not_found'
					? m.a11y_cli_no_session()
					: result.error === 'wrong_status'
						? m.attendance_cli_closed()
						: result.error === 'has_voted'
							? m.attendance_cli_has_voted({ username: result.delegate ?? '' })
							: m.attendance_cli_not_enrolled({
									username: usernames.find((name) => ids.get(name.toLowerCase()) === result.delegateId) ?? ''
								});
			console.error(m.attendance_cli_failed({ reason }));
			return 1;
		}
		const votingSession = await getVotingSession(sql, sessionId.data);
		console.log(
			m.attendance_cli_marked({
				id: sessionId.data,
				count: result.delegates.length,
				state: present ? m.attendance_cli_state_present() : m.attendance_cli_state_absent(),
				present: votingSession?.present ?? 0,
				enrolled: votingSession?.enrolled ?? 0
			})
		);
		return 0;
	}
};
