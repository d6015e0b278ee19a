-- Residents (issue 5): resident accounts, proposal collection (征集) with its review statuses and
-- merging into candidates, and the online public selection (网上评选) with at most K supports per
-- resident held by the database.

-- Trigram matching speeds up the Chinese search of proposals (ILIKE '%…%'; a query of three or more
-- characters uses the index, shorter ones scan). pg_trgm is a trusted extension shipped with
-- PostgreSQL itself (the embedded server and Debian's postgresql-15 package both carry it).
create extension if not exists pg_trgm;

-- ---------------------------------------------------------------- resident accounts
-- What a resident gives at registration besides the account: a mobile number, stored as typed
-- (digits only) and not verified. mobile_verified_at is left for a later SMS or 浙里办 sign-in.
create table resident_profile (
  user_id bigint primary key references app_user on delete cascade,
  mobile text check (mobile is null or mobile ~ '^1[3-9][0-9]{9}$'),
  mobile_verified_at timestamptz,
  registered_at timestamptz not null default now(),
  check (mobile_verified_at is null or mobile is not null)
);

-- ---------------------------------------------------------------- collection campaigns
create table proposal_campaign (
  id bigint generated always as identity primary key,
  year integer not null check (year between 2000 and 2100),
  title text not null check (length(btrim(title)) between 1 and 200),
  opens_at timestamptz not null,
  closes_at timestamptz not null,
  criteria text not null default '' check (length(criteria) <= 5000),
  created_by bigint references app_user,
  created_at timestamptz not null default now(),
  check (closes_at > opens_at)
);

-- ---------------------------------------------------------------- proposals
create table proposal (
  id bigint generated always as identity primary key,
  campaign_id bigint not null references proposal_campaign,
  author_id bigint not null references app_user,
  status text not null default 'draft'
    check (status in ('draft', 'submitted', 'under_review', 'accepted', 'merged', 'declined')),
  title text not null check (length(btrim(title)) between 1 and 100),
  category_id bigint references category,
  district text check (district in ('椒江区', '黄岩区', '路桥区', '临海市', '温岭市', '玉环市', '天台县', '仙居县', '三门县')),
  problem text not null default '' check (length(problem) <= 3000),
  measure text not null default '' check (length(measure) <= 3000),
  beneficiaries text not null default '' check (length(beneficiaries) <= 1000),
  estimated_cost_yuan bigint check (estimated_cost_yuan between 0 and 1000000000000),
  contact text not null default '' check (length(contact) <= 100),
  -- The staff's decision, shown to the proposer and the public.
  decision_reason text check (decision_reason is null or length(btrim(decision_reason)) between 1 and 1000),
  decided_by bigint references app_user,
  decided_at timestamptz,
  merged_into_candidate_id bigint references candidate,
  -- Hidden by staff as abusive: kept for the record, not shown to the public.
  hidden_at timestamptz,
  hidden_by bigint references app_user,
  hidden_reason text check (hidden_reason is null or length(btrim(hidden_reason)) between 1 and 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz,
  -- A submitted proposal is complete.
  check (status = 'draft' or (
    category_id is not null and district is not null
    and length(btrim(problem)) > 0 and length(btrim(measure)) > 0 and length(btrim(beneficiaries)) > 0
    and submitted_at is not null)),
  check ((status = 'merged') = (merged_into_candidate_id is not null)),
  check (status <> 'declined' or decision_reason is not null),
  check ((status in ('accepted', 'merged', 'declined')) = (decided_at is not null)),
  check ((hidden_at is null) = (hidden_reason is null) and (hidden_at is null) = (hidden_by is null))
);
create index proposal_author_idx on proposal (author_id, id);
create index proposal_public_idx on proposal (status, category_id, id) where status <> 'draft' and hidden_at is null;
create index proposal_candidate_idx on proposal (merged_into_candidate_id) where merged_into_candidate_id is not null;
-- The searched text: the same expression as in src/lib/server/residents/proposals.ts.
create index proposal_search_idx on proposal
  using gin ((title || ' ' || problem || ' ' || measure || ' ' || beneficiaries) gin_trgm_ops);

-- The statuses move only along submitted → under_review → accepted | merged | declined (a draft is
-- submitted, or deleted by its author); only a draft's content changes; a draft is written and
-- submitted only while its campaign is open; a decision is final.
create function proposal_guard() returns trigger language plpgsql as $$
declare
  campaign proposal_campaign%rowtype;
  allowed constant jsonb := '{"draft": ["submitted"], "submitted": ["under_review"],
                              "under_review": ["accepted", "merged", "declined"]}';
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'proposal % is % and cannot be deleted', old.id, old.status using errcode = 'P0001';
    end if;
    return old;
  end if;
  select * into campaign from proposal_campaign where id = new.campaign_id;
  if tg_op = 'INSERT' then
    if new.status not in ('draft', 'submitted') then
      raise exception 'a new proposal is a draft or submitted, not %', new.status using errcode = 'P0001';
    end if;
    if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
      raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
    end if;
    if new.status = 'submitted' then new.submitted_at := now(); end if;
    new.created_at := now();
    new.updated_at := now();
    return new;
  end if;
  -- UPDATE
  if new.id <> old.id or new.campaign_id <> old.campaign_id or new.author_id <> old.author_id
     or new.created_at <> old.created_at then
    raise exception 'the identity of proposal % cannot change', old.id using errcode = 'P0001';
  end if;
  if new.status <> old.status then
    if not coalesce((allowed -> old.status) ? new.status, false) then
      raise exception 'proposal status cannot move from % to %', old.status, new.status using errcode = 'P0001';
    end if;
    if old.status = 'draft' then
      if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
        raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
      end if;
      new.submitted_at := now();
    end if;
    if new.status in ('accepted', 'merged', 'declined') then
      new.decided_at := now();
    end if;
  elsif (new.submitted_at, new.decided_at) is distinct from (old.submitted_at, old.decided_at) then
    raise exception 'the dates of proposal % are set by its status', old.id using errcode = 'P0001';
  end if;
  if old.status <> 'draft' and (
       new.title, new.category_id, new.district, new.problem, new.measure, new.beneficiaries,
       new.estimated_cost_yuan, new.contact
     ) is distinct from (
       old.title, old.category_id, old.district, old.problem, old.measure, old.beneficiaries,
       old.estimated_cost_yuan, old.contact
     ) then
    raise exception 'proposal % was submitted: its content cannot change', old.id using errcode = 'P0001';
  end if;
  if old.status = 'draft' and new.status = 'draft' and not (now() >= campaign.opens_at and now() < campaign.closes_at) then
    raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
  end if;
  if old.decided_at is not null and (new.decision_reason, new.decided_by, new.merged_into_candidate_id)
       is distinct from (old.decision_reason, old.decided_by, old.merged_into_candidate_id) then
    raise exception 'the decision on proposal % is final', old.id using errcode = 'P0001';
  end if;
  if old.decided_at is null and new.decided_at is null
     and (new.decision_reason, new.decided_by) is distinct from (old.decision_reason, old.decided_by) then
    raise exception 'a decision reason comes with a decision' using errcode = 'P0001';
  end if;
  if old.status = 'draft' and new.hidden_at is not null then
    raise exception 'a draft is not public and cannot be hidden' using errcode = 'P0001';
  end if;
  if (to_jsonb(new) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at')
     is distinct from (to_jsonb(old) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at') then
    new.updated_at := now();
  end if;
  return new;
end $$;
create trigger proposal_guard before insert or update or delete on proposal
  for each row execute function proposal_guard();

-- ---------------------------------------------------------------- the online public selection
create table selection_round (
  id bigint generated always as identity primary key,
  title text not null check (length(btrim(title)) between 1 and 200),
  opens_at timestamptz not null,
  closes_at timestamptz not null,
  -- K: the most candidates one resident may support.
  max_supports integer not null check (max_supports between 1 and 100),
  -- Whether the ranking is shown while the round is open (it is always shown after closing).
  live_ranking boolean not null default false,
  created_by bigint references app_user,
  created_at timestamptz not null default now(),
  check (closes_at > opens_at)
);

create table selection_round_candidate (
  round_id bigint not null references selection_round on delete cascade,
  candidate_id bigint not null references candidate,
  position integer not null check (position >= 1),
  primary key (round_id, candidate_id)
);

-- One row per resident taking part in a round: how many candidates they support now. Its CHECK
-- holds K under any concurrency: every support row updates this row (a row lock), so two
-- transactions of one resident take turns and the second sees the first's count.
create table selection_participant (
  round_id bigint not null references selection_round on delete cascade,
  resident_id bigint not null references app_user,
  max_supports integer not null,
  supports integer not null default 0,
  primary key (round_id, resident_id),
  check (supports between 0 and max_supports)
);

-- One support per resident per candidate (the primary key), only for a candidate of the round.
create table selection_support (
  round_id bigint not null,
  resident_id bigint not null,
  candidate_id bigint not null,
  primary key (round_id, resident_id, candidate_id),
  foreign key (round_id, candidate_id) references selection_round_candidate on delete cascade,
  foreign key (round_id, resident_id) references selection_participant on delete cascade
);

-- The supports per candidate, kept by the trigger below, so the results never count rows. Each
-- candidate's count is spread over 16 rows (by resident id) so that thousands of residents
-- supporting the same candidate at once do not all wait for one row lock; the results add them up.
create table selection_tally (
  round_id bigint not null,
  candidate_id bigint not null,
  shard smallint not null check (shard between 0 and 15),
  supports bigint not null default 0 check (supports >= 0),
  primary key (round_id, candidate_id, shard),
  foreign key (round_id, candidate_id) references selection_round_candidate on delete cascade
);

-- A round's rules and candidates are frozen once it opens; it may only be closed earlier.
create function selection_round_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    new.created_at := now();
    return new;
  end if;
  if tg_op = 'DELETE' then
    if old.opens_at <= now() then
      raise exception 'selection round % has opened and cannot be deleted', old.id using errcode = 'P0001';
    end if;
    return old;
  end if;
  if old.opens_at <= now() then
    if (new.id, new.title, new.opens_at, new.max_supports, new.live_ranking, new.created_by, new.created_at)
       is distinct from (old.id, old.title, old.opens_at, old.max_supports, old.live_ranking, old.created_by, old.created_at) then
      raise exception 'the rules of selection round % are frozen since it opened', old.id using errcode = 'P0001';
    end if;
    if new.closes_at <> old.closes_at and (old.closes_at <= now() or new.closes_at > old.closes_at or new.closes_at < now()) then
      raise exception 'selection round % can only be closed earlier, not reopened or extended', old.id using errcode = 'P0001';
    end if;
  end if;
  return new;
end $$;
create trigger selection_round_guard before insert or update or delete on selection_round
  for each row execute function selection_round_guard();

create function selection_round_candidate_guard() returns trigger language plpgsql as $$
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
    raise exception 'the candidates of selection round % are frozen since it opened', target_round using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger selection_round_candidate_guard before insert or update or delete on selection_round_candidate
  for each row execute function selection_round_candidate_guard();

create function selection_tally_create() returns trigger language plpgsql as $$
begin
  insert into selection_tally (round_id, candidate_id, shard)
    select new.round_id, new.candidate_id, shard from generate_series(0, 15) as shard;
  return null;
end $$;
create trigger selection_tally_create after insert on selection_round_candidate
  for each row execute function selection_tally_create();

-- A participant row is made for residents only, while the round is open (its K is then frozen),
-- with the round's K.
create function selection_participant_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if not exists (select 1 from user_role where user_id = new.resident_id and role = 'resident') then
      raise exception 'user % is not a resident', new.resident_id using errcode = 'P0001';
    end if;
    select max_supports into new.max_supports from selection_round
      where id = new.round_id and now() >= opens_at and now() < closes_at;
    if not found then
      raise exception 'selection round % is not open', new.round_id using errcode = 'P0001';
    end if;
    new.supports := 0;
  elsif new.max_supports <> old.max_supports or new.round_id <> old.round_id or new.resident_id <> old.resident_id then
    raise exception 'a participant keeps their round and its limit' using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger selection_participant_guard before insert or update on selection_participant
  for each row execute function selection_participant_guard();

-- Supports are given and withdrawn only while the round is open; each keeps the resident's count
-- (the CHECK on selection_participant refuses more than K) and the candidate's tally.
create function selection_support_guard() returns trigger language plpgsql as $$
declare
  row_round bigint := case when tg_op = 'DELETE' then old.round_id else new.round_id end;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a support is withdrawn and given again, never changed' using errcode = 'P0001';
  end if;
  if not exists (select 1 from selection_round where id = row_round and now() >= opens_at and now() < closes_at) then
    raise exception 'selection round % is not open', row_round using errcode = 'P0001';
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
create trigger selection_support_guard before insert or update or delete on selection_support
  for each row execute function selection_support_guard();
create trigger selection_support_no_truncate before truncate on selection_support
  for each statement execute function refuse_truncate();
create trigger selection_tally_no_truncate before truncate on selection_tally
  for each statement execute function refuse_truncate();

-- The tally cannot be edited by hand: only the triggers above (nested, depth > 1) write it.
create function selection_tally_guard() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 or (tg_op = 'UPDATE' and (new.round_id, new.candidate_id, new.shard) <> (old.round_id, old.candidate_id, old.shard)) then
    raise exception 'the selection tally is kept by the supports and never edited' using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger selection_tally_guard before insert or update or delete on selection_tally
  for each row execute function selection_tally_guard();

-- ---------------------------------------------------------------- carried into a voting session
-- Which voting-session drafts were built from a round's results (the audit chain has the details).
create table selection_carry_over (
  round_id bigint not null references selection_round,
  voting_session_id bigint not null references voting_session on delete cascade,
  carried_by bigint references app_user,
  carried_at timestamptz not null default now(),
  primary key (round_id, voting_session_id)
);
