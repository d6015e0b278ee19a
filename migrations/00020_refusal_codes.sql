-- A code on every older refusal (issue 17). Migrations 00001–00010 (and a few refusals of 00014 and
-- 00016) raised their refusals with the default SQLSTATE P0001, and the application told them apart
-- by their English text. Each function that did is recreated here with the same body and the same
-- messages, each refusal raising its own SQLSTATE. src/lib/server/db/refusal.ts names every code
-- and turns a database error into a named refusal; the application recognises refusals only so.
--
-- The codes, by area: PJ80x the catalog; PJ81x–PJ82x voting sessions and the ballot box; PJ83x
-- paper batches; PJ84x the audit chain and truncation; PJ85x proposals; PJ86x the online selection;
-- PJ87x–PJ88x delivery tracking. One code per distinct refusal: where two functions refuse the
-- same thing they share its code ("voting session … is not open" for has-voted marks, ballots and
-- paper batches alike), and two refusals take the code a newer migration already gave the same
-- refusal: PJ130 (the rules of a voting session are frozen since it opened: allow_abstain, as
-- publish_ballots) and PJ103 (a valid ballot breaks its method's rule at commit: an evaluation
-- ballot without a choice per project, as the other methods' ballots).
--
-- voting_session_guard and paper_batch_scrutineer_guard are recreated from 00013 (issue 13 part 2
-- redefined 00002's); the repeated "paper batches are never changed or deleted" takes PJ120 (a paper
-- batch never changes), and "the rules … are frozen since it opened" PJ130, as above.

-- ---------------------------------------------------------------- nothing redefined since
-- Each function below is recreated from its latest definition (the migration named above it) with
-- only its error codes changed. Had a migration before this one redefined one of them since, the
-- copy here would silently undo that change: the digests of the bodies this file was written
-- against are checked first, and a difference stops the migration, naming the function.
do $$
declare
  expected record;
  found_digest text;
begin
  for expected in select * from (values
    ('candidate_frozen_guard', '0a050b7b15b549f902138db7f3ca2179'),
    ('category_guard', 'bfd64bff1661f8294561fa4a99c2b490'),
    ('voting_session_draft_only', 'dbf6192a9d237e518c40b7a3aa70b3df'),
    ('ballot_box_guard', 'e54ce266b24c282d235e561511beb384'),
    ('ballot_mark_guard', 'f9b18c86630746f45ad81067be014bde'),
    ('voting_result_guard', '5e3d91a7d47b46b97b6a0cde36ee3e2a'),
    ('evaluation_session_guard', '2ff05d495835c30e8528022d6a994cb2'),
    ('ballot_choice_vocabulary', '07096dfc3b3fe97839353f5e43577cc2'),
    ('evaluation_ballot_complete', 'ef719402110875f9004cf0edf62ec361'),
    ('paper_batch_consistency', 'a351c144d84ae6cf5b18854d97316754'),
    ('paper_batch_lifecycle', '08c98cbf250fb1bd1b02ef57911d3964'),
    ('audit_entry_chain', '87402943d8217b2aeb390accdfe570c6'),
    ('refuse_truncate', 'be34a2582e05784daeca0a7ab8515f4d'),
    ('proposal_guard', 'e80c6b5d8b820f6f7d529e87c5d74ec1'),
    ('selection_round_guard', '9c84ed010fcb4ff2463874369c67376c'),
    ('selection_round_candidate_guard', '52299baea3bf5e36b5696e2a71161fce'),
    ('selection_participant_guard', '7a219e45816033fef004c837d42b2bbb'),
    ('selection_support_guard', '599454008078472e1cee6d6640fe63ea'),
    ('selection_tally_guard', 'b8b43f71b6da956ebb766e6d3329136a'),
    ('livelihood_project_guard', '9cfaced2d4f3bea17704c442f51abb42'),
    ('progress_update_guard', 'b0334abc4813558d8dc0dbe07246582c'),
    ('progress_photo_guard', 'b22f06db442761c9f80bb748b7318c99'),
    ('monitoring_group_member_guard', '712d464bef65deacd1d56e67eac16676'),
    ('inspection_note_guard', '607cb1737d9d888ea27a2241d6eec8d3'),
    ('voting_session_guard', '57cc8fd45ab4fcc2230b184ec0ca4e58'),
    ('paper_batch_scrutineer_guard', '40f017357b610c5700e3db9414da9c70')
  ) as written (name, digest) loop
    select md5(p.prosrc) into found_digest from pg_proc p
     where p.proname = expected.name and p.pronamespace = 'public'::regnamespace;
    if found_digest is distinct from expected.digest then
      raise exception using errcode = '55000',
        message = format('function %s is not the definition 00020_refusal_codes.sql was written against', expected.name),
        hint = 'a migration before 00020 redefined it: copy its new body into 00020 with the refusal codes, and its new digest';
    end if;
  end loop;
end $$;

-- ---------------------------------------------------------------- the catalog (00003)

-- As in 00003_catalog.sql.
create or replace function candidate_frozen_guard() returns trigger language plpgsql as $$
declare
  frozen_session record;
begin
  perform 1 from voting_session s join voting_session_candidate v on v.voting_session_id = s.id
    where v.candidate_id = old.id for share of s;
  select s.id, s.status into frozen_session
    from voting_session s join voting_session_candidate v on v.voting_session_id = s.id
    where v.candidate_id = old.id and s.status <> 'draft'
    order by s.id limit 1;
  if not found then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'UPDATE' and (to_jsonb(new) - 'position') = (to_jsonb(old) - 'position') then
    return new;
  end if;
  raise exception 'candidate % is frozen: voting session % is %', old.id, frozen_session.id, frozen_session.status
    using errcode = 'PJ801';
end $$;

-- As in 00003_catalog.sql.
create or replace function category_guard() returns trigger language plpgsql as $$
declare
  frozen_session record;
  candidate_count bigint;
begin
  if tg_op = 'DELETE' then
    select count(*) into candidate_count from candidate where category_id = old.id;
    if candidate_count > 0 then
      raise exception 'category % holds % candidates and cannot be deleted', old.id, candidate_count using errcode = 'PJ802';
    end if;
    return old;
  end if;
  if new.name is distinct from old.name then
    perform 1 from voting_session s
      join voting_session_candidate v on v.voting_session_id = s.id
      join candidate c on c.id = v.candidate_id
      where c.category_id = old.id for share of s;
    select s.id, s.status into frozen_session
      from voting_session s
      join voting_session_candidate v on v.voting_session_id = s.id
      join candidate c on c.id = v.candidate_id
      where c.category_id = old.id and s.status <> 'draft'
      order by s.id limit 1;
    if found then
      raise exception 'category % is frozen: its candidates are in voting session %, which is %', old.id, frozen_session.id, frozen_session.status
        using errcode = 'PJ803';
    end if;
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- voting sessions and the ballot box (00001, 00010, 00016)

-- As in 00001_init.sql.
create or replace function voting_session_draft_only() returns trigger language plpgsql as $$
declare
  session_status text;
begin
  select status into session_status from voting_session
    where id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end;
  if session_status is null then
    return case when tg_op = 'DELETE' then old else new end; -- session being deleted (cascade)
  end if;
  -- Only the "present" flag of an electorate member may change while the session is open.
  if tg_table_name = 'electorate_member' and tg_op = 'UPDATE' and session_status = 'open' then
    if (to_jsonb(new) - 'present') = (to_jsonb(old) - 'present') then
      return new;
    end if;
  end if;
  if session_status <> 'draft' then
    raise exception '% of voting session % cannot change: it is %', tg_table_name,
      coalesce(new.voting_session_id, old.voting_session_id), session_status using errcode = 'PJ810';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

-- As in 00001_init.sql.
create or replace function ballot_box_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'PJ811';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'open') then
    raise exception 'voting session % is not open', new.voting_session_id using errcode = 'PJ812';
  end if;
  return new;
end $$;

-- As in 00016_trust_scrutiny.sql.
create or replace function ballot_mark_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'PJ811';
  end if;
  if not exists (select 1 from voting_session
                 where id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end
                   and status = 'open') then
    raise exception 'voting session % is not open',
      case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end using errcode = 'PJ812';
  end if;
  if tg_op = 'DELETE' then
    if old.paper_batch_id is null or not exists (select 1 from paper_batch where id = old.paper_batch_id and status = 'rejected') then
      raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'PJ811';
    end if;
    return old;
  end if;
  return new;
end $$;

-- As in 00001_init.sql.
create or replace function voting_result_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception 'a stored tally is never changed or deleted' using errcode = 'PJ813';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'closed') then
    raise exception 'a tally is stored only for a closed voting session' using errcode = 'PJ814';
  end if;
  return new;
end $$;

-- As in 00010_evaluation.sql.
create or replace function evaluation_session_guard() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and new.allow_abstain is distinct from old.allow_abstain then
    raise exception 'the rules of voting session % are frozen since it opened', old.id using errcode = 'PJ130';
  end if;
  if new.ballot_method = 'evaluation' and new.status = 'open' and old.status = 'draft'
     and not exists (select 1 from voting_session_candidate where voting_session_id = new.id) then
    raise exception 'evaluation session % has no projects to evaluate', new.id using errcode = 'PJ816';
  end if;
  return new;
end $$;

-- As in 00010_evaluation.sql.
create or replace function ballot_choice_vocabulary() returns trigger language plpgsql as $$
declare
  offending record;
begin
  select i.voting_session_id, i.choice, s.ballot_method into offending
    from inserted_choices i join voting_session s on s.id = i.voting_session_id
   where case when s.ballot_method = 'evaluation'
              then i.choice not in ('satisfied', 'basically_satisfied', 'unsatisfied', 'abstain')
                   or (i.choice = 'abstain' and not s.allow_abstain)
              else i.choice not in ('for', 'against', 'abstain') end
   limit 1;
  if found then
    raise exception 'the choice % is not allowed on a ballot of voting session % (%)',
      offending.choice, offending.voting_session_id, offending.ballot_method using errcode = 'PJ815';
  end if;
  return null;
end $$;

-- As in 00010_evaluation.sql.
create or replace function evaluation_ballot_complete() returns trigger language plpgsql as $$
declare
  method text;
  choice_count bigint;
  project_count bigint;
begin
  select ballot_method into method from voting_session where id = new.voting_session_id;
  if method <> 'evaluation' or new.is_void then
    return null;
  end if;
  select count(*) into choice_count from ballot_choice where ballot_id = new.id;
  select count(*) into project_count from voting_session_candidate where voting_session_id = new.voting_session_id;
  if choice_count <> project_count then
    raise exception 'an evaluation ballot needs a choice for each of the % projects, it has %', project_count, choice_count
      using errcode = 'PJ103';
  end if;
  return null;
end $$;

-- ---------------------------------------------------------------- paper batches (00002, 00016)

-- As in 00002_running_sessions.sql.
create or replace function paper_batch_consistency() returns trigger language plpgsql as $$
declare
  marks bigint;
begin
  select count(*) into marks from ballot_mark where paper_batch_id = new.id;
  if marks <> new.ballot_count then
    raise exception 'paper batch % covers % delegates but holds % ballots', new.id, marks, new.ballot_count using errcode = 'PJ830';
  end if;
  if not exists (select 1 from paper_batch_scrutineer where paper_batch_id = new.id) then
    raise exception 'paper batch % names no scrutineer', new.id using errcode = 'PJ831';
  end if;
  return null;
end $$;

-- As in 00016_trust_scrutiny.sql.
create or replace function paper_batch_lifecycle() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception using errcode = 'PJ120', message = 'paper batches are never deleted';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception using errcode = 'PJ120', message = 'a paper batch is entered pending';
    end if;
    if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'open') then
      raise exception 'voting session % is not open', new.voting_session_id using errcode = 'PJ812';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - 'status') <> (to_jsonb(old) - 'status') or old.status <> 'pending' or new.status = 'pending' then
    raise exception using errcode = 'PJ120', message = format('paper batch %s is %s: it does not change', old.id, old.status);
  end if;
  if new.status = 'counted' and exists (
       select 1 from paper_batch_scrutineer s
       where s.paper_batch_id = new.id
         and not exists (select 1 from paper_batch_confirmation c where c.paper_batch_id = s.paper_batch_id and c.scrutineer_id = s.scrutineer_id)) then
    raise exception using errcode = 'PJ121', message = format('paper batch %s still awaits a scrutineer''s confirmation', new.id);
  end if;
  if new.status = 'rejected' and not exists (select 1 from paper_batch_rejection r where r.paper_batch_id = new.id) then
    raise exception using errcode = 'PJ120', message = format('paper batch %s is refused only with a recorded reason', new.id);
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- the audit chain and the append-only tables (00001, 00002)

-- As in 00002_running_sessions.sql.
create or replace function audit_entry_chain() returns trigger language plpgsql as $$
declare
  previous audit_entry%rowtype;
begin
  if tg_op <> 'INSERT' then
    raise exception 'the audit chain is append-only' using errcode = 'PJ840';
  end if;
  perform pg_advisory_xact_lock(hashtext('piaojue.audit_chain'));
  select * into previous from audit_entry order by seq desc limit 1;
  new.seq := coalesce(previous.seq, 0) + 1;
  new.at := now();
  new.prev_hash := previous.hash;
  new.hash := audit_entry_hash(previous.hash, new.seq, new.at, new.actor_user_id, new.action, new.voting_session_id, new.details);
  return new;
end $$;

-- As in 00001_init.sql.
create or replace function refuse_truncate() returns trigger language plpgsql as $$
begin
  raise exception '% cannot be truncated', tg_table_name using errcode = 'PJ841';
end $$;

-- ---------------------------------------------------------------- proposals (00014, first in 00007)

-- As in 00014_verified_residents.sql.
create or replace function proposal_guard() returns trigger language plpgsql as $$
declare
  campaign proposal_campaign%rowtype;
  allowed constant jsonb := '{"draft": ["submitted"], "submitted": ["under_review"],
                              "under_review": ["accepted", "merged", "declined"]}';
  erasing boolean := coalesce(current_setting('piaojue.erasure', true), '') = 'on';
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'proposal % is % and cannot be deleted', old.id, old.status using errcode = 'PJ850';
    end if;
    return old;
  end if;
  select * into campaign from proposal_campaign where id = new.campaign_id;
  if tg_op = 'INSERT' then
    if new.status not in ('draft', 'submitted') then
      raise exception 'a new proposal is a draft or submitted, not %', new.status using errcode = 'PJ851';
    end if;
    if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
      raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'PJ852';
    end if;
    if new.status = 'submitted' then new.submitted_at := now(); end if;
    new.created_at := now();
    new.updated_at := now();
    return new;
  end if;
  -- UPDATE
  if erasing and new.contact = '' and (to_jsonb(new) - 'contact') = (to_jsonb(old) - 'contact') then
    return new;
  end if;
  if new.id <> old.id or new.campaign_id <> old.campaign_id or new.author_id <> old.author_id
     or new.created_at <> old.created_at then
    raise exception 'the identity of proposal % cannot change', old.id using errcode = 'PJ853';
  end if;
  if new.status <> old.status then
    if not coalesce((allowed -> old.status) ? new.status, false) then
      raise exception 'proposal status cannot move from % to %', old.status, new.status using errcode = 'PJ854';
    end if;
    if old.status = 'draft' then
      if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
        raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'PJ852';
      end if;
      new.submitted_at := now();
    end if;
    if new.status in ('accepted', 'merged', 'declined') then
      new.decided_at := now();
    end if;
  elsif (new.submitted_at, new.decided_at) is distinct from (old.submitted_at, old.decided_at) then
    raise exception 'the dates of proposal % are set by its status', old.id using errcode = 'PJ855';
  end if;
  if old.status <> 'draft' and (
       new.title, new.category_id, new.district, new.problem, new.measure, new.beneficiaries,
       new.estimated_cost_yuan, new.contact
     ) is distinct from (
       old.title, old.category_id, old.district, old.problem, old.measure, old.beneficiaries,
       old.estimated_cost_yuan, old.contact
     ) then
    raise exception 'proposal % was submitted: its content cannot change', old.id using errcode = 'PJ856';
  end if;
  if old.status = 'draft' and new.status = 'draft' and not (now() >= campaign.opens_at and now() < campaign.closes_at) then
    raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'PJ852';
  end if;
  if old.decided_at is not null and (new.decision_reason, new.decided_by, new.merged_into_candidate_id)
       is distinct from (old.decision_reason, old.decided_by, old.merged_into_candidate_id) then
    raise exception 'the decision on proposal % is final', old.id using errcode = 'PJ857';
  end if;
  if old.decided_at is null and new.decided_at is null
     and (new.decision_reason, new.decided_by) is distinct from (old.decision_reason, old.decided_by) then
    raise exception 'a decision reason comes with a decision' using errcode = 'PJ858';
  end if;
  if old.status = 'draft' and new.hidden_at is not null then
    raise exception 'a draft is not public and cannot be hidden' using errcode = 'PJ859';
  end if;
  if (to_jsonb(new) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at')
     is distinct from (to_jsonb(old) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at') then
    new.updated_at := now();
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- the online public selection (00007)

-- As in 00007_residents.sql.
create or replace function selection_round_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    new.created_at := now();
    return new;
  end if;
  if tg_op = 'DELETE' then
    if old.opens_at <= now() then
      raise exception 'selection round % has opened and cannot be deleted', old.id using errcode = 'PJ860';
    end if;
    return old;
  end if;
  if old.opens_at <= now() then
    if (new.id, new.title, new.opens_at, new.max_supports, new.live_ranking, new.created_by, new.created_at)
       is distinct from (old.id, old.title, old.opens_at, old.max_supports, old.live_ranking, old.created_by, old.created_at) then
      raise exception 'the rules of selection round % are frozen since it opened', old.id using errcode = 'PJ861';
    end if;
    if new.closes_at <> old.closes_at and (old.closes_at <= now() or new.closes_at > old.closes_at or new.closes_at < now()) then
      raise exception 'selection round % can only be closed earlier, not reopened or extended', old.id using errcode = 'PJ862';
    end if;
  end if;
  return new;
end $$;

-- As in 00007_residents.sql.
create or replace function selection_round_candidate_guard() returns trigger language plpgsql as $$
declare
  round_opens_at timestamptz;
  created_here boolean;
  target_round bigint := case when tg_op = 'DELETE' then old.round_id else new.round_id end;
begin
  -- A round created by this very transaction may open at once: its candidates come with it.
  select opens_at, xmin = pg_current_xact_id()::xid and created_at = now() into round_opens_at, created_here
    from selection_round where id = target_round for share;
  if not found then
    return case when tg_op = 'DELETE' then old else new end; -- the round is being deleted
  end if;
  if round_opens_at <= now() and not created_here then
    raise exception 'the candidates of selection round % are frozen since it opened', target_round using errcode = 'PJ863';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

-- As in 00007_residents.sql.
create or replace function selection_participant_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if not exists (select 1 from user_role where user_id = new.resident_id and role = 'resident') then
      raise exception 'user % is not a resident', new.resident_id using errcode = 'PJ864';
    end if;
    select max_supports into new.max_supports from selection_round
      where id = new.round_id and now() >= opens_at and now() < closes_at;
    if not found then
      raise exception 'selection round % is not open', new.round_id using errcode = 'PJ865';
    end if;
    new.supports := 0;
  elsif new.max_supports <> old.max_supports or new.round_id <> old.round_id or new.resident_id <> old.resident_id then
    raise exception 'a participant keeps their round and its limit' using errcode = 'PJ866';
  end if;
  return new;
end $$;

-- As in 00007_residents.sql.
create or replace function selection_support_guard() returns trigger language plpgsql as $$
declare
  row_round bigint := case when tg_op = 'DELETE' then old.round_id else new.round_id end;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a support is withdrawn and given again, never changed' using errcode = 'PJ867';
  end if;
  if not exists (select 1 from selection_round where id = row_round and now() >= opens_at and now() < closes_at) then
    raise exception 'selection round % is not open', row_round using errcode = 'PJ865';
  end if;
  if tg_op = 'INSERT' then
    update selection_participant set supports = supports + 1
      where round_id = new.round_id and resident_id = new.resident_id;
    update selection_tally set supports = supports + 1
      where round_id = new.round_id and candidate_id = new.candidate_id and shard = new.resident_id % 16;
    return new;
  end if;
  update selection_participant set supports = supports - 1
    where round_id = old.round_id and resident_id = old.resident_id;
  update selection_tally set supports = supports - 1
    where round_id = old.round_id and candidate_id = old.candidate_id and shard = old.resident_id % 16;
  return old;
end $$;

-- As in 00007_residents.sql.
create or replace function selection_tally_guard() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 or (tg_op = 'UPDATE' and (new.round_id, new.candidate_id, new.shard) <> (old.round_id, old.candidate_id, old.shard)) then
    raise exception 'the selection tally is kept by the supports and never edited' using errcode = 'PJ868';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

-- ---------------------------------------------------------------- delivery tracking (00009)

-- As in 00009_delivery.sql.
create or replace function livelihood_project_guard() returns trigger language plpgsql as $$
begin
  raise exception 'livelihood projects are never changed or deleted' using errcode = 'PJ870';
end $$;

-- As in 00009_delivery.sql.
create or replace function progress_update_guard() returns trigger language plpgsql as $$
declare
  target_count integer;
begin
  if tg_op <> 'INSERT' then
    raise exception 'progress updates are never changed or deleted' using errcode = 'PJ871';
  end if;
  select greatest(cardinality(targets), 1) into target_count from livelihood_project where id = new.project_id;
  if cardinality(new.target_percentages) <> target_count then
    raise exception 'project % needs % percentages, one per target, not %', new.project_id, target_count,
      cardinality(new.target_percentages) using errcode = 'PJ872';
  end if;
  return new;
end $$;

-- As in 00009_delivery.sql.
create or replace function progress_photo_guard() returns trigger language plpgsql as $$
begin
  raise exception 'photos are never changed or deleted' using errcode = 'PJ873';
end $$;

-- As in 00009_delivery.sql.
create or replace function monitoring_group_member_guard() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from user_role where user_id = new.delegate_id and role = 'delegate') then
    raise exception 'user % is not a delegate', new.delegate_id using errcode = 'PJ874';
  end if;
  return new;
end $$;

-- As in 00009_delivery.sql.
create or replace function inspection_note_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'inspection notes are never deleted' using errcode = 'PJ875';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'an inspection note starts pending' using errcode = 'PJ876';
    end if;
    if not exists (select 1 from monitoring_group_member where project_id = new.project_id and delegate_id = new.author_id) then
      raise exception 'user % is not in the monitoring group of project %', new.author_id, new.project_id using errcode = 'PJ877';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - 'status' - 'reviewed_by' - 'reviewed_at') <> (to_jsonb(old) - 'status' - 'reviewed_by' - 'reviewed_at') then
    raise exception 'an inspection note''s text never changes' using errcode = 'PJ878';
  end if;
  if old.status <> 'pending' then
    raise exception 'inspection note % is already reviewed', old.id using errcode = 'PJ879';
  end if;
  if not exists (select 1 from user_role where user_id = new.reviewed_by and role = 'staff') then
    raise exception 'inspection notes are reviewed by staff' using errcode = 'PJ880';
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- voting sessions and paper batches as 00013 left them

-- As in 00013_procedure.sql.
create or replace function voting_session_guard() returns trigger language plpgsql as $$
declare
  order_of constant text[] := array['draft', 'open', 'closed', 'published'];
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'voting session % is % and cannot be deleted', old.id, old.status using errcode = 'PJ817';
    end if;
    return old;
  end if;
  if new.status <> old.status
     and array_position(order_of, new.status) <> array_position(order_of, old.status) + 1 then
    raise exception 'voting session status cannot move from % to %', old.status, new.status using errcode = 'PJ818';
  end if;
  if old.status <> 'draft' and (
       new.title, new.year, new.ballot_method, new.seats, new.threshold_base, new.opens_at, new.closes_at, new.is_demo
     ) is distinct from (
       old.title, old.year, old.ballot_method, old.seats, old.threshold_base, old.opens_at, old.closes_at, old.is_demo
     ) then
    raise exception 'the rules of voting session % are frozen since it opened', old.id using errcode = 'PJ130';
  end if;
  -- The scrutineers' confirmation: once, by a scrutineer, only while closed.
  if (new.confirmed_at, new.confirmed_by) is distinct from (old.confirmed_at, old.confirmed_by) then
    if old.confirmed_by is not null then
      raise exception 'the tally of voting session % is already confirmed', old.id using errcode = 'PJ819';
    end if;
    if old.status <> 'closed' or new.status <> 'closed' then
      raise exception 'only a closed voting session can be confirmed' using errcode = 'PJ820';
    end if;
    if new.confirmed_by is null
       or not (exists (select 1 from user_role where user_id = new.confirmed_by and role = 'scrutineer')
               or procedure_is_named_scrutineer(new.id, new.confirmed_by)) then
      raise exception 'a tally is confirmed by a scrutineer' using errcode = 'PJ821';
    end if;
    new.confirmed_at := now();
  end if;
  if new.published_by is distinct from old.published_by and not (old.status = 'closed' and new.status = 'published') then
    raise exception 'published_by is set only by publishing' using errcode = 'PJ822';
  end if;
  if new.status = 'open' and old.status = 'draft' then
    -- 差额: more candidates than seats, and someone to vote.
    if (select count(*) from voting_session_candidate where voting_session_id = new.id) <= new.seats then
      raise exception 'voting session % needs more candidates than its % seats to open', new.id, new.seats using errcode = 'PJ823';
    end if;
    if not exists (select 1 from electorate_member where voting_session_id = new.id) then
      raise exception 'voting session % has no enrolled delegates', new.id using errcode = 'PJ824';
    end if;
    new.opened_at := coalesce(new.opened_at, now());
  elsif new.status = 'closed' and old.status = 'open' then
    new.closed_at := coalesce(new.closed_at, now());
  elsif new.status = 'published' and old.status = 'closed' then
    if not exists (select 1 from voting_result where voting_session_id = new.id) then
      raise exception 'voting session % has no tally to publish', new.id using errcode = 'PJ825';
    end if;
    if new.confirmed_by is null then
      raise exception 'voting session % must be confirmed by a scrutineer before it is published', new.id using errcode = 'PJ826';
    end if;
    if new.published_by is null or not exists (select 1 from user_role where user_id = new.published_by and role = 'staff') then
      raise exception 'a voting session is published by a staff member' using errcode = 'PJ827';
    end if;
    new.published_at := coalesce(new.published_at, now());
  end if;
  return new;
end $$;

-- As in 00013_procedure.sql.
create or replace function paper_batch_scrutineer_guard() returns trigger language plpgsql as $$
declare
  batch_session bigint;
begin
  if tg_op <> 'INSERT' then
    raise exception 'paper batches are never changed or deleted' using errcode = 'PJ120';
  end if;
  select voting_session_id into batch_session from paper_batch where id = new.paper_batch_id;
  if procedure_has_panel(batch_session) then
    if not procedure_is_named_scrutineer(batch_session, new.scrutineer_id) then
      raise exception using errcode = 'PJ316',
        message = format('user %s is not a named scrutineer of voting session %s', new.scrutineer_id, batch_session);
    end if;
  elsif not exists (select 1 from user_role where user_id = new.scrutineer_id and role = 'scrutineer') then
    raise exception 'user % is not a scrutineer', new.scrutineer_id using errcode = 'PJ832';
  end if;
  return new;
end $$;
