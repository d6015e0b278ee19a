// Ballot secrecy, as an auditor would check it: the schema (every column, key, view, function and
// trigger that touches ballots), then a whole vote through the built server — password and
// access-code sign-ins, electronic casts in a known order with distinct contents, refused casts,
// a paper batch, invalid requests, close, confirm, publish, exports — after which no output, audit
// entry or log line links a delegate to a ballot's content, no list of ballots follows the order
// of casting, and the server log holds no secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBallot } from '../../src/lib/domain/counting';
import type { BallotContent } from '../../src/lib/domain/types';
import { issueAccessCodes, normalizeAccessCode, formatAccessCode } from '../../src/lib/server/electorate/access-codes';
import { receiptHash } from '../../src/lib/server/voting/casting';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession } from '../helpers/factory';
import { castThroughForm, sessionTokenOf, visitorFor } from '../helpers/voting';

/** Tables that name people or what they did; a ballot must never be joined to any of them. */
const PERSON_TABLES = [
	'app_user',
	'user_role',
	'auth_session',
	'ballot_mark',
	'electorate_member',
	'access_code',
	'paper_batch',
	'paper_batch_scrutineer',
	'paper_batch_confirmation',
	'paper_batch_rejection',
	'audit_entry',
	'rate_limit_bucket'
];

/** A small seeded generator, so that the order of casting is fixed and the test repeatable. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
	};
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
	const copy = [...items];
	for (let index = copy.length - 1; index > 0; index -= 1) {
		const other = Math.floor(random() * (index + 1));
		[copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
	}
	return copy;
}

/** Kendall's rank correlation of two orderings of the same items: 1 same order, -1 reversed, about 0 unrelated. */
function kendallTau(first: readonly string[], second: readonly string[]): number {
	const rank = new Map(second.map((item, index) => [item, index]));
	let concordant = 0;
	let discordant = 0;
	for (let i = 0; i < first.length; i += 1) {
		for (let j = i + 1; j < first.length; j += 1) {
			if (rank.get(first[i]!)! - rank.get(first[j]!)! < 0) concordant += 1;
			else discordant += 1;
		}
	}
	return (concordant - discordant) / (concordant + discordant);
}

const sorted = (items: readonly string[]) => [...items].sort();
const hex = (code: string) => receiptHash(code).toString('hex');

describe('the schema', () => {
	const database = useTestDatabase({ max: 2 });

	it('gives ballots and their choices no column that names a voter or a moment, and a random id', async () => {
		const columns = await database.sql<
			{ table: string; column: string; type: string; default: string | null; identity: string }[]
		>`
			select table_name as table, column_name as column, data_type as type, column_default as default, is_identity as identity
			from information_schema.columns where table_schema = 'public' and table_name in ('ballot', 'ballot_choice', 'ballot_mark')
			order by table_name, column_name`;
		const byTable = (table: string) =>
			columns.filter((column) => column.table === table).map((column) => column.column);
		// Any new column here must be reviewed for secrecy first: this list is the review.
		expect(byTable('ballot')).toEqual(['channel', 'id', 'is_void', 'voting_session_id']);
		expect(byTable('ballot_choice')).toEqual(['ballot_id', 'candidate_id', 'choice', 'voting_session_id']);
		expect(byTable('ballot_mark')).toEqual(['channel', 'delegate_id', 'paper_batch_id', 'voting_session_id']);
		for (const column of columns) {
			expect(column.type, `${column.table}.${column.column}`).not.toMatch(/time|date|interval/);
			expect(column.identity, `${column.table}.${column.column}`).toBe('NO');
			if (column.default !== null)
				expect(column.default, `${column.table}.${column.column}`).not.toMatch(
					/nextval|now\(|clock_timestamp|current_/
				);
		}
		expect(columns.find((column) => column.table === 'ballot' && column.column === 'id')?.default).toBe(
			'gen_random_uuid()'
		);
	});

	it('links ballots by key only to their session, their own choices and the candidate list', async () => {
		const keys = await database.sql<{ from: string; to: string }[]>`
			select conrelid::regclass::text as from, confrelid::regclass::text as to from pg_constraint
			where contype = 'f' and (conrelid::regclass::text in ('ballot', 'ballot_choice') or confrelid::regclass::text in ('ballot', 'ballot_choice'))
			order by 1, 2`;
		expect(keys).toEqual([
			{ from: 'ballot', to: 'voting_session' },
			{ from: 'ballot_choice', to: 'ballot' },
			{ from: 'ballot_choice', to: 'voting_session_candidate' }
		]);
		// No other table can hold a ballot id or a receipt: no uuid column, nothing named after either.
		// The exceptions: the receipts themselves (ballot_receipt: a hash and a session, no ballot),
		// and the ballot box's own registry of the ballots the current transaction inserted (00011):
		// unlogged, unreadable by the app's role, and emptied by each commit.
		const holders = await database.ownerSql<{ table: string; column: string }[]>`
			select table_name as table, column_name as column from information_schema.columns
			where table_schema = 'public' and table_name not in ('ballot', 'ballot_choice')
			  and (data_type = 'uuid' or column_name ~ '(ballot_id|receipt)')
			order by 1, 2`;
		expect(holders).toEqual([
			{ table: 'ballot_box_new_ballot', column: 'ballot_id' },
			{ table: 'ballot_receipt', column: 'receipt_hash' }
		]);
		const receiptKeys = await database.sql<{ to: string }[]>`
			select confrelid::regclass::text as to from pg_constraint where contype = 'f' and conrelid = 'ballot_receipt'::regclass`;
		expect(receiptKeys).toEqual([{ to: 'voting_session' }]);
		const [registry] = await database.ownerSql<{ unlogged: boolean; appMaySelect: boolean; rows: number }[]>`
			select c.relpersistence = 'u' as unlogged,
			       has_table_privilege('piaojue_runtime', 'ballot_box_new_ballot', 'select') as "appMaySelect",
			       (select count(*)::int from ballot_box_new_ballot) as rows
			from pg_class c where c.oid = 'ballot_box_new_ballot'::regclass`;
		expect(registry).toEqual({ unlogged: true, appMaySelect: false, rows: 0 });
	});

	it('has no view, rule or function that reads ballots together with people', async () => {
		// Views and materialized views that read ballot or ballot_choice, with every table they read.
		const views = await database.sql<{ view: string; reads: string[] }[]>`
			select v.oid::regclass::text as view, array_agg(distinct d.refobjid::regclass::text) as reads
			from pg_class v join pg_rewrite r on r.ev_class = v.oid join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass
			where v.relkind in ('v', 'm') and v.relnamespace = 'public'::regnamespace and d.refobjid <> v.oid
			group by v.oid`;
		for (const view of views.filter((entry) =>
			entry.reads.some((table) => table === 'ballot' || table === 'ballot_choice')
		)) {
			expect(
				view.reads.filter((table) => PERSON_TABLES.includes(table)),
				view.view
			).toEqual([]);
		}
		const rules =
			await database.sql`select rulename from pg_rules where tablename in ('ballot', 'ballot_choice', 'ballot_mark')`;
		expect(rules).toEqual([]);
		// Functions that read a ballot table (by name in their body) or run as its trigger: none may
		// mention a person. Counting marks beside ballots is allowed (marks = ballots); naming who is not.
		const functions = await database.sql<{ name: string; body: string }[]>`
			select p.proname as name, p.prosrc as body from pg_proc p
			where p.pronamespace = 'public'::regnamespace
			  and (p.prosrc ~ '\\mballot(_choice)?\\M'
			       or p.oid in (select tgfoid from pg_trigger where not tgisinternal and tgrelid in ('ballot'::regclass, 'ballot_choice'::regclass)))
			order by 1`;
		expect(functions.map((entry) => entry.name)).toEqual(
			expect.arrayContaining(['ballot_box_ballot_at_commit', 'ballot_box_guard', 'refuse_truncate'])
		);
		// One function may name a paper batch: the one that counts a confirmed batch, which must read
		// that batch's waiting ballots; the ballots it writes carry only their channel.
		const readsWaitingBatch = new Set(['paper_batch_count_when_confirmed']);
		expect(functions.map((entry) => entry.name)).toEqual(expect.arrayContaining([...readsWaitingBatch]));
		// One function writes a cast (issue 16): the mark and the ballot in one statement, as the app's
		// casting transaction did before; it reads no ballot table (it only inserts into them), so
		// it can reveal nothing of a ballot, and it stores no link between the two.
		const writesTheCast = new Set(['cast_ballot']);
		expect(functions.map((entry) => entry.name)).toEqual(expect.arrayContaining([...writesTheCast]));
		for (const { name, body } of functions) {
			if (writesTheCast.has(name)) {
				expect(body, name).not.toMatch(/\b(from|join|update|delete)\s+(ballot|ballot_choice|ballot_receipt)\b/i);
				expect(body, name).not.toMatch(/\breturning\b/i);
				continue;
			}
			expect(body, name).not.toMatch(/\b(delegate_id|app_user|electorate_member|auth_session|user_id|actor_user_id)\b/);
			if (!readsWaitingBatch.has(name)) expect(body, name).not.toMatch(/\bpaper_batch_id\b/);
		}
	});
});

describe('a whole vote through the built server', () => {
	const ELECTRONIC = 41; // 40 password sign-ins and one access-code sign-in
	const PAPER = 4;
	const database = useTestDatabase({ max: 5 });
	let app: RunningApp;
	let session: TestSession;
	let staffVisitor: Visitor;
	let scrutineerVisitor: Visitor;
	let scrutineerId: number;
	/** Every secret the run handled: none may reach the log. */
	const secrets: { label: string; value: string }[] = [];
	/** Receipt codes in the order of casting, with the content cast. */
	const casts: { receiptCode: string; ballot: BallotContent }[] = [];
	const paperBallots: BallotContent[] = [];
	let delegateIdentifiers: string[] = [];
	let outputs: Record<string, string> = {};
	let accessCode = '';

	beforeAll(async () => {
		const { sql } = database;
		// Ids far from any count or position, so that one found in an output is certainly that id.
		await database.ownerSql`alter table app_user alter column id restart with 810000001`;
		await database.ownerSql`alter table candidate alter column id restart with 730000001`;
		session = await createVotingSession(sql, { candidates: 8, seats: 3, delegates: ELECTRONIC + PAPER });
		for (const [index, delegate] of session.delegates.entries()) {
			await sql`update app_user set display_name = ${`代表甲${index}乙`}, delegate_number = ${`DN${7000 + index}X`},
			          phone = ${`139${String(51000000 + index)}`}, delegation = '秘密测试代表团' where id = ${delegate.id}`;
		}
		const people = await sql<
			{ id: number; username: string; displayName: string; delegateNumber: string; phone: string }[]
		>`
			select id, username, display_name as "displayName", delegate_number as "delegateNumber", phone from app_user
			where id = any(${session.delegates.map((delegate) => delegate.id)})`;
		delegateIdentifiers = people.flatMap((person) => [
			String(person.id),
			person.username,
			person.displayName,
			person.delegateNumber,
			person.phone
		]);
		const staff = await createUser(sql, ['staff'], 'staff');
		const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
		scrutineerId = scrutineer.id;
		app = await startApp(database.url);
		staffVisitor = (await visitorFor(sql, app.baseUrl, staff.id)).visitor;
		scrutineerVisitor = (await visitorFor(sql, app.baseUrl, scrutineer.id)).visitor;

		// Sign-ins: 40 with the known password, one with a one-time access code.
		const delegateVisitors: Visitor[] = [];
		for (const delegate of session.delegates.slice(0, ELECTRONIC - 1)) {
			const visitor = new Visitor(app.baseUrl);
			const response = await visitor.signIn(delegate.username, TEST_PASSWORD);
			expect(response.status).toBe(303);
			const token = sessionTokenOf(response);
			expect(token).toBeTruthy();
			secrets.push(
				{ label: 'session token', value: token! },
				{ label: 'session secret', value: token!.split('.')[1]! }
			);
			delegateVisitors.push(visitor);
		}
		const issued = await issueAccessCodes(sql, {
			votingSessionId: session.id,
			delegateId: session.delegates[ELECTRONIC - 1]!.id,
			actorUserId: staff.id
		});
		if (!issued.ok) throw new Error(`no access code: ${issued.error}`);
		accessCode = issued.credentials[0]!.code;
		secrets.push(
			{ label: 'access code', value: normalizeAccessCode(accessCode)! },
			{ label: 'access code as printed', value: formatAccessCode(normalizeAccessCode(accessCode)!) }
		);
		const codeVisitor = new Visitor(app.baseUrl);
		expect((await codeVisitor.get(`/login/code?code=${encodeURIComponent(accessCode)}`)).status).toBe(200);
		const codeSignIn = await codeVisitor.post('/login/code?/once', { code: accessCode });
		expect(codeSignIn.status).toBe(303);
		secrets.push({ label: 'session token (code)', value: sessionTokenOf(codeSignIn)! });
		delegateVisitors.push(codeVisitor);

		// A refused cast first: over the limit of 3.
		const over = await castThroughForm(delegateVisitors[0]!, session.id, session.candidateIds.slice(0, 4));
		expect(over.status).toBe(400);

		// Distinct contents, cast one after another in a known (seeded) order.
		const random = seededRandom(20220114);
		const subsets: number[][] = [];
		for (let mask = 0; mask < 1 << session.candidateIds.length; mask += 1) {
			const chosen = session.candidateIds.filter((_, position) => mask & (1 << position));
			if (chosen.length <= 3) subsets.push(chosen);
		}
		const contents = shuffle(subsets, random).slice(0, ELECTRONIC + PAPER);
		for (const [index, visitor] of shuffle(delegateVisitors, random).entries()) {
			const chosen = contents[index]!;
			const cast = await castThroughForm(visitor, session.id, chosen);
			expect(cast.status).toBe(200);
			expect(cast.receiptCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{1,4}){6}$/);
			casts.push({
				receiptCode: cast.receiptCode!,
				ballot: {
					isVoid: false,
					channel: 'electronic',
					choices: chosen.map((candidateId) => ({ candidateId, choice: 'for' }))
				}
			});
			secrets.push(
				{ label: 'receipt code', value: cast.receiptCode! },
				{ label: 'receipt code without dashes', value: cast.receiptCode!.replace(/-/g, '') }
			);
		}
		// Refused: a second cast.
		expect((await castThroughForm(delegateVisitors[1]!, session.id, [session.candidateIds[0]!])).status).toBe(409);

		// A paper batch for the other four delegates, typed by ballot positions.
		const paperContents = contents.slice(ELECTRONIC);
		const paperLines = paperContents.map((chosen) =>
			chosen.length ? chosen.map((candidateId) => session.candidateIds.indexOf(candidateId) + 1).join(' ') : '空白'
		);
		const paper = await staffVisitor.post(`/admin/sessions/${session.id}/paper`, [
			[
				'delegates',
				session.delegates
					.slice(ELECTRONIC)
					.map((delegate) => delegate.username)
					.join('\n')
			],
			['ballots', paperLines.join('\n')],
			['scrutineer', String(scrutineer.id)],
			['issued', String(PAPER)],
			['note', '第一票箱']
		]);
		expect(paper.status).toBe(200);
		// The scrutineer it names confirms it: only then is it counted.
		const [batch] = await sql<{ id: number }[]>`
			select id from paper_batch where voting_session_id = ${session.id} order by id desc limit 1`;
		const confirmed = await scrutineerVisitor.post(`/admin/sessions/${session.id}/paper/${batch!.id}?/confirm`, {
			confirm: 'yes'
		});
		expect(confirmed.status).toBe(200);
		for (const chosen of paperContents)
			paperBallots.push({
				isVoid: false,
				channel: 'paper',
				choices: chosen.map((candidateId) => ({ candidateId, choice: 'for' }))
			});

		// Requests the server refuses or fails on, carrying secrets in their bodies and URLs.
		const raw = (path: string, init: RequestInit) =>
			fetch(new URL(path, app.baseUrl), {
				redirect: 'manual',
				...init,
				headers: { origin: app.baseUrl, ...init.headers }
			});
		const invalid = [
			raw(`/vote/${session.id}?/cast`, {
				method: 'POST',
				headers: { 'content-type': 'text/plain' },
				body: `candidate=${session.candidateIds[0]}&password=${TEST_PASSWORD}`
			}),
			raw('/login', {
				method: 'POST',
				headers: { 'content-type': 'multipart/form-data; boundary=x' },
				body: `--x\r\nContent-Disposition: form-data; name="password"\r\n\r\n${TEST_PASSWORD}`
			}),
			raw(`/login/code?/once&code=${normalizeAccessCode(accessCode)}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ code: accessCode })
			}),
			raw(`/results/${session.id}/receipts`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: `code=${encodeURIComponent(`${casts[0]!.receiptCode}<script>`)}`
			}),
			raw('/api/sessions/not-a-number', {}),
			raw('/api/sessions', { method: 'DELETE' }),
			raw(`/vote/${session.id}?/nonexistent`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: `candidate=${session.candidateIds[1]}`
			})
		];
		for (const response of await Promise.all(invalid)) await response.arrayBuffer();

		// Close, confirm by the scrutineer, publish by staff.
		expect((await staffVisitor.post(`/admin/sessions/${session.id}?/close`, { confirm: 'yes' })).status).toBe(200);
		expect((await scrutineerVisitor.post(`/admin/sessions/${session.id}?/confirm`, { confirm: 'yes' })).status).toBe(
			200
		);
		expect((await staffVisitor.post(`/admin/sessions/${session.id}?/publish`, { confirm: 'yes' })).status).toBe(200);

		// Everything the system shows of the result and the ballots.
		const text = async (visitor: Visitor | null, path: string) => {
			const response = visitor ? await visitor.get(path) : await fetch(new URL(path, app.baseUrl));
			expect(response.status, path).toBe(200);
			return response.text();
		};
		outputs = {
			staffJson: await text(staffVisitor, `/admin/sessions/${session.id}/export.json`),
			staffCsv: await text(staffVisitor, `/admin/sessions/${session.id}/export.csv`),
			publicJson: await text(null, `/results/${session.id}/export.json`),
			publicCsv: await text(null, `/results/${session.id}/export.csv`),
			receiptsApi: await text(null, `/api/sessions/${session.id}/receipts`),
			receiptsPage: await text(null, `/results/${session.id}/receipts`),
			resultsApi: await text(null, `/api/sessions/${session.id}/results`),
			resultsPage: await text(null, `/results/${session.id}`),
			announcement: await text(null, `/results/${session.id}/announcement`),
			sessionApi: await text(null, `/api/sessions/${session.id}`),
			screen: await text(null, `/screen/${session.id}`),
			staffSessionPage: await text(staffVisitor, `/admin/sessions/${session.id}`)
		};
		// The check form says "included" for a real receipt (its answer echoes the code typed, so it is kept apart).
		const check = await new Visitor(app.baseUrl).post(`/results/${session.id}/receipts`, {
			code: casts[5]!.receiptCode
		});
		expect(await check.text()).toContain('您的选票已被计入');
	}, 180_000);
	afterAll(async () => {
		await app?.stop();
	});

	it('shows no delegate beside any ballot content in the exports, results, receipts and pages', () => {
		for (const [name, body] of Object.entries(outputs)) {
			for (const identifier of delegateIdentifiers)
				expect(body.includes(identifier), `${name} names ${identifier}`).toBe(false);
		}
	});

	it('publishes ballots only as anonymous contents, and receipts only as hashes without content', async () => {
		// Staff and scrutineers have the anonymous ballots for a recount; the public has the counts,
		// the figures and the digest (the session does not publish its ballots: public-export.test.ts).
		const staffExport = JSON.parse(outputs.staffJson!) as { ballots: Record<string, unknown>[] } & Record<
			string,
			unknown
		>;
		expect(Object.keys(staffExport).sort()).toEqual(['ballots', 'candidates', 'tally', 'votingSession']);
		expect(staffExport.ballots).toHaveLength(ELECTRONIC + PAPER);
		for (const ballot of staffExport.ballots) {
			expect(Object.keys(ballot).sort()).toEqual(['channel', 'choices', 'isVoid']);
			for (const choice of ballot.choices as Record<string, unknown>[])
				expect(Object.keys(choice).sort()).toEqual(['candidateId', 'choice']);
		}
		const publicExport = JSON.parse(outputs.publicJson!) as Record<string, unknown>;
		expect(Object.keys(publicExport).sort()).toEqual(['candidates', 'tally', 'votingSession']);
		expect(outputs.publicJson).not.toContain('"channel"');
		const receipts = JSON.parse(outputs.receiptsApi!) as Record<string, unknown>;
		expect(Object.keys(receipts).sort()).toEqual([
			'count',
			'electronicBallots',
			'paperBallots',
			'receiptHashes',
			'status'
		]);
		expect(receipts).toMatchObject({ count: ELECTRONIC, electronicBallots: ELECTRONIC, paperBallots: PAPER });
		// No output carries a ballot id; only the receipt list carries receipt hashes, and it carries no candidate.
		const ballotIds = (
			await database.sql<{ id: string }[]>`select id::text from ballot where voting_session_id = ${session.id}`
		).map((row) => row.id);
		const hashes = casts.map((cast) => hex(cast.receiptCode));
		for (const [name, body] of Object.entries(outputs)) {
			for (const id of ballotIds) expect(body.includes(id), `${name} holds ballot ${id}`).toBe(false);
			if (name !== 'receiptsApi' && name !== 'receiptsPage') {
				for (const hash of hashes) expect(body.includes(hash), `${name} holds a receipt hash`).toBe(false);
			}
		}
		for (const name of ['receiptsApi', 'receiptsPage']) {
			for (const candidateId of session.candidateIds)
				expect(outputs[name]!.includes(String(candidateId)), `${name} names candidate ${candidateId}`).toBe(false);
		}
	});

	it('keeps the audit trail free of any link between a delegate and a ballot', async () => {
		const entries = await database.sql<{ seq: number; action: string; actorUserId: number | null; details: unknown }[]>`
			select seq, action, actor_user_id as "actorUserId", details from audit_entry order by seq`;
		const delegateIds = new Set(session.delegates.map((delegate) => delegate.id));
		const ballotIds = (await database.sql<{ id: string }[]>`select id::text from ballot`).map((row) => row.id);
		const contentMarks = [
			...session.candidateIds.map(String),
			...ballotIds,
			...casts.map((cast) => hex(cast.receiptCode)),
			'"for"',
			'"against"',
			'"abstain"'
		];
		for (const entry of entries) {
			const details = JSON.stringify(entry.details);
			// No entry per cast (issue 16): no moment of any cast is kept beside the marks.
			expect(entry.action, `entry ${entry.seq}`).not.toBe('ballot.cast');
			// A checkpoint taken while voting holds counts only, no digest of marks or ballots.
			if (entry.action === 'ballots.checkpoint') {
				expect(entry.actorUserId, `entry ${entry.seq}`).toBeNull();
				expect(Object.keys(entry.details as object).sort(), `entry ${entry.seq}`).toEqual([
					'electronicMarks',
					'paperMarks',
					'receipts'
				]);
			}
			for (const mark of [...ballotIds, ...casts.map((cast) => hex(cast.receiptCode))])
				expect(details.includes(mark), `entry ${entry.seq} holds a ballot`).toBe(false);
			const namesDelegate =
				(entry.actorUserId !== null && delegateIds.has(entry.actorUserId)) ||
				delegateIdentifiers.some((identifier) => details.includes(identifier));
			if (namesDelegate) {
				for (const mark of contentMarks)
					expect(details.includes(mark), `entry ${entry.seq} (${entry.action}) names a delegate and ${mark}`).toBe(
						false
					);
			}
		}
		// The closing entry counts every cast and digests the marks, the receipts and the ballots.
		const closing = entries.find((entry) => entry.action === 'session.close');
		expect(closing?.details).toMatchObject({ electronicMarks: ELECTRONIC, paperMarks: PAPER, receipts: ELECTRONIC });
		// The paper batch's entry gives counts and scrutineers, not the delegates it covers.
		const batch = entries.find((entry) => entry.action === 'paper_batch.entered');
		expect(batch?.details).toMatchObject({ ballots: PAPER, scrutineers: [scrutineerId] });
	});

	it('lists ballots by content and receipts by hash, never in the order of casting', async () => {
		const all = [...casts.map((cast) => cast.ballot), ...paperBallots];
		const expectedOrder = sorted(all.map(canonicalBallot));
		const castingOrder = casts.map((cast) => canonicalBallot(cast.ballot));
		for (const name of ['staffJson']) {
			const exported = (JSON.parse(outputs[name]!) as { ballots: BallotContent[] }).ballots.map(canonicalBallot);
			expect(exported, name).toEqual(expectedOrder);
			const electronic = exported.filter((canonical) => castingOrder.includes(canonical));
			expect(electronic).not.toEqual(castingOrder);
			expect(
				Math.abs(kendallTau(castingOrder, electronic)),
				`${name}: rank correlation with the order of casting`
			).toBeLessThan(0.3);
		}
		const receiptHashes = (JSON.parse(outputs.receiptsApi!) as { receiptHashes: string[] }).receiptHashes;
		expect(receiptHashes).toEqual(sorted(casts.map((cast) => hex(cast.receiptCode))));
		const pageHashes = [...outputs.receiptsPage!.matchAll(/<li><code>([0-9a-f]{64})<\/code><\/li>/g)].map(
			(match) => match[1]
		);
		expect(pageHashes).toEqual(receiptHashes);
		// Ballot ids are random version-4 UUIDs, not a sequence.
		const ids = await database.sql<
			{ id: string }[]
		>`select id::text from ballot where voting_session_id = ${session.id}`;
		for (const { id } of ids)
			expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		// Residual risk for the database operator (reported, not a property of any output): rows read
		// without ORDER BY come back in the order they were written (receipts, like marks and ballots).
		const heap = await database.sql<
			{ hash: string | null }[]
		>`select encode(receipt_hash, 'hex') as hash from ballot_receipt where voting_session_id = ${session.id}`;
		const heapOrder = heap.map((row) => row.hash!);
		console.log(
			`physical order of ballot rows vs order of casting: Kendall tau ${kendallTau(
				casts.map((cast) => hex(cast.receiptCode)),
				heapOrder
			).toFixed(2)} (1 = same order)`
		);
	});

	it('writes no ballot content and no secret to the server log', () => {
		const raw = app.log();
		console.log(`server log of the whole vote:\n${raw}`);
		expect(raw).toContain('Listening on'); // the capture works
		// The log is JSON lines (pino), besides adapter-node's own "Listening on" line; each request
		// has its id, method, route id and status. Secrets are looked for in the raw text and in the
		// decoded values (JSON escaping must not hide one).
		const lines = raw.split('\n').filter((line) => line.trim() !== '');
		expect(lines.filter((line) => !line.startsWith('{'))).toEqual([expect.stringContaining('Listening on')]);
		const entries = lines
			.filter((line) => line.startsWith('{'))
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		const casting = entries.filter((entry) => entry.msg === 'request' && entry.route === '/vote/[sessionId]');
		expect(casting.length).toBeGreaterThanOrEqual(ELECTRONIC);
		for (const entry of casting) {
			expect(entry).toMatchObject({ level: 'info', method: expect.any(String), status: expect.any(Number) });
			expect(entry.req_id).toMatch(/^[0-9a-f-]{36}$/);
		}
		const valuesOf = (value: unknown): string[] =>
			value !== null && typeof value === 'object' ? Object.values(value).flatMap(valuesOf) : [String(value)];
		const decoded = entries.flatMap(valuesOf).join('\n');
		for (const log of [raw, decoded]) {
			for (const { label, value } of secrets) expect(log.includes(value), `the log holds a ${label}`).toBe(false);
			expect(log.includes(TEST_PASSWORD)).toBe(false);
			for (const candidateId of session.candidateIds)
				expect(log.includes(String(candidateId)), `the log names candidate ${candidateId}`).toBe(false);
			for (const identifier of delegateIdentifiers)
				expect(log.includes(identifier), `the log names delegate ${identifier}`).toBe(false);
		}
	});
});
