-- Running a real session: the delegate roster, access codes, presence, paper ballots,
-- the scrutineers' confirmation before publication, and a reusable audit-hash function.

-- ---------------------------------------------------------------- the delegate roster
alter table app_user
  add column delegation text check (delegation is null or length(btrim(delegation)) between 1 and 100),
  add column delegate_number text check (delegate_number is null or delegate_number ~ '^[A-Za-z0-9_-]{1,32}$'),
  add column phone text check (phone is null or phone ~ '^[0-9+() -]{5,32}$');
create unique index app_user_delegate_number_key on app_user (delegate_number) where delegate_number is not null;

-- One personal access code per delegate: only its SHA-256 is kept; re-issuing replaces it,
-- using it once consumes it.
create table access_code (
  user_id bigint primary key references app_user on delete cascade,
  code_hash bytea not null unique,
  issued_at timestamptz not null default now(),
  issued_by bigint references app_user,
  used_at timestamptz
);

-- ---------------------------------------------------------------- channels: electronic and paper
alter table ballot_mark add column channel text not null default 'electronic' check (channel in ('electronic', 'paper'));
alter table ballot add column channel text not null default 'electronic' check (channel in ('electronic', 'paper'));

-- A batch of paper ballots entered by staff: the delegates it covers get has-voted marks
-- (channel 'paper', naming the batch); the ballots carry only the channel, not the batch.
create table paper_batch (
  id bigint generated always as identity primary key,
  voting_session_id bigint not null references voting_session,
  entered_by bigint not null references app_user,
  entered_at timestamptz not null default now(),
  ballot_count integer not null check (ballot_count >= 1),
  note text not null default '' check (length(note) <= 500)
);
create table paper_batch_scrutineer (
  paper_batch_id bigint not null references paper_batch,
  scrutineer_id bigint not null references app_user,
  primary key (paper_batch_id, scrutineer_id)
);
alter table ballot_mark add column paper_batch_id bigint references paper_batch,
  add constraint ballot_mark_paper_batch check ((channel = 'paper') = (paper_batch_id is not null));

create function paper_batch_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception 'paper batches are never changed or deleted' using errcode = 'P0001';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'open') then
    raise exception 'voting session % is not open', new.voting_session_id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger paper_batch_guard before insert or update or delete on paper_batch
  for each row execute function paper_batch_guard();

-- A batch's marks equal its ballot count, and it names at least one scrutineer (checked at commit).
create function paper_batch_consistency() returns trigger language plpgsql as $$
declare
  marks bigint;
begin
  select count(*) into marks from ballot_mark where paper_batch_id = new.id;
  if marks <> new.ballot_count then
    raise exception 'paper batch % covers % delegates but holds % ballots', new.id, marks, new.ballot_count using errcode = 'P0001';
  end if;
  if not exists (select 1 from paper_batch_scrutineer where paper_batch_id = new.id) then
    raise exception 'paper batch % names no scrutineer', new.id using errcode = 'P0001';
  end if;
  return null;
end $$;
create constraint trigger paper_batch_consistency after insert on paper_batch
  deferrable initially deferred for each row execute function paper_batch_consistency();

create function paper_batch_scrutineer_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception 'paper batches are never changed or deleted' using errcode = 'P0001';
  end if;
  if not exists (select 1 from user_role where user_id = new.scrutineer_id and role = 'scrutineer') then
    raise exception 'user % is not a scrutineer', new.scrutineer_id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger paper_batch_scrutineer_guard before insert or update or delete on paper_batch_scrutineer
  for each row execute function paper_batch_scrutineer_guard();

-- ---------------------------------------------------------------- scrutiny before publication
alter table voting_session
  add column confirmed_at timestamptz,
  add column confirmed_by bigint references app_user,
  add column published_by bigint references app_user,
  add constraint voting_session_two_people check (published_by is null or confirmed_by is null or published_by <> confirmed_by);

create or replace function voting_session_guard() returns trigger language plpgsql as $$
declare
  order_of constant text[] := array['draft', 'open', 'closed', 'published'];
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'voting session % is % and cannot be deleted', old.id, old.status using errcode = 'P0001';
    end if;
    return old;
  end if;
  if new.status <> old.status
     and array_position(order_of, new.status) <> array_position(order_of, old.status) + 1 then
    raise exception 'voting session status cannot move from % to %', old.status, new.status using errcode = 'P0001';
  end if;
  if old.status <> 'draft' and (
       new.title, new.year, new.ballot_method, new.seats, new.threshold_base, new.opens_at, new.closes_at, new.is_demo
     ) is distinct from (
       old.title, old.year, old.ballot_method, old.seats, old.threshold_base, old.opens_at, old.closes_at, old.is_demo
     ) then
    raise exception 'the rules of voting session % are frozen since it opened', old.id using errcode = 'P0001';
  end if;
  -- The scrutineers' confirmation: once, by a scrutineer, only while closed.
  if (new.confirmed_at, new.confirmed_by) is distinct from (old.confirmed_at, old.confirmed_by) then
    if old.confirmed_by is not null then
      raise exception 'the tally of voting session % is already confirmed', old.id using errcode = 'P0001';
    end if;
    if old.status <> 'closed' or new.status <> 'closed' then
      raise exception 'only a closed voting session can be confirmed' using errcode = 'P0001';
    end if;
    if new.confirmed_by is null or not exists (select 1 from user_role where user_id = new.confirmed_by and role = 'scrutineer') then
      raise exception 'a tally is confirmed by a scrutineer' using errcode = 'P0001';
    end if;
    new.confirmed_at := now();
  end if;
  if new.published_by is distinct from old.published_by and not (old.status = 'closed' and new.status = 'published') then
    raise exception 'published_by is set only by publishing' using errcode = 'P0001';
  end if;
  if new.status = 'open' and old.status = 'draft' then
    -- 差额: more candidates than seats, and someone to vote.
    if (select count(*) from voting_session_candidate where voting_session_id = new.id) <= new.seats then
      raise exception 'voting session % needs more candidates than its % seats to open', new.id, new.seats using errcode = 'P0001';
    end if;
    if not exists (select 1 from electorate_member where voting_session_id = new.id) then
      raise exception 'voting session % has no enrolled delegates', new.id using errcode = 'P0001';
    end if;
    new.opened_at := coalesce(new.opened_at, now());
  elsif new.status = 'closed' and old.status = 'open' then
    new.closed_at := coalesce(new.closed_at, now());
  elsif new.status = 'published' and old.status = 'closed' then
    if not exists (select 1 from voting_result where voting_session_id = new.id) then
      raise exception 'voting session % has no tally to publish', new.id using errcode = 'P0001';
    end if;
    if new.confirmed_by is null then
      raise exception 'voting session % must be confirmed by a scrutineer before it is published', new.id using errcode = 'P0001';
    end if;
    if new.published_by is null or not exists (select 1 from user_role where user_id = new.published_by and role = 'staff') then
      raise exception 'a voting session is published by a staff member' using errcode = 'P0001';
    end if;
    new.published_at := coalesce(new.published_at, now());
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- the audit hash, in one place
create function audit_entry_hash(prev_hash bytea, seq bigint, at timestamptz, actor_user_id bigint, action text,
                                 voting_session_id bigint, details jsonb) returns bytea
  language sql immutable as $$
  select sha256(
    coalesce(prev_hash, '\x'::bytea) || convert_to(
      seq::text || '|' || to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
      coalesce(actor_user_id::text, '') || '|' || action || '|' ||
      coalesce(voting_session_id::text, '') || '|' || details::text, 'UTF8'))
$$;

create or replace function audit_entry_chain() returns trigger language plpgsql as $$
declare
  previous audit_entry%rowtype;
begin
  if tg_op <> 'INSERT' then
    raise exception 'the audit chain is append-only' using errcode = 'P0001';
  end if;
  perform pg_advisory_xact_lock(hashtext('piaojue.audit_chain'));
  select * into previous from audit_entry order by seq desc limit 1;
  new.seq := coalesce(previous.seq, 0) + 1;
  new.at := now();
  new.prev_hash := previous.hash;
  new.hash := audit_entry_hash(previous.hash, new.seq, new.at, new.actor_user_id, new.action, new.voting_session_id, new.details);
  return new;
end $$;
create index audit_entry_action_idx on audit_entry (action, seq);
create index audit_entry_session_idx on audit_entry (voting_session_id, seq);
