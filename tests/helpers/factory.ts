// Builders for test data, through the app's own modules where they exist.
import { randomBytes } from 'node:crypto';
import type { Sql } from '../../src/lib/server/db/client';
import type { BallotMethod, Role, ThresholdBase } from '../../src/lib/domain/types';
import { hashPassword } from '../../src/lib/server/auth/password';
import { insertUser } from '../../src/lib/server/users/users';
import { createSession } from '../../src/lib/server/auth/session';
import { applyLifecycle, enrollDelegates, insertVotingSession } from '../../src/lib/server/voting/sessions';
import {
	confirmPaperBatch,
	enterPaperBatch,
	type PaperBatchInput,
	type PaperBatchResult
} from '../../src/lib/server/voting/paper';

export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | null = null;

function unique(prefix: string): string {
	return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Users with the shared test password (hashed once per file). */
export async function createUsers(
	sql: Sql,
	count: number,
	roles: Role[],
	prefix = 'user'
): Promise<{ id: number; username: string }[]> {
	passwordHash ??= hashPassword(TEST_PASSWORD);
	const hash = await passwordHash;
	return (await sql.begin(async (tx) => {
		const users: { id: number; username: string }[] = [];
		for (let index = 0; index < count; index += 1) {
			const username = unique(prefix);
			users.push({ id: await insertUser(tx, { username, passwordHash: hash, roles }), username });
		}
		return users;
	})) as { id: number; username: string }[];
}

export async function createUser(sql: Sql, roles: Role[], prefix?: string) {
	return (await createUsers(sql, 1, roles, prefix))[0] as { id: number; username: string };
}

export async function createCandidates(sql: Sql, count: number): Promise<number[]> {
	const [category] = await sql<{ id: number }[]>`
		insert into category (name, position) values (${unique('category')}, 1) returning id`;
	const rows = await sql<{ id: number }[]>`
		insert into candidate ${sql(
			Array.from({ length: count }, (_, index) => ({
				category_id: (category as { id: number }).id,
				title: unique(`candidate ${index + 1}`),
				position: index + 1
			}))
		)} returning id`;
	return rows.map((row) => row.id);
}

/**
 * The meeting's procedure switched off (no 票决办法 adoption, review or named scrutineers needed to
 * open, no 差额 ratio to confirm; one holder of the global scrutineer role confirms): the setting a
 * place without that procedure uses, and what tests of other features open their sessions with.
 * tests/helpers/procedure.ts runs the procedure itself.
 */
export const PROCEDURE_OFF = {
	meetingName: '',
	requireAdoptedRules: false,
	requireReview: false,
	requireNamedScrutineers: false,
	minCandidateRatio: 1
} as const;

export interface TestSession {
	id: number;
	candidateIds: number[];
	delegates: { id: number; username: string }[];
}

/** A voting session with candidates and enrolled delegates, opened unless `open: false`. */
export async function createVotingSession(
	sql: Sql,
	options: {
		candidates?: number;
		seats?: number;
		delegates?: number;
		method?: BallotMethod;
		thresholdBase?: ThresholdBase;
		open?: boolean;
		/** 'default': the session's own defaults (the procedure required); PROCEDURE_OFF unless said. */
		procedure?: 'off' | 'default';
		/** Delegates checked in at the hall (签到) before opening: all unless said (the quorum needs them). */
		checkedIn?: number;
	} = {}
): Promise<TestSession> {
	const candidateIds = await createCandidates(sql, options.candidates ?? 5);
	const delegates = await createUsers(sql, options.delegates ?? 3, ['delegate'], 'delegate');
	const id = (await sql.begin(async (tx) => {
		const sessionId = await insertVotingSession(
			tx,
			{
				title: unique('session'),
				year: 2022,
				rules: {
					ballotMethod: options.method ?? 'approval',
					seats: options.seats ?? 2,
					thresholdBase: options.thresholdBase ?? 'enrolled'
				},
				candidateIds,
				...(options.procedure === 'default' ? {} : { procedure: { ...PROCEDURE_OFF } })
			},
			null
		);
		await enrollDelegates(
			tx,
			sessionId,
			delegates.map((delegate) => delegate.id),
			null
		);
		const checkedIn = delegates.slice(0, options.checkedIn ?? delegates.length).map((delegate) => delegate.id);
		await tx`update electorate_member set present = true
			where voting_session_id = ${sessionId} and delegate_id = any(${checkedIn})`;
		return sessionId;
	})) as number;
	if (options.open !== false) {
		const opened = await applyLifecycle(sql, id, 'open', null);
		if (!opened.ok) throw new Error(`could not open the test session: ${opened.error}`);
	}
	return { id, candidateIds, delegates };
}

export async function countRows(
	sql: Sql,
	votingSessionId: number
): Promise<{ marks: number; ballots: number; choices: number }> {
	const [row] = await sql<{ marks: number; ballots: number; choices: number }[]>`
		select (select count(*) from ballot_mark where voting_session_id = ${votingSessionId})::int as marks,
		       (select count(*) from ballot where voting_session_id = ${votingSessionId})::int as ballots,
		       (select count(*) from ballot_choice where voting_session_id = ${votingSessionId})::int as choices`;
	return row as { marks: number; ballots: number; choices: number };
}

/** A sign-in of the user with their password (an auth session opened so), as confirming a tally asks of a scrutineer. */
export async function passwordSignIn(sql: Sql, userId: number): Promise<string> {
	return (await createSession(sql, userId, { openedBy: 'password' })).sessionId;
}

/**
 * A paper batch entered and then confirmed by each scrutineer it names, through their own password
 * sign-in, as the hall does it: its marks and ballots then count.
 */
export async function enterConfirmedPaperBatch(sql: Sql, input: PaperBatchInput): Promise<PaperBatchResult> {
	const entered = await enterPaperBatch(sql, input);
	if (!entered.ok) return entered;
	for (const scrutineerId of input.scrutineerIds) {
		const confirmed = await confirmPaperBatch(sql, {
			batchId: entered.batchId,
			scrutineerId,
			authSessionId: await passwordSignIn(sql, scrutineerId)
		});
		if (!confirmed.ok) throw new Error(`paper batch ${entered.batchId} not confirmed: ${confirmed.error}`);
	}
	return entered;
}
