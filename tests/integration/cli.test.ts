// The operator CLI against a real database, as an operator would run it.
import { runCli } from '../helpers/cli';
import { describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { useTestDatabase } from '../helpers/suite';
import { createCandidates } from '../helpers/factory';

const database = useTestDatabase();

const cli = (args: string[], input?: string) => runCli(args, { databaseUrl: database.url, input });

describe('operator CLI', () => {
	it('runs a whole session: users, draft, electorate, open, close, verify, publish, export', async () => {
		const candidateIds = await createCandidates(database.sql, 4);
		expect(cli(['migrate']).stdout).toContain('up to date');

		const staff = cli(['user:create', '--username', 'cli_staff', '--role', 'staff', '--display-name', '工作人员']);
		expect(staff.code).toBe(0);
		expect(staff.stdout).toMatch(/password \(shown once\): [a-z2-9]{5}(-[a-z2-9]{5}){3}/);
		const createDelegate = (name: string) =>
			expect(
				cli(['user:create', '--username', name, '--role', 'delegate', '--password-stdin'], 'a long enough passphrase\n')
					.code
			).toBe(0);
		createDelegate('cli_d1');
		createDelegate('cli_d2');
		expect(cli(['user:create', '--username', 'cli_d1', '--role', 'delegate']).stderr).toContain('taken');

		const created = cli([
			'session:create',
			'--title',
			'测试票决',
			'--year',
			'2022',
			'--seats',
			'2',
			'--candidates',
			candidateIds.join(',')
		]);
		expect(created.code).toBe(0);
		const sessionId = Number(/voting session (\d+)/.exec(created.stdout)?.[1]);
		expect(sessionId).toBeGreaterThan(0);

		// The roster's delegates are its electorate from the start; one who joins the roster later is added.
		createDelegate('cli_d3');
		expect(cli(['electorate:add', String(sessionId), 'cli_d1', 'cli_d2', 'nobody_here']).code).toBe(1);
		expect(cli(['electorate:add', String(sessionId), 'cli_staff']).stderr).toContain('not delegates');
		const enrolled = cli(['electorate:add', String(sessionId), 'cli_d1', 'cli_d2', 'cli_d3']);
		expect(enrolled.stdout).toContain('enrolled 1 delegate(s); 2 already enrolled');

		expect(cli(['session:publish', String(sessionId), '--as', 'cli_staff']).stderr).toContain(
			'it is draft; next step: open'
		);
		// The meeting's procedure first (issue 13): the 票决办法, the review, the scrutineers.
		expect(cli(['session:open', String(sessionId)]).stderr).toContain('voting rules have not been adopted');
		const adopted = cli([
			'session:adopt-rules',
			String(sessionId),
			'--by',
			'大会全体会议',
			'--on',
			'2022-01-18',
			'--as',
			'cli_staff'
		]);
		expect(adopted.stdout).toContain(
			`session ${sessionId}: the adoption of its voting rules on 2022-01-18 is recorded`
		);
		expect(
			cli(['session:adopt-rules', String(sessionId), '--by', '常委会', '--on', '2022-01-18', '--as', 'cli_staff']).code
		).toBe(2);
		expect(cli(['session:open', String(sessionId)]).stderr).toContain("standing committee's review");
		expect(
			cli([
				'session:review',
				String(sessionId),
				'--meeting',
				'市人大常委会第十二次会议',
				'--on',
				'2022-01-10',
				'--document',
				'人常〔2022〕3号',
				'--as',
				'cli_staff'
			]).code
		).toBe(0);
		expect(
			cli(['session:scrutineers', String(sessionId), '--chief', 'cli_d1', '--members', 'cli_d2', '--as', 'cli_staff'])
				.code
		).toBe(2);
		const named = cli([
			'session:scrutineers',
			String(sessionId),
			'--chief',
			'cli_d1',
			'--members',
			'cli_d2,cli_d3',
			'--as',
			'cli_staff'
		]);
		expect(named.stdout).toContain('chief scrutineer cli_d1, scrutineers cli_d2, cli_d3');
		// 签到 at the hall before opening: below the quorum it does not open.
		expect(cli(['presence:mark', String(sessionId), 'cli_d1', '--as', 'cli_staff']).code).toBe(0);
		const belowQuorum = cli(['session:open', String(sessionId)]);
		expect(belowQuorum.code).toBe(1);
		expect(belowQuorum.stderr).toContain('Enrolled 3, present 1: below the quorum of 3');
		expect(cli(['presence:mark', String(sessionId), 'cli_d2', 'cli_d3', '--as', 'cli_staff']).code).toBe(0);
		expect(cli(['session:open', String(sessionId)]).code).toBe(0);
		expect(cli(['electorate:add', String(sessionId), 'cli_d1']).stderr).toContain('frozen');
		expect(cli(['tally', String(sessionId)]).stderr).toContain('counted only after it closes');

		const delegates = await database.sql<
			{ id: number }[]
		>`select id from app_user where username in ('cli_d1', 'cli_d2') order by username`;
		for (const delegate of delegates) {
			await castBallot(database.sql, {
				votingSessionId: sessionId,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [candidateIds[0]!, candidateIds[2]!] }
			});
		}
		expect(cli(['session:close', String(sessionId)]).stdout).toContain('now closed');

		const verified = cli(['tally', String(sessionId), '--verify']);
		expect(verified.code).toBe(0);
		expect(verified.stdout).toContain('ballots 2 (valid 2, void 0); has-voted marks 2');
		expect(verified.stdout).toContain('verify: OK');

		const csv = cli(['export', String(sessionId), '--format', 'csv']);
		expect(csv.code).toBe(0);
		expect(csv.stdout.startsWith('\uFEFF名次,候选项目,所属方面,赞成票')).toBe(true);
		// The candidates (4 and a header), then after an empty line the vote's figures (a header and 13 rows).
		const csvLines = csv.stdout.trim().split('\r\n');
		expect(csvLines.slice(0, 6).at(-1)).toBe('');
		expect(csvLines).toHaveLength(5 + 1 + 14);
		expect(csvLines).toContain('收回选票,2');
		const json = JSON.parse(cli(['export', String(sessionId), '--format', 'json']).stdout) as {
			tally: { ballotsCast: number; candidates: { candidateId: number; for: number; outcome: string }[] };
			ballots: unknown[];
		};
		expect(json.tally.ballotsCast).toBe(2);
		expect(json.ballots).toHaveLength(2);
		expect(
			json.tally.candidates
				.filter((row) => row.outcome === 'chosen')
				.map((row) => row.candidateId)
				.sort()
		).toEqual([candidateIds[0], candidateIds[2]].sort());

		expect(cli(['session:publish', String(sessionId), '--as', 'cli_staff']).stderr).toContain(
			'a scrutineer must confirm the tally first'
		);
		// Named scrutineers were appointed: the holder of the global role has no say in this session.
		expect(
			cli(
				['user:create', '--username', 'cli_scrutineer', '--role', 'scrutineer', '--password-stdin'],
				'the scrutineer passphrase\n'
			).code
		).toBe(0);
		expect(
			cli(
				['session:confirm', String(sessionId), '--as', 'cli_scrutineer', '--password-stdin'],
				'the scrutineer passphrase\n'
			).stderr
		).toContain('not a scrutineer of this session');
		// A named scrutineer proves themself with their password; an operator naming them is not enough.
		const unproven = cli(['session:confirm', String(sessionId), '--as', 'cli_d2']);
		expect(unproven.code).toBe(2);
		expect(unproven.stderr).toContain('--password-stdin');
		const wrong = cli(
			['session:confirm', String(sessionId), '--as', 'cli_d2', '--password-stdin'],
			'a guessed passphrase\n'
		);
		expect(wrong.code).toBe(1);
		expect(wrong.stderr).toContain('incorrect');
		const confirmAs = (username: string) =>
			cli(['session:confirm', String(sessionId), '--as', username, '--password-stdin'], 'a long enough passphrase\n');
		expect(confirmAs('cli_d2').stdout).toContain('chief scrutineer not confirmed, scrutineers 1 of 2 (2 needed)');
		expect(confirmAs('cli_d1').stdout).toContain('chief scrutineer confirmed, scrutineers 1 of 2 (2 needed)');
		expect(cli(['session:publish', String(sessionId), '--as', 'cli_staff']).stderr).toContain('must confirm');
		expect(confirmAs('cli_d3').stdout).toContain('tally confirmed by cli_d3');
		expect(cli(['session:publish', String(sessionId)]).stderr).toContain('needs --as USERNAME');
		expect(cli(['session:publish', String(sessionId), '--as', 'cli_staff']).stdout).toContain('now published');
		// About thirty CLI runs, each a fresh process that opens the database: more than the default minute on a busy machine.
	}, 300_000);

	it('detects a stored tally that no longer matches the ballots', async () => {
		const candidateIds = await createCandidates(database.sql, 3);
		const created = cli([
			'session:create',
			'--title',
			'tamper',
			'--year',
			'2022',
			'--seats',
			'1',
			'--candidates',
			candidateIds.join(','),
			'--not-required',
			'rules,review,scrutineers'
		]);
		const sessionId = Number(/voting session (\d+)/.exec(created.stdout)?.[1]);
		cli(['user:create', '--username', 'cli_t1', '--role', 'delegate']);
		cli(['electorate:add', String(sessionId), 'cli_t1']);
		cli(['presence:mark', String(sessionId), 'cli_d1', 'cli_d2', 'cli_d3', 'cli_t1', '--as', 'cli_staff']);
		expect(cli(['session:open', String(sessionId)]).code).toBe(0);
		cli(['session:close', String(sessionId)]);
		expect(cli(['tally', String(sessionId), '--verify']).code).toBe(0);
		// A superuser bypasses the guard trigger and forges the stored result.
		await database.ownerSql.begin(async (tx) => {
			await tx`alter table voting_result disable trigger voting_result_guard`;
			await tx`update voting_result set tally = jsonb_set(tally, '{ballotsCast}', '5') where voting_session_id = ${sessionId}`;
			await tx`alter table voting_result enable trigger voting_result_guard`;
		});
		const verified = cli(['tally', String(sessionId), '--verify']);
		expect(verified.code).toBe(1);
		expect(verified.stderr).toContain('ballotsCast: stored 5, recomputed 0');
	}, 240_000); // a CLI process per step: about 20 of them, slow on a busy machine

	it('explains bad arguments and exits with 2', () => {
		for (const args of [
			[],
			['no-such-command'],
			['session:open'],
			['session:open', 'abc'],
			['export', '1', '--format', 'xml'],
			['user:create', '--username', 'x', '--role', 'king']
		]) {
			const result = cli(args);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stdout + result.stderr).toContain('Usage: npm run cli');
		}
	});
});
