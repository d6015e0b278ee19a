// Builders for the satisfaction evaluation: a year's livelihood projects made the real way (a vote
// cast, counted, confirmed and published) and an evaluation of them through the app's modules.
import { expect } from 'vitest';
import type { EvaluationChoice } from '../../src/lib/domain/types';
import type { Sql } from '../../src/lib/server/db/client';
import { projectCandidateIds, readEvaluationForm } from '../../src/lib/server/evaluation/evaluations';
import { castBallot } from '../../src/lib/server/voting/casting';
import {
	applyLifecycle,
	confirmTally,
	enrollDelegates,
	insertVotingSession
} from '../../src/lib/server/voting/sessions';
import { createUsers, createVotingSession, passwordSignIn } from './factory';

type Person = { id: number; username: string };
let nextYear = 2030 + (Number(process.env.VITEST_POOL_ID ?? 0) % 10) * 6;

export async function closeConfirmPublish(
	sql: Sql,
	votingSessionId: number,
	staff: Person,
	scrutineer: Person
): Promise<void> {
	expect(await applyLifecycle(sql, votingSessionId, 'close', staff.id)).toMatchObject({ ok: true });
	expect(await confirmTally(sql, votingSessionId, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
		ok: true
	});
	expect(await applyLifecycle(sql, votingSessionId, 'publish', staff.id)).toMatchObject({ ok: true });
}

/** A fresh year with `projects` livelihood projects, from a published vote; their candidate ids in ballot order. */
export async function yearWithProjects(
	sql: Sql,
	projects: number,
	staff: Person,
	scrutineer: Person
): Promise<{ year: number; projectIds: number[] }> {
	const year = nextYear++;
	const vote = await createVotingSession(sql, { candidates: projects + 1, seats: projects, delegates: 1, open: false });
	await sql`update voting_session set year = ${year} where id = ${vote.id}`;
	expect(await applyLifecycle(sql, vote.id, 'open', staff.id)).toMatchObject({ ok: true });
	const chosen = vote.candidateIds.slice(0, projects);
	expect(
		(
			await castBallot(sql, {
				votingSessionId: vote.id,
				delegateId: vote.delegates[0]!.id,
				selection: { method: 'approval', candidateIds: chosen }
			})
		).ok
	).toBe(true);
	await closeConfirmPublish(sql, vote.id, staff, scrutineer);
	const projectIds = await projectCandidateIds(sql, year);
	expect([...projectIds].sort((a, b) => a - b)).toEqual([...chosen].sort((a, b) => a - b));
	return { year, projectIds };
}

/** An evaluation of the year's projects with `delegates` new delegates enrolled, opened unless `open: false`. */
export async function createEvaluation(
	sql: Sql,
	year: number,
	staff: Person,
	options: { allowAbstain?: boolean; delegates?: number; open?: boolean } = {}
): Promise<{ id: number; delegates: Person[] }> {
	const read = await readEvaluationForm(sql, {
		title: `测评 ${year}`,
		year: String(year),
		allowAbstain: options.allowAbstain ? 'yes' : '',
		opensAt: '',
		closesAt: ''
	});
	if (!read.ok) throw new Error(JSON.stringify(read.errors));
	// Only these delegates (not the whole roster of the test database), all checked in at the hall.
	const id = (await sql.begin((tx) => insertVotingSession(tx, read.session, staff.id))) as number;
	const delegates = await createUsers(sql, options.delegates ?? 4, ['delegate'], 'evaluator');
	await sql.begin(async (tx) => {
		await enrollDelegates(
			tx,
			id,
			delegates.map((delegate) => delegate.id),
			staff.id
		);
		await tx`update electorate_member set present = true where voting_session_id = ${id}`;
	});
	if (options.open !== false) expect(await applyLifecycle(sql, id, 'open', staff.id)).toMatchObject({ ok: true });
	return { id, delegates };
}

export function evaluate(
	sql: Sql,
	votingSessionId: number,
	delegateId: number,
	choices: Record<number, EvaluationChoice>
) {
	return castBallot(sql, { votingSessionId, delegateId, selection: { method: 'evaluation', choices } });
}
