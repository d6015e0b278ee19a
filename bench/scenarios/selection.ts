// Scenario 2 (public selection) and the selection half of scenario 4, run when the residents'
// selection feature exists (issue 5: src/lib/server/residents/ and /selection/[roundId]).
//
// Scenario 2: signed-in residents keep changing their choice in an open round for a fixed time,
// through the real form action (POST /selection/ID with repeated `candidate` fields; the app
// acknowledges with a 303 to /selection/ID?saved=1). Each resident has one request in flight at
// most, so afterwards every resident's supports in the database must be exactly their last
// acknowledged choice, and the maintained tally must equal the supports counted row by row.
//
// Scenario 4: a round with a million supports, written in bulk (SQL over generated residents,
// through the same triggers that keep the tally), then closed; its result is timed over HTTP.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Sql } from '../../src/lib/server/db/client';
import { insertUser } from '../../src/lib/server/users/users';
import { closeRoundNow, createRound } from '../../src/lib/server/residents/selection';
import { recordVerifiedMobiles } from '../../src/lib/server/residents/mobile-verification';
import type { Eligibility } from '../../src/lib/domain/verification';
import { keepAliveAgent, request, round, runPool, summarize, timed, type Outcome } from '../harness/http';
import { pickCandidates, signIn, type SignedInUser } from '../harness/seed';

export function selectionFeaturePresent(): { present: boolean } {
	return {
		present: existsSync('src/lib/server/residents/selection.ts') && existsSync('src/routes/selection/[roundId]')
	};
}

/** K: the most candidates a resident may support in the benchmark's rounds. */
export const MAX_SUPPORTS = 5;

export interface SelectionSetup {
	residents: SignedInUser[];
	candidateIds: number[];
	/** The round scenario 2 drives through the app, and the one the bare baseline drives. */
	roundId: number;
	baselineRoundId: number;
}

async function openRound(
	sql: Sql,
	title: string,
	candidateIds: number[],
	maxSupports: number,
	staffId: number,
	eligibility: Eligibility
): Promise<number> {
	const created = await createRound(
		sql,
		// A round created with its candidates may open at once.
		{
			title,
			opensAt: new Date(Date.now() - 60_000),
			closesAt: new Date(Date.now() + 3 * 3_600_000),
			maxSupports,
			liveRanking: true,
			eligibility,
			candidateIds
		},
		staffId
	);
	if (!created.ok) throw new Error(`could not create the selection round ${title}: ${created.problem}`);
	return created.id;
}

/** Residents (insertUser, no password), signed in, and two open rounds over every candidate. */
export async function seedSelection(
	sql: Sql,
	staffId: number,
	candidateIds: number[],
	residentCount: number,
	log: (line: string) => void
): Promise<SelectionSetup> {
	log(`creating ${residentCount} residents (insertUser, no password)`);
	const residentIds: number[] = [];
	for (let start = 0; start < residentCount; start += 5_000) {
		const batch = Array.from({ length: Math.min(5_000, residentCount - start) }, (_, index) => start + index + 1);
		const ids = (await sql.begin((tx) =>
			Promise.all(
				batch.map((number) =>
					insertUser(tx, {
						username: `bench-resident-${String(number).padStart(6, '0')}`,
						displayName: `压测居民${number}`,
						passwordHash: null,
						roles: ['resident']
					})
				)
			)
		)) as number[];
		residentIds.push(...ids);
	}
	// The rounds take phone-verified residents (the default for new rounds), as a real round would:
	// each resident's number is recorded as a right SMS code records it (encrypted, unique keyed hash).
	log(`verifying ${residentCount} residents' mobile numbers (recordVerifiedMobiles)`);
	for (let start = 0; start < residentIds.length; start += 5_000) {
		const batch = residentIds.slice(start, start + 5_000);
		await sql.begin((tx) =>
			recordVerifiedMobiles(
				tx,
				batch.map((userId, index) => ({ userId, mobile: `139${String(start + index).padStart(8, '0')}` }))
			)
		);
	}
	log(`signing in ${residentCount} residents (createSession)`);
	const residents = await signIn(sql, residentIds);
	return {
		residents,
		candidateIds,
		roundId: await openRound(sql, '压测：网上评选', candidateIds, MAX_SUPPORTS, staffId, 'phone'),
		baselineRoundId: await openRound(sql, '压测：网上评选（基线）', candidateIds, MAX_SUPPORTS, staffId, 'phone')
	};
}

export type SelectionTarget = { kind: 'app'; baseUrl: string; origin: string } | { kind: 'baseline'; baseUrl: string };

export interface SupportRun {
	outcomes: Outcome[];
	wallMs: number;
	summary: ReturnType<typeof summarize>;
	/** Supports given and withdrawn by the acknowledged requests. */
	supportsChanged: number;
	stored: { residentsChecked: number; wrong: number; tallyAgrees: boolean; supports: number; correct: boolean };
}

/** Residents in turn, each submitting a new choice of 1 to K candidates, on `concurrency` connections for `durationMs`. */
export async function runSupports(
	sql: Sql,
	target: SelectionTarget,
	roundId: number,
	setup: SelectionSetup,
	durationMs: number,
	concurrency: number
): Promise<SupportRun> {
	const agent = keepAliveAgent(concurrency);
	const { residents, candidateIds } = setup;
	const lastAcknowledged = new Map<number, number[]>();
	const previous = new Map<number, number[]>();
	let supportsChanged = 0;
	let turn = 0;
	const outcomes: Outcome[] = [];
	const startedAt = performance.now();
	const deadline = startedAt + durationMs;
	const saved = `/selection/${roundId}?saved=1`;
	const worker = async () => {
		while (performance.now() < deadline) {
			const number = turn;
			turn += 1;
			const residentIndex = number % residents.length;
			const resident = residents[residentIndex] as SignedInUser;
			const choice = pickCandidates(number, 1 + (number % MAX_SUPPORTS), candidateIds).sort((a, b) => a - b);
			const fields = new URLSearchParams(choice.map((candidateId) => ['candidate', String(candidateId)]));
			const outcome =
				target.kind === 'app'
					? await timed(
							() =>
								request(agent, target.baseUrl, `/selection/${roundId}`, {
									method: 'POST',
									body: fields.toString(),
									headers: {
										'content-type': 'application/x-www-form-urlencoded',
										accept: 'text/html,application/xhtml+xml',
										origin: target.origin,
										cookie: resident.cookie
									},
									timeoutMs: 30_000
								}),
							(response) =>
								response.status === 303 && response.headers.location === saved
									? null
									: `HTTP ${response.status} ${String(response.headers.location ?? response.body.replace(/\s+/g, ' ').slice(0, 120))}`
						)
					: await timed(
							() => {
								fields.append('round', String(roundId));
								fields.append('resident', String(resident.id));
								return request(agent, target.baseUrl, '/support', {
									method: 'POST',
									body: fields.toString(),
									headers: { 'content-type': 'application/x-www-form-urlencoded' },
									timeoutMs: 30_000
								});
							},
							(response) =>
								response.status === 200 && response.body.startsWith('saved')
									? null
									: `baseline HTTP ${response.status}: ${response.body.slice(0, 80)}`
						);
			outcomes.push(outcome);
			if (outcome.ok) {
				const before = previous.get(residentIndex) ?? [];
				supportsChanged +=
					choice.filter((id) => !before.includes(id)).length + before.filter((id) => !choice.includes(id)).length;
				previous.set(residentIndex, choice);
				lastAcknowledged.set(residentIndex, choice);
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const wallMs = performance.now() - startedAt;
	agent.destroy();

	// Every resident's supports are exactly their last acknowledged choice; the tally agrees with the rows.
	const rows = await sql<{ residentId: number; candidateIds: number[] }[]>`
		select resident_id as "residentId", array_agg(candidate_id order by candidate_id) as "candidateIds"
		from selection_support where round_id = ${roundId} group by resident_id`;
	const stored = new Map(rows.map((row) => [row.residentId, row.candidateIds.join(',')]));
	let wrong = 0;
	residents.forEach((resident, index) => {
		const expected = lastAcknowledged.get(index);
		if (expected && stored.get(resident.id) !== expected.join(',')) wrong += 1;
	});
	const [tally] = await sql<{ differing: number; supports: number }[]>`
		select count(*) filter (where coalesce(t.supports, 0) <> coalesce(s.supports, 0))::int as differing, coalesce(sum(s.supports), 0)::int as supports
		from (select candidate_id, sum(supports)::int as supports from selection_tally where round_id = ${roundId} group by candidate_id) t
		full join (select candidate_id, count(*)::int as supports from selection_support where round_id = ${roundId} group by candidate_id) s using (candidate_id)`;
	const tallyAgrees = tally?.differing === 0;
	return {
		outcomes,
		wallMs,
		summary: summarize(outcomes, wallMs),
		supportsChanged,
		stored: {
			residentsChecked: lastAcknowledged.size,
			wrong,
			tallyAgrees,
			supports: tally?.supports ?? 0,
			correct: wrong === 0 && tallyAgrees
		}
	};
}

/**
 * A closed round holding `total` supports: generated residents (SQL, in bulk) each supporting
 * `perResident` candidates, written shard by shard through the triggers that keep the tally.
 */
export async function seedBulkSupports(
	sql: Sql,
	staffId: number,
	candidateIds: number[],
	total: number,
	log: (line: string) => void
): Promise<{ roundId: number; supports: number; seedMs: number }> {
	const perResident = Math.min(20, candidateIds.length);
	const residentCount = Math.ceil(total / perResident);
	const startedAt = performance.now();
	log(
		`seeding a round with ${total.toLocaleString('en')} supports in bulk (${residentCount.toLocaleString('en')} generated residents × ${perResident})`
	);
	// Any registered resident: the generated residents are written in bulk, without verified numbers.
	const roundId = await openRound(sql, `压测：${total} 个支持`, candidateIds, perResident, staffId, 'registered');
	await sql`
		with created as (
			insert into app_user (username, display_name)
			select 'bench-bulk-' || number, '压测批量居民' || number from generate_series(1, ${residentCount}::int) as number
			returning id
		)
		insert into user_role (user_id, role) select id, 'resident' from created`;
	await sql`
		insert into selection_participant (round_id, resident_id, max_supports)
		select ${roundId}, id, 0 from app_user where username like 'bench-bulk-%'`;
	const candidateCount = candidateIds.length;
	// In 64 batches: by tally shard (each candidate's count is spread over 16 rows by resident id),
	// so that the two batches in flight never wait for each other's tally rows, and in four parts
	// per shard, so that no transaction updates one tally row thousands of times.
	const batches = Array.from({ length: 64 }, (_, index) => ({ shard: index % 16, part: Math.floor(index / 16) }));
	await runPool(batches.length, 2, async (index) => {
		const { shard, part } = batches[index] as { shard: number; part: number };
		await sql`
			insert into selection_support (round_id, resident_id, candidate_id)
			select ${roundId}, u.id, c.candidate_id
			from app_user u
			cross join generate_series(0, ${perResident - 1}::int) as pick
			join selection_round_candidate c on c.round_id = ${roundId} and c.position = 1 + ((u.id + pick) % ${candidateCount}::int)
			where u.username like 'bench-bulk-%' and u.id % 16 = ${shard} and (u.id / 16) % 4 = ${part}`;
		return { ok: true, latencyMs: 0, endedAt: 0 };
	});
	const closed = await closeRoundNow(sql, roundId, staffId);
	if (!closed.ok) throw new Error(`could not close the bulk round: ${closed.problem}`);
	const [counted] = await sql<
		{ supports: number }[]
	>`select count(*)::int as supports from selection_support where round_id = ${roundId}`;
	// As autovacuum would have by the time anyone reads the result: the bulk updates left dead tally row versions.
	await sql`vacuum analyze selection_tally, selection_participant, selection_support`;
	return { roundId, supports: counted?.supports ?? 0, seedMs: round(performance.now() - startedAt, 0) };
}
