// Every refusal of an older trigger carries its own SQLSTATE (migrations/00020_refusal_codes.sql,
// issue 17), provoked here as a database writer would: through the app's runtime role, or as the
// schema's owner where the runtime role may not even try (UPDATE, DELETE and TRUNCATE of the
// append-only tables). Each keeps the message it had, and refusalOf names it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql, type Sql } from '../../src/lib/server/db/client';
import { migrate, readMigrations } from '../../src/lib/server/db/migrate';
import { refusalOf, type RefusalName } from '../../src/lib/server/db/refusal';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, type TestSession } from '../helpers/factory';
import { databaseUrl } from '../helpers/urls';

const database = useTestDatabase();
let sql: Sql;
let owner: Sql;
beforeAll(async () => {
	sql = database.sql;
	owner = database.ownerSql;
});

/** The refusal `work` meets: its SQLSTATE, message and name (refusalOf). Fails the test when it succeeds. */
async function refusal(work: PromiseLike<unknown>): Promise<{ code: string; message: string; refusal?: RefusalName }> {
	try {
		await work;
	} catch (error) {
		const { code, message } = error as { code: string; message: string };
		return { code, message, refusal: refusalOf(error)?.refusal };
	}
	throw new Error('the statement was accepted');
}

function expectRefused(
	found: { code: string; message: string; refusal?: RefusalName },
	code: string,
	name: RefusalName,
	message: RegExp
) {
	expect(found).toEqual({ code, message: expect.stringMatching(message), refusal: name });
}

async function castFor(session: TestSession, index: number): Promise<void> {
	const cast = await castBallot(sql, {
		votingSessionId: session.id,
		delegateId: session.delegates[index]!.id,
		selection: { method: 'approval', candidateIds: [session.candidateIds[0]!] }
	});
	expect(cast.ok).toBe(true);
}

async function categoryOf(candidateId: number): Promise<number> {
	const [row] = await sql<{ id: number }[]>`select category_id as id from candidate where id = ${candidateId}`;
	return row!.id;
}

describe('the catalog', () => {
	it('PJ801–PJ803: a frozen candidate, a category that holds candidates, a frozen category', async () => {
		const session = await createVotingSession(sql, { candidates: 3, seats: 1 });
		const candidateId = session.candidateIds[0]!;
		const categoryId = await categoryOf(candidateId);
		expectRefused(
			await refusal(sql`update candidate set summary = 'changed' where id = ${candidateId}`),
			'PJ801',
			'candidate_frozen',
			new RegExp(`^candidate ${candidateId} is frozen: voting session ${session.id} is open$`)
		);
		expectRefused(
			await refusal(sql`delete from candidate where id = ${candidateId}`),
			'PJ801',
			'candidate_frozen',
			/is frozen/
		);
		expectRefused(
			await refusal(sql`delete from category where id = ${categoryId}`),
			'PJ802',
			'category_not_empty',
			new RegExp(`^category ${categoryId} holds 3 candidates and cannot be deleted$`)
		);
		expectRefused(
			await refusal(sql`update category set name = ${`renamed ${categoryId}`} where id = ${categoryId}`),
			'PJ803',
			'category_frozen',
			/^category \d+ is frozen: its candidates are in voting session \d+, which is open$/
		);
	});
});

describe('voting sessions and the ballot box', () => {
	let open: TestSession;
	let draft: TestSession;
	beforeAll(async () => {
		open = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 3 });
		await castFor(open, 0);
		draft = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2, open: false });
	});

	it('PJ810: the candidate list and the electorate of a session past its draft', async () => {
		expectRefused(
			await refusal(
				sql`delete from electorate_member where voting_session_id = ${open.id} and delegate_id = ${open.delegates[2]!.id}`
			),
			'PJ810',
			'session_list_frozen',
			new RegExp(`^electorate_member of voting session ${open.id} cannot change: it is open$`)
		);
		expectRefused(
			await refusal(
				sql`delete from voting_session_candidate where voting_session_id = ${open.id} and candidate_id = ${open.candidateIds[2]!}`
			),
			'PJ810',
			'session_list_frozen',
			/^voting_session_candidate of voting session \d+ cannot change: it is open$/
		);
	});

	it('PJ811: has-voted marks, ballots, choices and receipts never change (even for the owner)', async () => {
		expectRefused(
			await refusal(owner`update ballot set is_void = true where voting_session_id = ${open.id}`),
			'PJ811',
			'ballot_box_append_only',
			/^ballot rows are never changed or deleted$/
		);
		expectRefused(
			await refusal(owner`delete from ballot_choice where voting_session_id = ${open.id}`),
			'PJ811',
			'ballot_box_append_only',
			/^ballot_choice rows are never changed or deleted$/
		);
		expectRefused(
			await refusal(owner`delete from ballot_receipt where voting_session_id = ${open.id}`),
			'PJ811',
			'ballot_box_append_only',
			/^ballot_receipt rows are never changed or deleted$/
		);
		expectRefused(
			await refusal(owner`update ballot_mark set channel = 'paper' where voting_session_id = ${open.id}`),
			'PJ811',
			'ballot_box_append_only',
			/^ballot_mark rows are never changed or deleted$/
		);
		expectRefused(
			await refusal(owner`delete from ballot_mark where voting_session_id = ${open.id}`),
			'PJ811',
			'ballot_box_append_only',
			/^ballot_mark rows are never changed or deleted$/
		);
	});

	it('PJ812: no mark, ballot, receipt or paper batch for a session that is not open', async () => {
		const message = new RegExp(`^voting session ${draft.id} is not open$`);
		expectRefused(
			await refusal(
				sql`insert into ballot_mark (voting_session_id, delegate_id) values (${draft.id}, ${draft.delegates[0]!.id})`
			),
			'PJ812',
			'session_not_open',
			message
		);
		expectRefused(
			await refusal(sql`insert into ballot (voting_session_id) values (${draft.id})`),
			'PJ812',
			'session_not_open',
			message
		);
		expectRefused(
			await refusal(
				sql`insert into ballot_receipt (receipt_hash, voting_session_id) values (sha256('x'::bytea), ${draft.id})`
			),
			'PJ812',
			'session_not_open',
			message
		);
		const staff = await createUser(sql, ['staff']);
		expectRefused(
			await refusal(
				sql`insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${draft.id}, ${staff.id}, 1)`
			),
			'PJ812',
			'session_not_open',
			message
		);
	});

	it('PJ813, PJ814: a tally is stored only for a closed session, and never changed', async () => {
		expectRefused(
			await refusal(
				sql`insert into voting_result (voting_session_id, tally, ballots_digest) values (${open.id}, '{}', 'x')`
			),
			'PJ814',
			'tally_before_close',
			/^a tally is stored only for a closed voting session$/
		);
		const closing = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 1 });
		await castFor(closing, 0);
		expect(await applyLifecycle(sql, closing.id, 'close', null)).toMatchObject({ ok: true });
		expectRefused(
			await refusal(owner`update voting_result set ballots_digest = 'forged' where voting_session_id = ${closing.id}`),
			'PJ813',
			'tally_fixed',
			/^a stored tally is never changed or deleted$/
		);
	});

	it('PJ815: a choice the ballot method does not have', async () => {
		const found = await refusal(
			sql.begin(async (tx) => {
				const [ballot] = await tx<
					{ id: string }[]
				>`insert into ballot (voting_session_id) values (${open.id}) returning id`;
				await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
					values (${ballot!.id}, ${open.id}, ${open.candidateIds[0]!}, 'satisfied')`;
			})
		);
		expectRefused(
			found,
			'PJ815',
			'choice_not_allowed',
			new RegExp(`^the choice satisfied is not allowed on a ballot of voting session ${open.id} \\(approval\\)$`)
		);
	});

	it('PJ816, PJ130, PJ103: an evaluation opens with projects, keeps its abstain rule, and takes only complete ballots', async () => {
		const [empty] = await sql<{ id: number }[]>`
			insert into voting_session (title, year, ballot_method, seats) values ('empty evaluation', 2022, 'evaluation', null)
			returning id`;
		expectRefused(
			await refusal(sql`update voting_session set status = 'open' where id = ${empty!.id}`),
			'PJ816',
			'evaluation_without_projects',
			new RegExp(`^evaluation session ${empty!.id} has no projects to evaluate$`)
		);
		expectRefused(
			await refusal(sql`update voting_session set allow_abstain = true where id = ${open.id}`),
			'PJ130',
			'session_rules_frozen',
			new RegExp(`^the rules of voting session ${open.id} are frozen since it opened$`)
		);

		// An open evaluation of two projects: a ballot with one choice is refused at commit.
		const delegate = await createUser(sql, ['delegate']);
		const [evaluation] = await sql<{ id: number }[]>`
			insert into voting_session (title, year, ballot_method, seats) values ('evaluation', 2022, 'evaluation', null)
			returning id`;
		const id = evaluation!.id;
		await sql`insert into voting_session_candidate (voting_session_id, candidate_id, position)
			values (${id}, ${open.candidateIds[0]!}, 1), (${id}, ${open.candidateIds[1]!}, 2)`;
		await sql`insert into electorate_member (voting_session_id, delegate_id, present) values (${id}, ${delegate.id}, true)`;
		await sql`update voting_session set status = 'open' where id = ${id}`;
		const incomplete = await refusal(
			sql.begin(async (tx) => {
				await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${id}, ${delegate.id})`;
				const [ballot] = await tx<{ id: string }[]>`insert into ballot (voting_session_id) values (${id}) returning id`;
				await tx`insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
					values (${ballot!.id}, ${id}, ${open.candidateIds[0]!}, 'satisfied')`;
			})
		);
		expectRefused(
			incomplete,
			'PJ103',
			'ballot_breaks_rules',
			/^an evaluation ballot needs a choice for each of the 2 projects, it has 1$/
		);
	});
});

describe('a voting session’s own moves (voting_session_guard, as 00013 left it)', () => {
	let staff: { id: number };
	let scrutineer: { id: number };
	beforeAll(async () => {
		staff = await createUser(sql, ['staff']);
		scrutineer = await createUser(sql, ['scrutineer']);
	});

	/** A closed session confirmed by `scrutineer` (its confirmation recorded, as confirmTally does). */
	async function confirmed(session: TestSession, options: { setConfirmedBy: boolean }): Promise<void> {
		await sql`insert into session_confirmation (voting_session_id, user_id) values (${session.id}, ${scrutineer.id})`;
		if (options.setConfirmedBy)
			await sql`update voting_session set confirmed_by = ${scrutineer.id} where id = ${session.id}`;
	}

	it('PJ817, PJ818, PJ130: a session past its draft is not deleted, moves one step at a time, keeps its rules', async () => {
		const open = await createVotingSession(sql, { candidates: 3, seats: 1 });
		expectRefused(
			await refusal(sql`delete from voting_session where id = ${open.id}`),
			'PJ817',
			'session_not_deletable',
			new RegExp(`^voting session ${open.id} is open and cannot be deleted$`)
		);
		expectRefused(
			await refusal(sql`update voting_session set status = 'published' where id = ${open.id}`),
			'PJ818',
			'session_status_step',
			/^voting session status cannot move from open to published$/
		);
		expectRefused(
			await refusal(sql`update voting_session set seats = 2 where id = ${open.id}`),
			'PJ130',
			'session_rules_frozen',
			new RegExp(`^the rules of voting session ${open.id} are frozen since it opened$`)
		);
	});

	it('PJ823, PJ824: a session opens with more candidates than seats, and an electorate', async () => {
		const even = await createVotingSession(sql, { candidates: 2, seats: 2, open: false });
		expectRefused(
			await refusal(sql`update voting_session set status = 'open' where id = ${even.id}`),
			'PJ823',
			'too_few_candidates',
			new RegExp(`^voting session ${even.id} needs more candidates than its 2 seats to open$`)
		);
		const empty = await createVotingSession(sql, { candidates: 3, seats: 1, open: false });
		await sql`delete from electorate_member where voting_session_id = ${empty.id}`;
		expectRefused(
			await refusal(sql`update voting_session set status = 'open' where id = ${empty.id}`),
			'PJ824',
			'no_electorate',
			new RegExp(`^voting session ${empty.id} has no enrolled delegates$`)
		);
	});

	it('PJ819–PJ822: a tally is confirmed once, after closing, by a scrutineer; published_by only by publishing', async () => {
		const open = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 1 });
		expectRefused(
			await refusal(sql`update voting_session set confirmed_at = now() where id = ${open.id}`),
			'PJ820',
			'confirm_before_close',
			/^only a closed voting session can be confirmed$/
		);
		expectRefused(
			await refusal(sql`update voting_session set published_by = ${staff.id} where id = ${open.id}`),
			'PJ822',
			'published_by_outside_publishing',
			/^published_by is set only by publishing$/
		);
		expect(await applyLifecycle(sql, open.id, 'close', null)).toMatchObject({ ok: true });
		expectRefused(
			await refusal(sql`update voting_session set confirmed_at = now() where id = ${open.id}`),
			'PJ821',
			'confirmer_not_scrutineer',
			/^a tally is confirmed by a scrutineer$/
		);
		await confirmed(open, { setConfirmedBy: true });
		const other = await createUser(sql, ['scrutineer']);
		expectRefused(
			await refusal(sql`update voting_session set confirmed_by = ${other.id} where id = ${open.id}`),
			'PJ819',
			'tally_already_confirmed',
			new RegExp(`^the tally of voting session ${open.id} is already confirmed$`)
		);
	});

	it('PJ825–PJ827: publishing needs a stored tally, the confirmation, and a staff member', async () => {
		// Closed by hand, without a tally (the app always stores one when it closes).
		const untallied = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 1 });
		await sql`update voting_session set status = 'closed' where id = ${untallied.id}`;
		await confirmed(untallied, { setConfirmedBy: true });
		expectRefused(
			await refusal(
				sql`update voting_session set status = 'published', published_by = ${staff.id} where id = ${untallied.id}`
			),
			'PJ825',
			'no_tally',
			new RegExp(`^voting session ${untallied.id} has no tally to publish$`)
		);
		// The scrutineer's confirmation recorded, but not marked on the session.
		const unmarked = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 1 });
		expect(await applyLifecycle(sql, unmarked.id, 'close', null)).toMatchObject({ ok: true });
		await confirmed(unmarked, { setConfirmedBy: false });
		expectRefused(
			await refusal(
				sql`update voting_session set status = 'published', published_by = ${staff.id} where id = ${unmarked.id}`
			),
			'PJ826',
			'publish_unconfirmed',
			new RegExp(`^voting session ${unmarked.id} must be confirmed by a scrutineer before it is published$`)
		);
		const delegate = await createUser(sql, ['delegate']);
		await sql`update voting_session set confirmed_by = ${scrutineer.id} where id = ${unmarked.id}`;
		expectRefused(
			await refusal(
				sql`update voting_session set status = 'published', published_by = ${delegate.id} where id = ${unmarked.id}`
			),
			'PJ827',
			'publisher_not_staff',
			/^a voting session is published by a staff member$/
		);
	});
});

describe('paper batches', () => {
	it('PJ830, PJ831: a batch whose marks differ from its ballot count, a batch that names no scrutineer', async () => {
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 2 });
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		const enter = (ballotCount: number, scrutineers: number[]) =>
			sql.begin(async (tx) => {
				const [batch] = await tx<{ id: number }[]>`
					insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, ${ballotCount})
					returning id`;
				for (const scrutineerId of scrutineers)
					await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${batch!.id}, ${scrutineerId})`;
				await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id)
					values (${session.id}, ${session.delegates[0]!.id}, 'paper', ${batch!.id})`;
				await tx`insert into paper_batch_ballot (paper_batch_id, voting_session_id, is_void) values (${batch!.id}, ${session.id}, true)`;
			});
		expectRefused(
			await refusal(enter(2, [scrutineer.id])),
			'PJ830',
			'paper_batch_count_mismatch',
			/^paper batch \d+ covers 1 delegates but holds 2 ballots$/
		);
		expectRefused(
			await refusal(enter(1, [])),
			'PJ831',
			'paper_batch_without_scrutineer',
			/^paper batch \d+ names no scrutineer$/
		);
	});
});

describe('a paper batch’s scrutineers (paper_batch_scrutineer_guard, as 00013 left it)', () => {
	it('PJ832, PJ120: only scrutineers are named, and a batch’s names never change', async () => {
		const session = await createVotingSession(sql, { candidates: 3, seats: 1, delegates: 1 });
		const staff = await createUser(sql, ['staff']);
		const scrutineer = await createUser(sql, ['scrutineer']);
		const enter = (named: number) =>
			sql.begin(async (tx) => {
				const [batch] = await tx<{ id: number }[]>`
					insert into paper_batch (voting_session_id, entered_by, ballot_count) values (${session.id}, ${staff.id}, 1)
					returning id`;
				await tx`insert into paper_batch_scrutineer (paper_batch_id, scrutineer_id) values (${batch!.id}, ${named})`;
				await tx`insert into ballot_mark (voting_session_id, delegate_id, channel, paper_batch_id)
					values (${session.id}, ${session.delegates[0]!.id}, 'paper', ${batch!.id})`;
				await tx`insert into paper_batch_ballot (paper_batch_id, voting_session_id, is_void) values (${batch!.id}, ${session.id}, true)`;
				return batch!.id;
			});
		expectRefused(
			await refusal(enter(staff.id)),
			'PJ832',
			'not_scrutineer',
			new RegExp(`^user ${staff.id} is not a scrutineer$`)
		);
		const batchId = (await enter(scrutineer.id)) as number;
		expectRefused(
			await refusal(
				owner`update paper_batch_scrutineer set scrutineer_id = ${staff.id} where paper_batch_id = ${batchId}`
			),
			'PJ120',
			'paper_batch_fixed',
			/^paper batches are never changed or deleted$/
		);
	});
});

describe('the audit chain and the append-only tables', () => {
	it('PJ840, PJ841: the chain is append-only and no kept table is truncated, even by the owner', async () => {
		await createVotingSession(sql, { open: false });
		expectRefused(
			await refusal(owner`update audit_entry set action = 'forged'`),
			'PJ840',
			'audit_append_only',
			/^the audit chain is append-only$/
		);
		expectRefused(
			await refusal(owner`truncate audit_entry`),
			'PJ841',
			'truncate_refused',
			/^audit_entry cannot be truncated$/
		);
		expectRefused(
			await refusal(owner`truncate selection_support`),
			'PJ841',
			'truncate_refused',
			/^selection_support cannot be truncated$/
		);
	});
});

describe('proposals', () => {
	let resident: { id: number };
	let staff: { id: number };
	let campaignId: number;
	let categoryId: number;

	async function proposal(status: 'draft' | 'submitted'): Promise<number> {
		const [row] = await sql<{ id: number }[]>`
			insert into proposal (campaign_id, author_id, status, title, category_id, district, problem, measure, beneficiaries)
			values (${campaignId}, ${resident.id}, ${status}, '路灯', ${categoryId}, '椒江区', '太暗', '加灯', '居民')
			returning id`;
		return row!.id;
	}

	beforeAll(async () => {
		resident = await createUser(sql, ['resident']);
		staff = await createUser(sql, ['staff']);
		const [campaign] = await sql<{ id: number }[]>`
			insert into proposal_campaign (year, title, opens_at, closes_at)
			values (2022, '征集', now() - interval '1 day', now() + interval '1 day') returning id`;
		campaignId = campaign!.id;
		categoryId = await categoryOf((await createVotingSession(sql, { open: false })).candidateIds[0]!);
	});

	it('PJ850–PJ852: deleting a submitted proposal, a new one past submission, a campaign not open', async () => {
		const submitted = await proposal('submitted');
		expectRefused(
			await refusal(sql`delete from proposal where id = ${submitted}`),
			'PJ850',
			'proposal_not_deletable',
			new RegExp(`^proposal ${submitted} is submitted and cannot be deleted$`)
		);
		expectRefused(
			await refusal(
				sql`insert into proposal (campaign_id, author_id, status, title) values (${campaignId}, ${resident.id}, 'accepted', 'x')`
			),
			'PJ851',
			'proposal_new_status',
			/^a new proposal is a draft or submitted, not accepted$/
		);
		const [closed] = await sql<{ id: number }[]>`
			insert into proposal_campaign (year, title, opens_at, closes_at)
			values (2021, '已结束', now() - interval '2 days', now() - interval '1 day') returning id`;
		expectRefused(
			await refusal(
				sql`insert into proposal (campaign_id, author_id, title) values (${closed!.id}, ${resident.id}, 'late')`
			),
			'PJ852',
			'campaign_closed',
			new RegExp(`^campaign ${closed!.id} is not open for proposals$`)
		);
	});

	it('PJ853–PJ856: identity, status steps, dates and content of a submitted proposal', async () => {
		const id = await proposal('submitted');
		const other = await createUser(sql, ['resident']);
		expectRefused(
			await refusal(sql`update proposal set author_id = ${other.id} where id = ${id}`),
			'PJ853',
			'proposal_identity_fixed',
			new RegExp(`^the identity of proposal ${id} cannot change$`)
		);
		expectRefused(
			await refusal(sql`update proposal set status = 'accepted' where id = ${id}`),
			'PJ854',
			'proposal_status_step',
			/^proposal status cannot move from submitted to accepted$/
		);
		expectRefused(
			await refusal(sql`update proposal set submitted_at = now() - interval '1 day' where id = ${id}`),
			'PJ855',
			'proposal_dates_by_status',
			new RegExp(`^the dates of proposal ${id} are set by its status$`)
		);
		expectRefused(
			await refusal(sql`update proposal set title = '改了' where id = ${id}`),
			'PJ856',
			'proposal_content_fixed',
			new RegExp(`^proposal ${id} was submitted: its content cannot change$`)
		);
	});

	it('PJ857–PJ859: a final decision, a reason without a decision, a hidden draft', async () => {
		const decided = await proposal('submitted');
		await sql`update proposal set status = 'under_review' where id = ${decided}`;
		const undecided = await proposal('submitted');
		await sql`update proposal set status = 'under_review' where id = ${undecided}`;
		await sql`update proposal set status = 'declined', decision_reason = '重复', decided_by = ${staff.id} where id = ${decided}`;
		expectRefused(
			await refusal(sql`update proposal set decision_reason = '另一个理由' where id = ${decided}`),
			'PJ857',
			'proposal_decision_final',
			new RegExp(`^the decision on proposal ${decided} is final$`)
		);
		expectRefused(
			await refusal(sql`update proposal set decision_reason = '理由' where id = ${undecided}`),
			'PJ858',
			'proposal_reason_without_decision',
			/^a decision reason comes with a decision$/
		);
		const draft = await proposal('draft');
		expectRefused(
			await refusal(
				sql`update proposal set hidden_at = now(), hidden_by = ${staff.id}, hidden_reason = '不当' where id = ${draft}`
			),
			'PJ859',
			'proposal_draft_hidden',
			/^a draft is not public and cannot be hidden$/
		);
	});
});

describe('the online public selection', () => {
	let candidateIds: number[];
	let resident: { id: number };

	/** A round of the candidates, opened an hour ago unless `opensIn` says otherwise. */
	async function round(opensIn = '-1 hour'): Promise<number> {
		return (await sql.begin(async (tx) => {
			const [row] = await tx<{ id: number }[]>`
				insert into selection_round (title, opens_at, closes_at, max_supports, eligibility)
				values ('评选', now() + ${opensIn}::interval, now() + interval '1 day', 2, 'registered') returning id`;
			await tx`insert into selection_round_candidate ${tx(
				candidateIds.map((candidateId, index) => ({
					round_id: row!.id,
					candidate_id: candidateId,
					position: index + 1
				}))
			)}`;
			return row!.id;
		})) as number;
	}

	beforeAll(async () => {
		candidateIds = (await createVotingSession(sql, { candidates: 3, open: false })).candidateIds;
		resident = await createUser(sql, ['resident']);
	});

	it('PJ860–PJ863: an opened round is not deleted, keeps its rules and candidates, and only closes earlier', async () => {
		const id = await round();
		expectRefused(
			await refusal(sql`delete from selection_round where id = ${id}`),
			'PJ860',
			'round_not_deletable',
			new RegExp(`^selection round ${id} has opened and cannot be deleted$`)
		);
		expectRefused(
			await refusal(sql`update selection_round set max_supports = 3 where id = ${id}`),
			'PJ861',
			'round_rules_frozen',
			new RegExp(`^the rules of selection round ${id} are frozen since it opened$`)
		);
		expectRefused(
			await refusal(sql`update selection_round set closes_at = now() + interval '2 days' where id = ${id}`),
			'PJ862',
			'round_only_closed_earlier',
			new RegExp(`^selection round ${id} can only be closed earlier, not reopened or extended$`)
		);
		expectRefused(
			await refusal(
				sql`delete from selection_round_candidate where round_id = ${id} and candidate_id = ${candidateIds[0]!}`
			),
			'PJ863',
			'round_candidates_frozen',
			new RegExp(`^the candidates of selection round ${id} are frozen since it opened$`)
		);
	});

	it('PJ864–PJ868: residents only, while open; participants, supports and the tally keep what the supports made', async () => {
		const id = await round();
		const delegate = await createUser(sql, ['delegate']);
		expectRefused(
			await refusal(sql`insert into selection_participant (round_id, resident_id) values (${id}, ${delegate.id})`),
			'PJ864',
			'not_resident',
			new RegExp(`^user ${delegate.id} is not a resident$`)
		);
		const later = await round('1 hour');
		expectRefused(
			await refusal(sql`insert into selection_participant (round_id, resident_id) values (${later}, ${resident.id})`),
			'PJ865',
			'round_not_open',
			new RegExp(`^selection round ${later} is not open$`)
		);
		await sql.begin(async (tx) => {
			await tx`insert into selection_participant (round_id, resident_id) values (${id}, ${resident.id})`;
			await tx`insert into selection_support (round_id, resident_id, candidate_id) values (${id}, ${resident.id}, ${candidateIds[0]!})`;
		});
		expectRefused(
			await refusal(
				sql`update selection_participant set max_supports = 3 where round_id = ${id} and resident_id = ${resident.id}`
			),
			'PJ866',
			'participant_fixed',
			/^a participant keeps their round and its limit$/
		);
		expectRefused(
			await refusal(sql`update selection_support set candidate_id = ${candidateIds[1]!} where round_id = ${id}`),
			'PJ867',
			'support_fixed',
			/^a support is withdrawn and given again, never changed$/
		);
		expectRefused(
			await refusal(sql`update selection_tally set supports = supports + 100 where round_id = ${id}`),
			'PJ868',
			'selection_tally_fixed',
			/^the selection tally is kept by the supports and never edited$/
		);
		// A closed round takes no withdrawal either (the same code as joining a round not open).
		await sql`update selection_round set closes_at = now() where id = ${id}`;
		expectRefused(
			await refusal(sql`delete from selection_support where round_id = ${id}`),
			'PJ865',
			'round_not_open',
			new RegExp(`^selection round ${id} is not open$`)
		);
	});
});

describe('delivery tracking', () => {
	let projectId: number;
	let delegate: { id: number };
	let staff: { id: number };

	beforeAll(async () => {
		const session = await createVotingSession(sql, { candidates: 3, open: false });
		const [project] = await sql<{ id: number }[]>`
			insert into livelihood_project (candidate_id, voting_session_id, year, rank, votes_for, category, title)
			values (${session.candidateIds[0]!}, ${session.id}, 2022, 1, 3, '交通', '路灯') returning id`;
		projectId = project!.id;
		delegate = await createUser(sql, ['delegate']);
		staff = await createUser(sql, ['staff']);
	});

	it('PJ870–PJ873: projects, progress updates and photos never change; one percentage per target', async () => {
		expectRefused(
			await refusal(owner`update livelihood_project set title = '改了' where id = ${projectId}`),
			'PJ870',
			'project_fixed',
			/^livelihood projects are never changed or deleted$/
		);
		expectRefused(
			await refusal(sql`insert into progress_update (project_id, reported_on, body, target_percentages, status, author_id)
				values (${projectId}, current_date, '进展', '{10,20}', 'on_track', ${staff.id})`),
			'PJ872',
			'progress_percentages',
			new RegExp(`^project ${projectId} needs 1 percentages, one per target, not 2$`)
		);
		const [update] = await sql<{ id: number }[]>`
			insert into progress_update (project_id, reported_on, body, target_percentages, status, author_id)
			values (${projectId}, current_date, '进展', '{10}', 'on_track', ${staff.id}) returning id`;
		expectRefused(
			await refusal(owner`update progress_update set body = '改了' where id = ${update!.id}`),
			'PJ871',
			'progress_update_fixed',
			/^progress updates are never changed or deleted$/
		);
		await sql`insert into progress_photo (progress_update_id, position, media_type, width, height, content, sha256)
			values (${update!.id}, 1, 'image/png', 1, 1, '\\x01'::bytea, sha256('\\x01'::bytea))`;
		expectRefused(
			await refusal(owner`delete from progress_photo where progress_update_id = ${update!.id}`),
			'PJ873',
			'photo_fixed',
			/^photos are never changed or deleted$/
		);
	});

	it('PJ874–PJ880: monitoring groups of delegates, and inspection notes from their members, reviewed once by staff', async () => {
		expectRefused(
			await refusal(
				sql`insert into monitoring_group_member (project_id, delegate_id) values (${projectId}, ${staff.id})`
			),
			'PJ874',
			'monitor_not_delegate',
			new RegExp(`^user ${staff.id} is not a delegate$`)
		);
		expectRefused(
			await refusal(
				sql`insert into inspection_note (project_id, author_id, visited_on, body) values (${projectId}, ${delegate.id}, current_date, '看了')`
			),
			'PJ877',
			'inspection_note_outside_group',
			new RegExp(`^user ${delegate.id} is not in the monitoring group of project ${projectId}$`)
		);
		await sql`insert into monitoring_group_member (project_id, delegate_id) values (${projectId}, ${delegate.id})`;
		expectRefused(
			await refusal(sql`insert into inspection_note (project_id, author_id, visited_on, body, status, reviewed_by, reviewed_at)
				values (${projectId}, ${delegate.id}, current_date, '看了', 'approved', ${staff.id}, now())`),
			'PJ876',
			'inspection_note_starts_pending',
			/^an inspection note starts pending$/
		);
		const [note] = await sql<{ id: number }[]>`
			insert into inspection_note (project_id, author_id, visited_on, body) values (${projectId}, ${delegate.id}, current_date, '看了')
			returning id`;
		const id = note!.id;
		expectRefused(
			await refusal(sql`delete from inspection_note where id = ${id}`),
			'PJ875',
			'inspection_note_kept',
			/^inspection notes are never deleted$/
		);
		expectRefused(
			await refusal(sql`update inspection_note set body = '改了' where id = ${id}`),
			'PJ878',
			'inspection_note_text_fixed',
			/^an inspection note's text never changes$/
		);
		expectRefused(
			await refusal(
				sql`update inspection_note set status = 'approved', reviewed_by = ${delegate.id}, reviewed_at = now() where id = ${id}`
			),
			'PJ880',
			'inspection_note_reviewer_not_staff',
			/^inspection notes are reviewed by staff$/
		);
		await sql`update inspection_note set status = 'approved', reviewed_by = ${staff.id}, reviewed_at = now() where id = ${id}`;
		expectRefused(
			await refusal(sql`update inspection_note set status = 'rejected' where id = ${id}`),
			'PJ879',
			'inspection_note_reviewed',
			new RegExp(`^inspection note ${id} is already reviewed$`)
		);
	});
});

describe('every refusal of a live trigger function', () => {
	it('carries a code of class PJ', async () => {
		const functions = await owner<{ name: string; body: string }[]>`
			select p.proname as name, p.prosrc as body from pg_proc p join pg_language l on l.oid = p.prolang
			where p.pronamespace = 'public'::regnamespace and l.lanname = 'plpgsql' order by p.proname`;
		expect(functions.length).toBeGreaterThan(40);
		const uncoded = functions.flatMap(({ name, body }) =>
			[...body.matchAll(/raise\s+exception\b[\s\S]*?;/gi)]
				.map((match) => match[0])
				.filter((statement) => !/errcode\s*=\s*'PJ[0-9A-Z]{3}'/.test(statement))
				.map((statement) => `${name}: ${statement.replace(/\s+/g, ' ')}`)
		);
		expect(uncoded).toEqual([]);
	});
});

describe('00020 and a function redefined before it', () => {
	it('stops instead of undoing the redefinition', async () => {
		const name = `${inject('templateDatabase').replace(/_template$/, '')}_refusal_${process.env.VITEST_POOL_ID ?? '0'}`;
		const admin = createSql(inject('serverUrl'), { max: 1 });
		await admin.unsafe(`drop database if exists "${name}" with (force)`);
		await admin.unsafe(`create database "${name}"`);
		const fresh = createSql(databaseUrl(inject('serverUrl'), name), { max: 1 });
		try {
			const directory = await mkdtemp(path.join(tmpdir(), 'piaojue-migrations-'));
			const files = await readMigrations();
			const before = files.filter((file) => file.version < 20).at(-1)!;
			for (const file of files) {
				const redefinition =
					"\ncreate or replace function refuse_truncate() returns trigger language plpgsql as $$\nbegin\n  raise exception 'no truncation of %', tg_table_name using errcode = 'PJ841';\nend $$;\n";
				await writeFile(path.join(directory, file.name), file === before ? `${file.body}${redefinition}` : file.body);
			}
			await expect(migrate(fresh, { directory })).rejects.toThrow(
				/00020_refusal_codes\.sql failed: function refuse_truncate is not the definition 00020_refusal_codes\.sql was written against/
			);
			const [applied] = await fresh<{ version: number }[]>`select max(version) as version from schema_migration`;
			expect(applied!.version).toBe(19);
		} finally {
			await fresh.end();
			await admin.unsafe(`drop database if exists "${name}" with (force)`);
			await admin.end();
		}
	});
});
