// The bare baseline (scenario 7): node:http and postgres.js, nothing else, running the same SQL
// as the app with no framework, no session cookie and no validation. What the app adds on top of
// this is what scenarios 1 and 2 measure against it.
//   POST /cast     `session`, `delegate`, repeated `candidate`: the statements of castBallot in
//                  src/lib/server/voting/casting.ts, pipelined the same way (lock the session FOR
//                  SHARE, check the enrolment, read the candidate list; write the mark, presence
//                  and ballot; the choices, NOTIFY and audit entry with the COMMIT)
//   POST /support  `round`, `resident`, repeated `candidate`: the statements of replaceSupports in
//                  src/lib/server/residents/selection.ts
//
// Run by bench/run.ts: DATABASE_URL=… PORT=… node --import tsx bench/baseline.ts
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import postgres from 'postgres';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const sql = postgres(databaseUrl, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {} });

async function cast(votingSessionId: number, delegateId: number, candidateIds: number[]): Promise<string | null> {
	const receipt = randomBytes(16).toString('hex');
	// Pipelined like the app's cast: the reads in one round trip, the writes in another, and the
	// choices, the NOTIFY and the audit entry together with the COMMIT.
	let closing: Promise<unknown> = Promise.resolve();
	const cast = await sql.begin(async (tx) => {
		const [[session], [member]] = await Promise.all([
			tx`
				select status, ballot_method, seats, threshold_base,
				       case when opens_at is not null and now() < opens_at then 'early'
				            when closes_at is not null and now() >= closes_at then 'late' else 'ok' end as timing
				from voting_session where id = ${votingSessionId} for share`,
			tx`
				select exists (select 1 from ballot_mark m where m.voting_session_id = e.voting_session_id and m.delegate_id = e.delegate_id) as has_voted,
				       e.present
				from electorate_member e where e.voting_session_id = ${votingSessionId} and e.delegate_id = ${delegateId}`,
			tx`select candidate_id from voting_session_candidate where voting_session_id = ${votingSessionId} order by position`
		]);
		if (!session || !member || member.has_voted || !member.present) return false;
		const [marked, [ballot]] = await Promise.all([
			tx`insert into ballot_mark (voting_session_id, delegate_id) values (${votingSessionId}, ${delegateId}) on conflict do nothing`,
			tx`insert into ballot (voting_session_id) values (${votingSessionId}) returning id, date_trunc('minute', now()) as cast_at`,
			tx`insert into ballot_receipt (receipt_hash, voting_session_id) values (${createHash('sha256').update(receipt).digest()}, ${votingSessionId})`
		]);
		if (marked.count !== 1) throw new Error('already voted');
		closing = Promise.all([
			candidateIds.length > 0
				? tx`insert into ballot_choice ${tx(
						candidateIds.map((candidateId) => ({
							ballot_id: ballot!.id,
							voting_session_id: votingSessionId,
							candidate_id: candidateId,
							choice: 'for'
						}))
					)}`.execute()
				: null,
			tx`select pg_notify('piaojue_turnout', ${String(votingSessionId)})`.execute(),
			tx`
				insert into audit_entry (seq, actor_user_id, action, voting_session_id, details, hash)
				values (0, ${null}, 'ballot.cast', ${votingSessionId}, ${tx.json({})}, '\\x')`.execute()
		]);
		closing.catch(() => {});
		return true;
	});
	await closing;
	return cast ? receipt : null;
}

/** The same SQL as replaceSupports in src/lib/server/residents/selection.ts, without its checks. */
async function support(roundId: number, residentId: number, candidateIds: number[]): Promise<void> {
	const TALLY_SHARDS = 16;
	await sql`
		select r.id, r.title, r.opens_at, r.closes_at, r.max_supports, r.live_ranking, r.eligibility, r.results_final_at,
		       (select count(*) from selection_round_candidate rc where rc.round_id = r.id)::int as candidate_count, now() as database_now
		from selection_round r where r.id = ${roundId}`;
	await sql`
		select c.id, c.title, c.summary, g.id as category_id, g.name as category_name, rc.position
		from selection_round_candidate rc join candidate c on c.id = rc.candidate_id join category g on g.id = c.category_id
		where rc.round_id = ${roundId}
		order by g.position, g.id, rc.position`;
	await sql`
		select mobile_verified_at is not null as mobile_verified, identity_verified_at is not null as identity_verified
		from resident_profile where user_id = ${residentId}`;
	const wanted = [...candidateIds].sort((a, b) => a - b);
	await sql.begin(async (tx) => {
		await tx`
			insert into selection_participant (round_id, resident_id, max_supports, address_prefix, user_agent, changed_at)
			values (${roundId}, ${residentId}, 0, '127.0.0.0/24'::cidr, 'bench', now())
			on conflict (round_id, resident_id) do update set
				address_prefix = excluded.address_prefix, user_agent = excluded.user_agent, changed_at = excluded.changed_at`;
		const current = (
			await tx`select candidate_id from selection_support where round_id = ${roundId} and resident_id = ${residentId} order by candidate_id`
		).map((row) => Number(row.candidate_id));
		const toRemove = current.filter((id) => !wanted.includes(id));
		const toAdd = wanted.filter((id) => !current.includes(id));
		const touched = [...toRemove, ...toAdd].sort((a, b) => a - b);
		if (touched.length === 0) return;
		await tx`
			select 1 from selection_tally
			where round_id = ${roundId} and shard = ${residentId % TALLY_SHARDS} and candidate_id = any(${touched}::bigint[])
			order by candidate_id for update`;
		if (toRemove.length > 0)
			await tx`delete from selection_support where round_id = ${roundId} and resident_id = ${residentId} and candidate_id = any(${toRemove}::bigint[])`;
		if (toAdd.length > 0)
			await tx`insert into selection_support ${tx(toAdd.map((candidateId) => ({ round_id: roundId, resident_id: residentId, candidate_id: candidateId })))}`;
	});
}

const endpoints: Record<string, (form: URLSearchParams) => Promise<string | null>> = {
	'/cast': (form) =>
		cast(Number(form.get('session')), Number(form.get('delegate')), form.getAll('candidate').map(Number)).then(
			(receipt) => (receipt ? `cast ${receipt}` : null)
		),
	'/support': (form) =>
		support(Number(form.get('round')), Number(form.get('resident')), form.getAll('candidate').map(Number)).then(
			() => 'saved'
		)
};

const server = http.createServer((request, response) => {
	const endpoint = request.method === 'POST' ? endpoints[request.url ?? ''] : undefined;
	if (!endpoint) {
		response.writeHead(request.url === '/healthz' ? 200 : 404).end();
		return;
	}
	const chunks: Buffer[] = [];
	request.on('data', (chunk: Buffer) => chunks.push(chunk));
	request.on('end', () => {
		endpoint(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
			(answer) => {
				response.writeHead(answer ? 200 : 409, { 'content-type': 'text/html; charset=utf-8' });
				response.end(answer ?? 'refused');
			},
			(error: Error) => {
				response.writeHead(500, { 'content-type': 'text/plain' });
				response.end(error.message);
			}
		);
	});
});

server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => {
	server.close();
	server.closeAllConnections();
	void sql.end({ timeout: 5 }).then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
