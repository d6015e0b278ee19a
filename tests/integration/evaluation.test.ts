// The satisfaction evaluation (满意度测评) end to end against real PostgreSQL and the built server:
// a published vote's projects are evaluated through the vote's own casting path; the grade rule
// at its edges; what the database refuses; publication and exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEvaluationTally } from '../../src/lib/domain/tally';
import type { EvaluationTally } from '../../src/lib/domain/satisfaction';
import type { EvaluationChoice } from '../../src/lib/domain/types';
import type { Sql } from '../../src/lib/server/db/client';
import { projectCandidateIds, readEvaluationForm } from '../../src/lib/server/evaluation/evaluations';
import {
	closeConfirmPublish as closeAndPublish,
	createEvaluation as makeEvaluation,
	evaluate,
	yearWithProjects as makeYear
} from '../helpers/evaluation';
import { castBallot, receiptHash } from '../../src/lib/server/voting/casting';
import { getStoredTally, verifyTally } from '../../src/lib/server/voting/results';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { countRows, createUser, createVotingSession, TEST_PASSWORD, passwordSignIn } from '../helpers/factory';

const database = useTestDatabase({ max: 10 });
let staff: { id: number; username: string };
let scrutineer: { id: number; username: string };

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});

const closeConfirmPublish = (sql: Sql, id: number) => closeAndPublish(sql, id, staff, scrutineer);
const yearWithProjects = (sql: Sql, projects: number) => makeYear(sql, projects, staff, scrutineer);
const createEvaluation = (
	sql: Sql,
	year: number,
	options: { allowAbstain?: boolean; delegates?: number; open?: boolean } = {}
) => makeEvaluation(sql, year, staff, options);

async function storedEvaluation(sql: Sql, votingSessionId: number): Promise<EvaluationTally> {
	const tally = await getStoredTally(sql, votingSessionId);
	if (!tally || !isEvaluationTally(tally)) throw new Error('no evaluation tally stored');
	return tally;
}

describe('creating an evaluation', () => {
	it('puts every project of the year on the ballot, and refuses a year without projects', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 3);
		const evaluation = await createEvaluation(sql, year, { open: false });
		const onBallot = await sql<{ candidateId: number }[]>`
			select candidate_id as "candidateId" from voting_session_candidate where voting_session_id = ${evaluation.id} order by position`;
		expect(onBallot.map((row) => row.candidateId)).toEqual(projectIds);
		const [row] = await sql<
			{ seats: number | null; method: string }[]
		>`select seats, ballot_method as method from voting_session where id = ${evaluation.id}`;
		expect(row).toEqual({ seats: null, method: 'evaluation' });

		const refused = await readEvaluationForm(sql, {
			title: 'x',
			year: '2099',
			allowAbstain: '',
			opensAt: '',
			closesAt: ''
		});
		expect(refused).toEqual({ ok: false, errors: { year: 'evaluation_error_no_projects' } });
	});

	it('does not turn a published evaluation into projects of its own', async () => {
		const { sql } = database;
		const { year } = await yearWithProjects(sql, 2);
		const [before] = await sql<{ count: number }[]>`select count(*)::int as count from livelihood_project`;
		const evaluation = await createEvaluation(sql, year, { delegates: 1 });
		const [project] = await projectCandidateIds(sql, year);
		const choices = Object.fromEntries((await projectCandidateIds(sql, year)).map((id) => [id, 'satisfied' as const]));
		expect((await evaluate(sql, evaluation.id, evaluation.delegates[0]!.id, choices)).ok).toBe(true);
		await closeConfirmPublish(sql, evaluation.id);
		const [after] = await sql<{ count: number }[]>`select count(*)::int as count from livelihood_project`;
		expect(after?.count).toBe(before?.count);
		expect(project).toBeDefined();
	});
});

describe('the grade rule over all entitled members', () => {
	it('grades exactly half as not enough at both steps, and more than half as enough', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 3);
		const [a, b, c] = projectIds as [number, number, number];
		const evaluation = await createEvaluation(sql, year, { delegates: 4 });
		// 4 entitled: a gets 2 satisfied (exactly half) → not 满意; satisfied + basically = 3 → 基本满意.
		// b gets 3 satisfied → 满意. c gets 1 + 1 (exactly half together) → 不满意.
		const answers: Record<number, EvaluationChoice>[] = [
			{ [a]: 'satisfied', [b]: 'satisfied', [c]: 'satisfied' },
			{ [a]: 'satisfied', [b]: 'satisfied', [c]: 'basically_satisfied' },
			{ [a]: 'basically_satisfied', [b]: 'satisfied', [c]: 'unsatisfied' },
			{ [a]: 'unsatisfied', [b]: 'unsatisfied', [c]: 'unsatisfied' }
		];
		for (const [index, choices] of answers.entries()) {
			expect((await evaluate(sql, evaluation.id, evaluation.delegates[index]!.id, choices)).ok).toBe(true);
		}
		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		const tally = await storedEvaluation(sql, evaluation.id);
		const byProject = new Map(tally.projects.map((row) => [row.candidateId, row]));
		expect(byProject.get(a)).toMatchObject({
			satisfied: 2,
			basicallySatisfied: 1,
			unsatisfied: 1,
			grade: 'basically_satisfied',
			rate: 0.75
		});
		expect(byProject.get(b)).toMatchObject({ satisfied: 3, unsatisfied: 1, grade: 'satisfied', rate: 0.75 });
		expect(byProject.get(c)).toMatchObject({
			satisfied: 1,
			basicallySatisfied: 1,
			unsatisfied: 2,
			grade: 'unsatisfied',
			rate: 0.5
		});
		expect(tally.gradeCounts).toEqual({ satisfied: 1, basically_satisfied: 1, unsatisfied: 1 });
		expect(tally.overallRate).toBeCloseTo(8 / 12);
		expect(tally).toMatchObject({ enrolled: 4, ballotsCast: 4, validBallots: 4, voidBallots: 0 });
		expect((await verifyTally(sql, evaluation.id))?.differences).toEqual([]);
	});

	it('counts absent members against the grade: 3 satisfied of 7 entitled is not 满意', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 1);
		const evaluation = await createEvaluation(sql, year, { delegates: 7 });
		for (const delegate of evaluation.delegates.slice(0, 3)) {
			expect((await evaluate(sql, evaluation.id, delegate.id, { [projectIds[0]!]: 'satisfied' })).ok).toBe(true);
		}
		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		const tally = await storedEvaluation(sql, evaluation.id);
		// Every answer given is 满意 (rate 100%), yet 3 is not more than half of 7.
		expect(tally.projects[0]).toMatchObject({ satisfied: 3, grade: 'unsatisfied', rate: 1 });
	});

	it('grades a project everyone abstained on as 不满意 with a rate of 0', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 2);
		const evaluation = await createEvaluation(sql, year, { delegates: 3, allowAbstain: true });
		for (const delegate of evaluation.delegates) {
			const result = await evaluate(sql, evaluation.id, delegate.id, {
				[projectIds[0]!]: 'abstain',
				[projectIds[1]!]: 'satisfied'
			});
			expect(result.ok).toBe(true);
		}
		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		const tally = await storedEvaluation(sql, evaluation.id);
		expect(tally.projects[0]).toMatchObject({ abstain: 3, grade: 'unsatisfied', rate: 0 });
		expect(tally.projects[1]).toMatchObject({ satisfied: 3, grade: 'satisfied', rate: 1 });
		expect(tally.allowAbstain).toBe(true);
	});

	it('grades every project 不满意 with no rate when nobody evaluated', async () => {
		const { sql } = database;
		const { year } = await yearWithProjects(sql, 2);
		const evaluation = await createEvaluation(sql, year, { delegates: 2 });
		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		const tally = await storedEvaluation(sql, evaluation.id);
		expect(tally.ballotsCast).toBe(0);
		expect(tally.projects.map((row) => [row.grade, row.rate])).toEqual([
			['unsatisfied', null],
			['unsatisfied', null]
		]);
		expect(tally.overallRate).toBeNull();
	});
});

describe('what an evaluation ballot must be', () => {
	it('refuses a ballot that leaves a project out, or abstains where that is not offered, writing nothing', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 2);
		const evaluation = await createEvaluation(sql, year, { delegates: 1 });
		const delegateId = evaluation.delegates[0]!.id;
		const missing = await evaluate(sql, evaluation.id, delegateId, { [projectIds[0]!]: 'satisfied' });
		expect(missing).toEqual({
			ok: false,
			error: {
				code: 'invalid_ballot',
				problem: { code: 'missing_choice', candidateIds: [projectIds[1]], evaluation: true }
			}
		});
		const abstained = await evaluate(sql, evaluation.id, delegateId, {
			[projectIds[0]!]: 'satisfied',
			[projectIds[1]!]: 'abstain'
		});
		expect(abstained).toMatchObject({
			ok: false,
			error: { code: 'invalid_ballot', problem: { code: 'choice_not_allowed' } }
		});
		const voteChoice = await castBallot(sql, {
			votingSessionId: evaluation.id,
			delegateId,
			selection: { method: 'approval', candidateIds: [projectIds[0]!] }
		});
		expect(voteChoice).toMatchObject({
			ok: false,
			error: { code: 'invalid_ballot', problem: { code: 'choice_not_allowed' } }
		});
		expect(await countRows(sql, evaluation.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
	});

	it('holds the rules in the database too: vocabulary, 弃权, a choice per project, frozen options', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 2);
		const evaluation = await createEvaluation(sql, year, { delegates: 1 });
		const delegateId = evaluation.delegates[0]!.id;
		const writeBallot = (choices: [number, string][]) =>
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${evaluation.id}, ${delegateId})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${evaluation.id}) returning id`;
				await tx`insert into ballot_choice ${tx(choices.map(([candidateId, choice]) => ({ ballot_id: ballot!.id, voting_session_id: evaluation.id, candidate_id: candidateId, choice })))}`;
			});
		await expect(
			writeBallot([
				[projectIds[0]!, 'for'],
				[projectIds[1]!, 'satisfied']
			])
		).rejects.toThrow(/choice for is not allowed/);
		await expect(
			writeBallot([
				[projectIds[0]!, 'abstain'],
				[projectIds[1]!, 'satisfied']
			])
		).rejects.toThrow(/choice abstain is not allowed/);
		await expect(writeBallot([[projectIds[0]!, 'satisfied']])).rejects.toThrow(
			/needs a choice for each of the 2 projects/
		);
		expect(await countRows(sql, evaluation.id)).toEqual({ marks: 0, ballots: 0, choices: 0 });
		await expect(sql`update voting_session set allow_abstain = true where id = ${evaluation.id}`).rejects.toThrow(
			/frozen/
		);

		// A vote's ballot cannot carry an evaluation's words either.
		const vote = await createVotingSession(sql, { delegates: 1 });
		await expect(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${vote.id}, ${vote.delegates[0]!.id})`;
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${vote.id}) returning id`;
				await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice) values (${ballot!.id}, ${vote.id}, ${vote.candidateIds[0]!}, 'satisfied')`;
			})
		).rejects.toThrow(/choice satisfied is not allowed/);
	});

	it('refuses to open an evaluation without projects, and a vote row cannot pretend to be one', async () => {
		const { sql } = database;
		const [empty] = await sql<{ id: number }[]>`
			insert into voting_session (title, year, ballot_method, seats) values ('empty evaluation', 2031, 'evaluation', null) returning id`;
		const delegate = await createUser(sql, ['delegate']);
		await sql`insert into electorate_member (voting_session_id, delegate_id) values (${empty!.id}, ${delegate.id})`;
		await expect(sql`update voting_session set status = 'open' where id = ${empty!.id}`).rejects.toThrow(
			/no projects to evaluate/
		);
		await expect(
			sql`insert into voting_session (title, year, ballot_method, seats) values ('seatless vote', 2031, 'approval', null)`
		).rejects.toThrow(/seats_by_method/);
		await expect(
			sql`insert into voting_session (title, year, ballot_method, seats, allow_abstain) values ('abstaining vote', 2031, 'approval', 2, true)`
		).rejects.toThrow(/abstain_only_in_evaluation/);
	});

	it('lets many delegates evaluate at once: one ballot each, marks equal ballots', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 3);
		const evaluation = await createEvaluation(sql, year, { delegates: 40 });
		const choices = Object.fromEntries(projectIds.map((id) => [id, 'basically_satisfied' as const]));
		// Each delegate submits twice at the same moment: exactly one of the two counts.
		const results = await Promise.all(
			evaluation.delegates.flatMap((delegate) => [
				evaluate(sql, evaluation.id, delegate.id, choices),
				evaluate(sql, evaluation.id, delegate.id, choices)
			])
		);
		expect(results.filter((result) => result.ok)).toHaveLength(40);
		expect(await countRows(sql, evaluation.id)).toEqual({ marks: 40, ballots: 40, choices: 120 });
	});
});

describe('through the built server', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp(database.url);
	});
	afterAll(async () => {
		await app.stop();
	});

	it('a delegate evaluates on the ballot page without JavaScript; results are public only once published, in words and in the export', async () => {
		const { sql } = database;
		const { year, projectIds } = await yearWithProjects(sql, 2);
		const evaluation = await createEvaluation(sql, year, { delegates: 1 });
		const delegate = evaluation.delegates[0]!;
		const visitor = new Visitor(app.baseUrl);
		expect((await visitor.signIn(delegate.username, TEST_PASSWORD)).status).toBe(303);

		const ballotPage = await (await visitor.get(`/vote/${evaluation.id}`)).text();
		expect(ballotPage).toContain('基本满意');
		expect(ballotPage).not.toContain('赞成');
		expect(ballotPage).not.toContain('value="abstain"');
		// Each project links to its delivery page, where the delegate can see what was done.
		const [project] = await sql<
			{ id: number }[]
		>`select id from livelihood_project where candidate_id = ${projectIds[0]!}`;
		expect(ballotPage).toContain(`href="/delivery/${project!.id}"`);

		// Leaving a project out: refused with the reason, the answer kept.
		const partial = await visitor.post(`/vote/${evaluation.id}?/review`, [[`choice-${projectIds[0]}`, 'unsatisfied']]);
		expect(partial.status).toBe(400);
		const partialPage = await partial.text();
		expect(partialPage).toContain('还有 1 个项目未作评价');
		expect(partialPage).toMatch(
			new RegExp(
				`name="choice-${projectIds[0]}" value="unsatisfied"[^>]*checked|checked[^>]*name="choice-${projectIds[0]}" value="unsatisfied"`
			)
		);

		const fields: [string, string][] = [
			[`choice-${projectIds[0]}`, 'unsatisfied'],
			[`choice-${projectIds[1]}`, 'satisfied']
		];
		const cast = await visitor.post(`/vote/${evaluation.id}?/cast`, fields);
		expect(cast.status).toBe(200);
		const receiptPage = await cast.text();
		const receiptCode =
			/class="receipt-code"[^>]*>(.*?)<\/code>/s
				.exec(receiptPage)?.[1]
				?.replace(/<[^>]+>/g, '')
				.trim() ?? '';
		expect(receiptCode).toMatch(/^[A-Z2-9-]{30,}$/);
		const [stored] =
			await sql`select 1 from ballot_receipt where receipt_hash = ${receiptHash(receiptCode)} and voting_session_id = ${evaluation.id}`;
		expect(stored).toBeDefined();
		expect((await visitor.post(`/vote/${evaluation.id}?/cast`, fields)).status).toBe(409);

		expect(await applyLifecycle(sql, evaluation.id, 'close', staff.id)).toMatchObject({ ok: true });
		const publicVisitor = new Visitor(app.baseUrl);
		expect((await publicVisitor.get(`/results/${evaluation.id}/export.csv`)).status).toBe(404);
		expect(await confirmTally(sql, evaluation.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).toEqual({
			ok: true
		});
		expect(await applyLifecycle(sql, evaluation.id, 'publish', staff.id)).toMatchObject({ ok: true });

		const results = await (await publicVisitor.get(`/results/${evaluation.id}`)).text();
		expect(results).toContain('满意率');
		expect(results).toMatch(/<strong>满意<\/strong>/);
		expect(results).toMatch(/<strong>不满意<\/strong>/);
		const csv = await (await publicVisitor.get(`/results/${evaluation.id}/export.csv`)).text();
		const lines = csv
			.replace(/^\uFEFF/, '')
			.trim()
			.split(/\r?\n/);
		expect(lines[0]).toContain('基本满意');
		// Two projects, then after an empty line the session's figures.
		expect(lines.indexOf('')).toBe(3);
		expect(lines).toContain('票决是否有效,本次票决有效');
		expect(lines.some((line) => /,0,0,1,0,不满意,0\.0%$/.test(line))).toBe(true);
		const json = await (await publicVisitor.get(`/results/${evaluation.id}/export.json`)).json();
		expect(json.tally.ballotMethod).toBe('evaluation');
		expect(json.ballots).toBeUndefined(); // counts, figures and digest only (public-export.test.ts)
		const screen = await (await publicVisitor.get(`/screen/${evaluation.id}`)).text();
		expect(screen).toContain('满意率');
	});

	it('staff create an evaluation through the form, errors in their language with what they typed kept', async () => {
		const { sql } = database;
		const { year } = await yearWithProjects(sql, 2);
		const visitor = new Visitor(app.baseUrl);
		expect((await visitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
		const form = await (await visitor.get('/admin/evaluations/new')).text();
		expect(form).toContain(`${year} 年度（2 个项目）`);

		const refused = await visitor.post('/admin/evaluations/new', {
			title: '我的测评',
			year: '2098',
			allowAbstain: 'yes',
			opensAt: '',
			closesAt: ''
		});
		expect(refused.status).toBe(400);
		const refusedPage = await refused.text();
		expect(refusedPage).toContain('该年度还没有民生实事项目');
		expect(refusedPage).toContain('value="我的测评"');

		const created = await visitor.post('/admin/evaluations/new', {
			title: '我的测评',
			year: String(year),
			allowAbstain: 'yes',
			opensAt: '',
			closesAt: ''
		});
		expect(created.status).toBe(303);
		const location = created.headers.get('location') ?? '';
		expect(location).toMatch(/^\/admin\/sessions\/\d+$/);
		const sessionPage = await (await visitor.get(location)).text();
		expect(sessionPage).toContain('满意度测评');
		expect(sessionPage).toContain('测评项目数');
		const id = Number(location.split('/').pop());
		const [audit] = await sql<{ details: Record<string, unknown> }[]>`
			select details from audit_entry where action = 'session.created' and voting_session_id = ${id}`;
		expect(audit?.details).toMatchObject({ ballotMethod: 'evaluation', allowAbstain: true, candidates: 2 });
		// The vote's edit form sends an evaluation to its own.
		const edit = await visitor.get(`/admin/sessions/${id}/edit`);
		expect(edit.status).toBe(303);
		expect(edit.headers.get('location')).toBe(`/admin/evaluations/${id}/edit`);
	});
});
