-- Piaojue initial schema: users and auth sessions, categories and candidates,
-- voting sessions with frozen rules, electorate, secret ballots, results and the audit chain.

-- ---------------------------------------------------------------- users and auth
create table app_user (
  id bigint generated always as identity primary key,
  username text not null check (username ~ '^[A-Za-z0-9_.-]{3,64}$'),
  display_name text not null check (length(btrim(display_name)) between 1 and 100),
  password_hash text,
  disabled_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index app_user_username_lower_key on app_user (lower(username));

create table user_role (
  user_id bigint not null references app_user on delete cascade,
  role text not null check (role in ('resident', 'delegate', 'staff', 'scrutineer')),
  primary key (user_id, role)
);

-- Lucia's session design: the token is "<id>.<secret>", only the SHA-256 of the secret is kept.
create table auth_session (
  id text primary key,
  secret_hash bytea not null,
  user_id bigint not null references app_user on delete cascade,
  created_at timestamptz not null default now(),
  last_verified_at timestamptz not null default now()
);
create index auth_session_user_idx on auth_session (user_id);

-- Token buckets for rate limits, shared by every app instance.
create table rate_limit_bucket (
  key text primary key,
  tokens double precision not null,
  refilled_at timestamptz not null
);

-- ---------------------------------------------------------------- categories and candidates
create table category (
  id bigint generated always as identity primary key,
  name text not null unique check (length(btrim(name)) between 1 and 50),
  position integer not null,
  is_demo boolean not null default false
);

create table candidate (
  id bigint generated always as identity primary key,
  category_id bigint not null references category,
  title text not null unique check (length(btrim(title)) between 1 and 200),
  summary text not null default '',
  targets text[] not null default '{}',
  lead_department text not null default '',
  budget_yuan bigint check (budget_yuan >= 0),
  expected_completion date,
  position integer not null default 0,
  is_demo boolean not null default false,
  created_at timestamptz not null default now()
);
create index candidate_category_idx on candidate (category_id, position);

-- ---------------------------------------------------------------- voting sessions
create table voting_session (
  id bigint generated always as identity primary key,
  title text not null check (length(btrim(title)) between 1 and 200),
  year integer not null check (year between 2000 and 2100),
  status text not null default 'draft' check (status in ('draft', 'open', 'closed', 'published')),
  ballot_method text not null check (ballot_method in ('approval', 'for_against_abstain')),
  seats integer not null check (seats >= 1),
  threshold_base text not null default 'enrolled' check (threshold_base in ('enrolled', 'present', 'cast')),
  opens_at timestamptz,
  closes_at timestamptz,
  opened_at timestamptz,
  closed_at timestamptz,
  published_at timestamptz,
  is_demo boolean not null default false,
  created_at timestamptz not null default now(),
  check (closes_at is null or opens_at is null or closes_at > opens_at)
);

create table voting_session_candidate (
  voting_session_id bigint not null references voting_session on delete cascade,
  candidate_id bigint not null references candidate,
  position integer not null,
  primary key (voting_session_id, candidate_id)
);

-- The delegates entitled to vote in a session (应到). "present" is 实到.
create table electorate_member (
  voting_session_id bigint not null references voting_session on delete cascade,
  delegate_id bigint not null references app_user,
  present boolean not null default false,
  primary key (voting_session_id, delegate_id)
);

-- "Has voted" mark: one per delegate and session, only for enrolled delegates. No timestamp.
create table ballot_mark (
  voting_session_id bigint not null,
  delegate_id bigint not null,
  primary key (voting_session_id, delegate_id),
  foreign key (voting_session_id, delegate_id) references electorate_member
);

-- Ballot content: no delegate column, a random id, no timestamp.
create table ballot (
  id uuid primary key default gen_random_uuid(),
  voting_session_id bigint not null references voting_session,
  is_void boolean not null default false,
  receipt_hash bytea unique,
  unique (id, voting_session_id)
);
create index ballot_session_idx on ballot (voting_session_id);

create table ballot_choice (
  ballot_id uuid not null,
  voting_session_id bigint not null,
  candidate_id bigint not null,
  choice text not null check (choice in ('for', 'against', 'abstain')),
  primary key (ballot_id, candidate_id),
  foreign key (ballot_id, voting_session_id) references ballot (id, voting_session_id),
  foreign key (voting_session_id, candidate_id) references voting_session_candidate
);

-- The tally computed from the raw ballots when the session closes.
create table voting_result (
  voting_session_id bigint primary key references voting_session,
  tally jsonb not null,
  ballots_digest text not null,
  computed_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- audit chain
create table audit_entry (
  seq bigint primary key,
  at timestamptz not null default now(),
  actor_user_id bigint references app_user,
  action text not null,
  voting_session_id bigint references voting_session,
  details jsonb not null default '{}',
  prev_hash bytea,
  hash bytea not null
);

-- ---------------------------------------------------------------- rules the database holds

-- Status moves one way, one step at a time; rules are frozen from "open" on.
create function voting_session_guard() returns trigger language plpgsql as $$
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
    new.published_at := coalesce(new.published_at, now());
  end if;
  return new;
end $$;
create trigger voting_session_guard before update or delete on voting_session
  for each row execute function voting_session_guard();

-- The candidate list and the electorate change only while the session is a draft
-- (the "present" flag of a member may change while the session is open).
create function voting_session_draft_only() returns trigger language plpgsql as $$
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
      coalesce(new.voting_session_id, old.voting_session_id), session_status using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger voting_session_candidate_draft_only before insert or update or delete on voting_session_candidate
  for each row execute function voting_session_draft_only();
create trigger electorate_member_draft_only before insert or update or delete on electorate_member
  for each row execute function voting_session_draft_only();

-- Marks and ballots are written only while the session is open, and never changed.
create function ballot_box_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'P0001';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'open') then
    raise exception 'voting session % is not open', new.voting_session_id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger ballot_mark_guard before insert or update or delete on ballot_mark
  for each row execute function ballot_box_guard();
create trigger ballot_guard before insert or update or delete on ballot
  for each row execute function ballot_box_guard();
create trigger ballot_choice_guard before insert or update or delete on ballot_choice
  for each row execute function ballot_box_guard();

-- At commit: every mark has exactly one ballot (the counts per session agree), and every
-- valid ballot obeys the session's rules (at most N "for"; a choice per candidate where
-- the method asks for one).
create function ballot_box_consistency() returns trigger language plpgsql as $$
declare
  marks bigint;
  ballots bigint;
  session_row voting_session%rowtype;
  for_count bigint;
  choice_count bigint;
  candidate_count bigint;
begin
  select count(*) into marks from ballot_mark where voting_session_id = new.voting_session_id;
  select count(*) into ballots from ballot where voting_session_id = new.voting_session_id;
  if marks <> ballots then
    raise exception 'voting session % would have % has-voted marks but % ballots', new.voting_session_id, marks, ballots
      using errcode = 'P0001';
  end if;
  if tg_table_name <> 'ballot' then
    return null;
  end if;
  if not new.is_void then
    select * into session_row from voting_session where id = new.voting_session_id;
    select count(*) filter (where choice = 'for'), count(*) into for_count, choice_count
      from ballot_choice where ballot_id = new.id;
    if for_count > session_row.seats then
      raise exception 'a valid ballot marks % candidates, more than the % seats', for_count, session_row.seats
        using errcode = 'P0001';
    end if;
    if session_row.ballot_method = 'approval' and choice_count <> for_count then
      raise exception 'an approval ballot holds only ticks' using errcode = 'P0001';
    end if;
    if session_row.ballot_method = 'for_against_abstain' then
      select count(*) into candidate_count from voting_session_candidate where voting_session_id = new.voting_session_id;
      if choice_count <> candidate_count then
        raise exception 'a for/against/abstain ballot needs a choice for each of the % candidates', candidate_count
          using errcode = 'P0001';
      end if;
    end if;
  end if;
  return null;
end $$;
create constraint trigger ballot_mark_consistency after insert on ballot_mark
  deferrable initially deferred for each row execute function ballot_box_consistency();
create constraint trigger ballot_consistency after insert on ballot
  deferrable initially deferred for each row execute function ballot_box_consistency();

-- The tally is written once, when the session closes, and never changed.
create function voting_result_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception 'a stored tally is never changed or deleted' using errcode = 'P0001';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'closed') then
    raise exception 'a tally is stored only for a closed voting session' using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger voting_result_guard before insert or update or delete on voting_result
  for each row execute function voting_result_guard();

-- The audit chain: each entry carries the hash of the previous one; append only.
create function audit_entry_chain() returns trigger language plpgsql as $$
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
  new.hash := sha256(
    coalesce(previous.hash, '\x'::bytea) || convert_to(
      new.seq::text || '|' || to_char(new.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
      coalesce(new.actor_user_id::text, '') || '|' || new.action || '|' ||
      coalesce(new.voting_session_id::text, '') || '|' || new.details::text, 'UTF8'));
  return new;
end $$;
create trigger audit_entry_chain before insert or update or delete on audit_entry
  for each row execute function audit_entry_chain();
create function refuse_truncate() returns trigger language plpgsql as $$
begin
  raise exception '% cannot be truncated', tg_table_name using errcode = 'P0001';
end $$;
create trigger audit_entry_no_truncate before truncate on audit_entry
  for each statement execute function refuse_truncate();
create trigger ballot_no_truncate before truncate on ballot
  for each statement execute function refuse_truncate();
create trigger ballot_mark_no_truncate before truncate on ballot_mark
  for each statement execute function refuse_truncate();
create trigger ballot_choice_no_truncate before truncate on ballot_choice
  for each statement execute function refuse_truncate();
