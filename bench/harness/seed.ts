// The benchmark's data, written through the app's own modules: the demo catalog and its open
// 444-delegate vote (seedDemo), delegates without passwords (insertUser), open voting sessions
// (sessions.ts) and one signed-in session per delegate (createSession: the cookie a delegate's
// browser holds after signing in; password hashing at sign-in is not what is measured).
import type { Sql } from '../../src/lib/server/db/client';
import { createSession, SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { seedDemo, isDatabaseEmpty } from '../../src/lib/server/seed/demo';
import { findUserByUsername, insertUser } from '../../src/lib/server/users/users';
import {
	applyLifecycleInTransaction,
	enrollDelegates,
	insertVotingSession
} from '../../src/lib/server/voting/sessions';

export interface SignedInUser {
	id: number;
	/** The `cookie` request header of this user's browser. */
	cookie: string;
}

export interface BenchSessions {
	/** The demo vote: 444 delegates (scenario 1). */
	storm: number;
	/** The city-scale vote (scenario 1, then published for scenarios 3 and 4). */
	bigStorm: number;
	/** The vote cast through nginx (scenario 6). */
	scaleOut: number;
	/** The vote cast while the projector streams are open (scenario 5). */
	live: number;
	/** A trial vote (试投票) before the real one, on the app and on the baseline: their code is warm when the storm comes. */
	trial: number;
	baselineTrial: number;
	scaleOutTrial: number;
	/** The same two storms against the bare baseline (scenario 7). */
	baselineStorm: number;
	baselineBigStorm: number;
}

export interface BenchData {
	staffId: number;
	scrutineerId: number;
	candidateIds: number[];
	seats: number;
	sessions: BenchSessions;
	/** The demo vote's 444 delegates, signed in. */
	demoDelegates: SignedInUser[];
	/** `bigStormSize` more delegates, signed in (the other votes enrol the first of them). */
	delegates: SignedInUser[];
}

export interface SeedSizes {
	bigStorm: number;
	trial: number;
	scaleOut: number;
	live: number;
}

/** One signed-in session per user (createSession), as the cookie header their browser sends. */
export async function signIn(sql: Sql, userIds: number[]): Promise<SignedInUser[]> {
	const signedIn: SignedInUser[] = [];
	for (let start = 0; start < userIds.length; start += 500) {
		const batch = userIds.slice(start, start + 500);
		const sessions = await Promise.all(batch.map((id) => createSession(sql, id)));
		sessions.forEach((session, index) =>
			signedIn.push({ id: batch[index] as number, cookie: `${SESSION_COOKIE}=${session.token}` })
		);
	}
	return signedIn;
}

async function openVote(
	sql: Sql,
	title: string,
	candidateIds: number[],
	seats: number,
	delegateIds: number[],
	staffId: number
): Promise<number> {
	return (await sql.begin(async (tx) => {
		const id = await insertVotingSession(
			tx,
			{
				title,
				year: 2022,
				rules: { ballotMethod: 'approval', seats, thresholdBase: 'enrolled' },
				candidateIds,
				// The benchmark measures the vote, not the meeting's procedure: a session that requires none
				// (confirmed by the standing scrutineer account, as before).
				procedure: {
					meetingName: '',
					requireAdoptedRules: false,
					requireReview: false,
					requireNamedScrutineers: false,
					minCandidateRatio: 1
				}
			},
			staffId
		);
		await enrollDelegates(tx, id, delegateIds, staffId);
		// Every benchmark delegate is checked in at the hall (only checked-in delegates can vote).
		await tx`update electorate_member set present = true where voting_session_id = ${id}`;
		const opened = await applyLifecycleInTransaction(tx, id, 'open', staffId);
		if (!opened.ok) throw new Error(`could not open ${title}: ${opened.error}`);
		return id;
	})) as number;
}

export async function seedBenchData(sql: Sql, sizes: SeedSizes, log: (line: string) => void): Promise<BenchData> {
	if (!(await isDatabaseEmpty(sql)))
		throw new Error(
			'the benchmark seeds its own data and needs an empty database (DATABASE_URL points to one that holds users or candidates)'
		);
	log('seeding the demo catalog and its 444-delegate vote (seedDemo)');
	const demo = await seedDemo(sql);
	const staff = await findUserByUsername(sql, demo.staff.username);
	const scrutineer = await findUserByUsername(sql, demo.scrutineer.username);
	if (!staff || !scrutineer) throw new Error('the demo accounts are missing');
	const candidateIds = (
		await sql<{ candidateId: number }[]>`
			select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${demo.votingSessionId} order by position`
	).map((row) => row.candidateId);
	const [rules] = await sql<{ seats: number }[]>`select seats from voting_session where id = ${demo.votingSessionId}`;
	const seats = rules?.seats ?? 10;
	// The demo checks in 430 of its 444 delegates; the storm casts for all of them: the rest arrive.
	await sql`update electorate_member set present = true where voting_session_id = ${demo.votingSessionId} and not present`;
	const demoDelegateIds = (
		await sql<{ delegateId: number }[]>`
			select delegate_id as "delegateId" from electorate_member where voting_session_id = ${demo.votingSessionId} order by delegate_id`
	).map((row) => row.delegateId);

	log(`creating ${sizes.bigStorm} delegates (insertUser, no password)`);
	const delegateIds = (await sql.begin((tx) =>
		// Issued together: postgres.js pipelines them on the transaction's connection.
		Promise.all(
			Array.from({ length: sizes.bigStorm }, (_, index) =>
				insertUser(tx, {
					username: `bench-delegate-${String(index + 1).padStart(5, '0')}`,
					displayName: `压测代表${index + 1}`,
					passwordHash: null,
					roles: ['delegate']
				})
			)
		)
	)) as number[];

	log('opening the benchmark votes');
	const sessions: BenchSessions = {
		storm: demo.votingSessionId,
		bigStorm: await openVote(sql, `压测：${sizes.bigStorm} 名代表同时投票`, candidateIds, seats, delegateIds, staff.id),
		scaleOut: await openVote(
			sql,
			'压测：两个实例同时投票',
			candidateIds,
			seats,
			delegateIds.slice(0, sizes.scaleOut),
			staff.id
		),
		live: await openVote(sql, '压测：大屏直播时投票', candidateIds, seats, delegateIds.slice(0, sizes.live), staff.id),
		trial: await openVote(sql, '压测：试投票', candidateIds, seats, delegateIds.slice(0, sizes.trial), staff.id),
		baselineTrial: await openVote(
			sql,
			'压测：基线试投票',
			candidateIds,
			seats,
			delegateIds.slice(0, sizes.trial),
			staff.id
		),
		scaleOutTrial: await openVote(
			sql,
			'压测：两个实例试投票',
			candidateIds,
			seats,
			delegateIds.slice(0, sizes.trial),
			staff.id
		),
		baselineStorm: await openVote(
			sql,
			'压测：基线 444',
			candidateIds,
			seats,
			delegateIds.slice(0, demoDelegateIds.length),
			staff.id
		),
		baselineBigStorm: await openVote(sql, `压测：基线 ${sizes.bigStorm}`, candidateIds, seats, delegateIds, staff.id)
	};

	log(`signing in ${demoDelegateIds.length + delegateIds.length} delegates (createSession)`);
	const demoDelegates = await signIn(sql, demoDelegateIds);
	const delegates = await signIn(sql, delegateIds);
	return { staffId: staff.id, scrutineerId: scrutineer.id, candidateIds, seats, sessions, demoDelegates, delegates };
}

/** `count` distinct candidates picked by a small generator from `seed`: the same seed, the same pick. */
export function pickCandidates(seed: number, count: number, candidateIds: readonly number[]): number[] {
	let state = (Math.imul(seed, 2_654_435_761) + 12_345) >>> 0;
	const pool = [...candidateIds];
	const chosen: number[] = [];
	for (let pick = 0; pick < count && pool.length > 0; pick += 1) {
		state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
		chosen.push(pool.splice(state % pool.length, 1)[0] as number);
	}
	return chosen;
}

/** A delegate's ballot: 0 to `seats` candidates, the same for the same index in every run. */
export function ballotFor(index: number, candidateIds: number[], seats: number): number[] {
	return pickCandidates(index, index % (seats + 1), candidateIds);
}
