// Expired sign-in sessions are removed by the periodic job every instance runs, not only refused
// when presented: an auditor reading auth_session sees only sessions that could still be used.
import { describe, expect, it } from 'vitest';
import { createSession, INACTIVITY_TIMEOUT_SECONDS, validateSessionToken } from '../../src/lib/server/auth/session';
import { startSessionHousekeeping } from '../../src/lib/server/auth/session-housekeeping';
import { useTestDatabase } from '../helpers/suite';
import { createUser } from '../helpers/factory';

const database = useTestDatabase();

describe('session housekeeping', () => {
	it('removes sessions idle past the timeout and keeps the others', async () => {
		const user = await createUser(database.sql, ['resident'], 'sleeper');
		const idle = await createSession(database.sql, user.id, { openedBy: 'password' });
		const active = await createSession(database.sql, user.id, { openedBy: 'password' });
		await database.ownerSql`
			update auth_session set last_verified_at = now() - make_interval(secs => ${INACTIVITY_TIMEOUT_SECONDS + 60})
			where id = ${idle.sessionId}`;
		const lines: string[] = [];
		const stop = startSessionHousekeeping(database.sql, 50, (line) => lines.push(line));
		try {
			await expect
				.poll(
					async () =>
						(await database.sql<{ id: string }[]>`select id from auth_session where user_id = ${user.id}`).map(
							(row) => row.id
						),
					{ timeout: 10_000, interval: 50 }
				)
				.toEqual([active.sessionId]);
		} finally {
			stop();
		}
		expect(lines).toContain('removed 1 expired sign-in sessions');
		expect(await validateSessionToken(database.sql, active.token)).not.toBeNull();
	});
});
