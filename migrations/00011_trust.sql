-- Trust, second pass (issue 12). Refusals raised here use SQLSTATE PJ1nn.
--
-- ---------------------------------------------------------------- the runtime role
-- Migrations run as the owner of the schema. The running app connects as a login role that is a
-- member of piaojue_runtime and holds only what the app does: it reads and writes rows, but it
-- owns nothing (no ALTER, DROP, DISABLE TRIGGER), cannot create in the schema, is no superuser
-- (so session_replication_role, which switches triggers off, is out of its reach), and may not
-- UPDATE or DELETE where the schema is append-only. The login role itself is made by whoever
-- runs the database (src/lib/server/db/runtime-role.ts for the embedded one; README for
-- DATABASE_URL). The group role is cluster-wide: made here when it does not exist yet (the
-- migrating role then needs CREATEROLE; an operator may create it beforehand instead).
do $$
begin
  if not exists (select from pg_roles where rolname = 'piaojue_runtime') then
    begin
      create role piaojue_runtime nologin;
    exception
      when duplicate_object or unique_violation then null; -- made at the same moment by another migration run
      when insufficient_privilege then
        raise exception using errcode = 'PJ100',
          message = 'the role piaojue_runtime does not exist and this role may not create it',
          hint = 'as a superuser: create role piaojue_runtime nologin; (see README, "Database roles")';
    end;
  end if;
end $$;

grant usage on schema public to piaojue_runtime;
grant select, insert, update, delete on all tables in schema public to piaojue_runtime;
grant usage, select on all sequences in schema public to piaojue_runtime;
-- Tables and sequences of later migrations (run by the same owner) get the same grants.
alter default privileges in schema public grant select, insert, update, delete on tables to piaojue_runtime;
alter default privileges in schema public grant usage, select on sequences to piaojue_runtime;

-- What the app never changes once written: their triggers refuse it too; the role cannot even try.
revoke update, delete on ballot, ballot_mark, ballot_choice, voting_result, audit_entry, paper_batch,
  paper_batch_scrutineer, livelihood_project, progress_update, progress_photo from piaojue_runtime;
-- The migrations' record is the owner's.
revoke insert, update, delete on schema_migration from piaojue_runtime;

-- ---------------------------------------------------------------- the ballot box at commit
-- 00008 counted, per transaction, the marks and ballots each session gained in transaction-local
-- settings (set_config): any writer can set those too, and so commit a mark without a ballot. The
-- counts now live in tables the runtime role cannot read or write, kept by SECURITY DEFINER
-- triggers (owned by the owner, search_path pinned): a balance per transaction and session (+1 per
-- has-voted mark added, -1 per ballot added; later also the paper ballots awaiting their
-- scrutineers), and the ballots this transaction inserted. Both are unlogged: their rows live
-- only until the commit that checks them (a crash loses nothing of value), and cost no WAL.
-- Still O(1) per cast, for every writer. Rows of a savepoint that is rolled back go with it.
create unlogged table ballot_box_balance (
  xact_id xid8 not null,
  voting_session_id bigint not null,
  balance integer not null,
  primary key (xact_id, voting_session_id)
);
-- No transaction sees another's uncommitted rows, and each removes its own at commit: a row here
-- is only ever visible to the transaction that inserted its ballot.
create unlogged table ballot_box_new_ballot (
  ballot_id uuid primary key
);
revoke all on ballot_box_balance, ballot_box_new_ballot from piaojue_runtime;

create function ballot_box_balance_change() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  row_session bigint := case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end;
  change integer := case when tg_table_name = 'ballot_mark' then 1 else -1 end * case when tg_op = 'DELETE' then -1 else 1 end;
begin
  insert into ballot_box_balance (xact_id, voting_session_id, balance) values (pg_current_xact_id(), row_session, change)
    on conflict (xact_id, voting_session_id) do update set balance = ballot_box_balance.balance + excluded.balance;
  if tg_table_name = 'ballot' then
    insert into ballot_box_new_ballot (ballot_id) values (new.id);
  end if;
  return null;
end $$;

-- At commit (or at SET CONSTRAINTS … IMMEDIATE): the transaction left each session's box
-- balanced. The first check of a session takes its balance away; later ones find it checked.
create function ballot_box_check_balance(session_id bigint) returns void language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  remaining integer;
begin
  delete from ballot_box_balance where xact_id = pg_current_xact_id() and voting_session_id = session_id
    returning balance into remaining;
  if remaining is not null and remaining <> 0 then
    raise exception using errcode = 'PJ101', message = format(
      'voting session %s would have has-voted marks but %s ballots in this transaction', session_id,
      case when remaining > 0 then remaining || ' fewer' else (-remaining) || ' more' end);
  end if;
end $$;
revoke all on function ballot_box_check_balance(bigint) from public;

create function ballot_box_balanced() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
begin
  perform ballot_box_check_balance(case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end);
  return null;
end $$;

-- A ballot at commit: balanced with its mark, and valid under its session's rules over ALL its
-- choice rows (at most N "for"; only ticks in an approval ballot; a choice per candidate in a
-- for/against/abstain ballot; an evaluation's own check is evaluation_ballot_complete).
create function ballot_box_ballot_at_commit() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  session_row voting_session%rowtype;
  for_count bigint;
  choice_count bigint;
  candidate_count bigint;
begin
  perform ballot_box_check_balance(new.voting_session_id);
  delete from ballot_box_new_ballot where ballot_id = new.id;
  if new.is_void then
    return null;
  end if;
  select * into session_row from voting_session where id = new.voting_session_id;
  if session_row.ballot_method not in ('approval', 'for_against_abstain') then
    return null;
  end if;
  select count(*) filter (where choice = 'for'), count(*) into for_count, choice_count
    from ballot_choice where ballot_id = new.id;
  if for_count > session_row.seats then
    raise exception using errcode = 'PJ103',
      message = format('a valid ballot marks %s candidates, more than the %s seats', for_count, session_row.seats);
  end if;
  if session_row.ballot_method = 'approval' and choice_count <> for_count then
    raise exception using errcode = 'PJ103', message = 'an approval ballot holds only ticks';
  end if;
  if session_row.ballot_method = 'for_against_abstain' then
    select count(*) into candidate_count from voting_session_candidate where voting_session_id = new.voting_session_id;
    if choice_count <> candidate_count then
      raise exception using errcode = 'PJ103',
        message = format('a for/against/abstain ballot needs a choice for each of the %s candidates', candidate_count);
    end if;
  end if;
  return null;
end $$;

-- A choice row is accepted only for a ballot this very transaction inserted and has not yet
-- checked: an existing ballot never gains a choice (00001 accepted rows for any ballot of an
-- open session, and tally --verify then agreed with the changed count).
create function ballot_choice_only_with_its_ballot() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  orphan uuid;
begin
  select i.ballot_id into orphan from inserted_choices i
   where not exists (select 1 from ballot_box_new_ballot n where n.ballot_id = i.ballot_id)
   limit 1;
  if found then
    raise exception using errcode = 'PJ102',
      message = format('ballot %s cannot gain choices: a choice is written only with its ballot, in the transaction that inserts it', orphan);
  end if;
  return null;
end $$;

drop trigger ballot_mark_count_insert on ballot_mark;
drop trigger ballot_count_insert on ballot;
drop trigger ballot_mark_consistency on ballot_mark;
drop trigger ballot_consistency on ballot;
drop function ballot_box_count_insert();
drop function ballot_box_consistency();

create trigger ballot_mark_balance after insert or delete on ballot_mark
  for each row execute function ballot_box_balance_change();
create trigger ballot_balance after insert on ballot
  for each row execute function ballot_box_balance_change();
create constraint trigger ballot_mark_balanced after insert or delete on ballot_mark
  deferrable initially deferred for each row execute function ballot_box_balanced();
create constraint trigger ballot_at_commit after insert on ballot
  deferrable initially deferred for each row execute function ballot_box_ballot_at_commit();
create trigger ballot_choice_only_with_its_ballot after insert on ballot_choice
  referencing new table as inserted_choices for each statement execute function ballot_choice_only_with_its_ballot();

-- ---------------------------------------------------------------- how a sign-in was made
-- Every auth session records how it was opened: a password, a password and a second factor, or a
-- one-time access code. A code session carries the delegate role only, for the voting sessions the
-- code was issued for (src/lib/server/auth/session.ts); confirming a tally or a paper batch needs
-- a password sign-in (with the second factor where enrolled) by the scrutineer themself.
alter table auth_session
  add column opened_by text not null default 'password' check (opened_by in ('password', 'two_factor', 'access_code')),
  add column voting_session_scope bigint[],
  add constraint auth_session_code_scope check ((opened_by = 'access_code') = (voting_session_scope is not null));
-- Sessions that may have been opened with a code before this change carried every role of the
-- account: they end (those delegates sign in again).
delete from auth_session where user_id in (select user_id from access_code where used_at is not null);

-- A code is issued for one voting session (older codes, without one, are scoped at sign-in to the
-- sessions their delegate is enrolled in that are not closed yet).
alter table access_code add column voting_session_id bigint references voting_session on delete cascade;

-- Codes are for delegates who hold no staff or scrutineer role: such an account proves itself
-- with its password (and second factor), never with a code someone else printed.
create function access_code_not_for_privileged() returns trigger language plpgsql as $$
begin
  if exists (select 1 from user_role where user_id = new.user_id and role in ('staff', 'scrutineer')) then
    raise exception using errcode = 'PJ110',
      message = format('user %s holds a staff or scrutineer role: such accounts sign in with their password, not an access code', new.user_id);
  end if;
  return new;
end $$;
create trigger access_code_not_for_privileged before insert or update of user_id, code_hash on access_code
  for each row execute function access_code_not_for_privileged();

-- ---------------------------------------------------------------- paper batches await their scrutineers
-- A batch of paper ballots entered by staff is pending until every scrutineer it names confirms it
-- with their own sign-in; only then are its ballots counted (moved into the ballot box, in random
-- order) and its delegates recorded present. Until then the ballots wait in paper_batch_ballot (the
-- batch's has-voted marks keep its delegates from voting twice, but are not counted as cast). A
-- named scrutineer (or staff) may refuse a pending batch with a reason: its ballots and marks go,
-- and its delegates may vote again. Batches entered before this change were counted at once.
alter table paper_batch add column status text not null default 'counted'
  check (status in ('pending', 'counted', 'rejected'));
alter table paper_batch alter column status set default 'pending';
create index paper_batch_pending_idx on paper_batch (voting_session_id) where status = 'pending';

create table paper_batch_ballot (
  -- Not a ballot's id: a counted ballot gets a fresh random one. Rows are inserted shuffled.
  id bigint generated always as identity primary key,
  paper_batch_id bigint not null references paper_batch,
  voting_session_id bigint not null references voting_session,
  is_void boolean not null,
  -- [{"candidateId": 12, "choice": "for"}, …], checked by the ballot box's rules when counted
  choices jsonb not null default '[]' check (jsonb_typeof(choices) = 'array')
);
create index paper_batch_ballot_batch_idx on paper_batch_ballot (paper_batch_id);

create table paper_batch_confirmation (
  paper_batch_id bigint not null,
  scrutineer_id bigint not null,
  confirmed_at timestamptz not null default now(),
  primary key (paper_batch_id, scrutineer_id),
  -- only a scrutineer the batch names
  foreign key (paper_batch_id, scrutineer_id) references paper_batch_scrutineer
);

create table paper_batch_rejection (
  paper_batch_id bigint primary key references paper_batch,
  rejected_by bigint not null references app_user,
  rejected_at timestamptz not null default now(),
  reason text not null check (length(btrim(reason)) between 1 and 500)
);

-- The runtime role enters batches and records confirmations and refusals; it never changes or
-- removes them, nor moves ballots: the triggers below (owned by the owner) do.
revoke update, delete on paper_batch_ballot, paper_batch_confirmation, paper_batch_rejection from piaojue_runtime;

-- Batches are entered pending while the session is open; their status moves once, pending → counted
-- or rejected, by the triggers below; nothing else of a batch ever changes, and none is deleted.
create function paper_batch_lifecycle() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception using errcode = 'PJ120', message = 'paper batches are never deleted';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception using errcode = 'PJ120', message = 'a paper batch is entered pending';
    end if;
    if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'open') then
      raise exception 'voting session % is not open', new.voting_session_id using errcode = 'P0001';
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
drop trigger paper_batch_guard on paper_batch;
drop function paper_batch_guard();
create trigger paper_batch_lifecycle before insert or update or delete on paper_batch
  for each row execute function paper_batch_lifecycle();

-- A confirmation or a refusal is recorded only for a pending batch of an open session.
-- The batch's row is locked, so the last two confirmations of a batch come one after the other
-- and the second sees the first (SECURITY DEFINER: the runtime role may not lock batches itself).
create function paper_batch_decision_guard() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  batch record;
begin
  select b.status, s.status as session_status into batch
    from paper_batch b join voting_session s on s.id = b.voting_session_id where b.id = new.paper_batch_id for update of b;
  if batch.status is distinct from 'pending' then
    raise exception using errcode = 'PJ122', message = format('paper batch %s is not pending', new.paper_batch_id);
  end if;
  if batch.session_status <> 'open' then
    raise exception using errcode = 'PJ122', message = format('the voting session of paper batch %s is not open', new.paper_batch_id);
  end if;
  return new;
end $$;
create trigger paper_batch_confirmation_guard before insert on paper_batch_confirmation
  for each row execute function paper_batch_decision_guard();
create trigger paper_batch_rejection_guard before insert on paper_batch_rejection
  for each row execute function paper_batch_decision_guard();

-- The last named scrutineer's confirmation counts the batch: its ballots go into the ballot box in
-- a random order (carrying only the channel), its delegates are recorded present.
create function paper_batch_count_when_confirmed() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
declare
  staged record;
  new_ballot uuid;
begin
  if exists (
       select 1 from paper_batch_scrutineer s
       where s.paper_batch_id = new.paper_batch_id
         and not exists (select 1 from paper_batch_confirmation c where c.paper_batch_id = s.paper_batch_id and c.scrutineer_id = s.scrutineer_id)) then
    return null;
  end if;
  update paper_batch set status = 'counted' where id = new.paper_batch_id;
  for staged in select * from paper_batch_ballot where paper_batch_id = new.paper_batch_id order by random() loop
    insert into ballot (voting_session_id, is_void, channel) values (staged.voting_session_id, staged.is_void, 'paper')
      returning id into new_ballot;
    insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
      select new_ballot, staged.voting_session_id, (entry->>'candidateId')::bigint, entry->>'choice'
      from jsonb_array_elements(staged.choices) entry;
  end loop;
  delete from paper_batch_ballot where paper_batch_id = new.paper_batch_id;
  return null;
end $$;
create trigger paper_batch_count_when_confirmed after insert on paper_batch_confirmation
  for each row execute function paper_batch_count_when_confirmed();

-- A counted batch's delegates are recorded present (实到), as its entry used to do at once.
create function paper_batch_present_when_counted() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
begin
  update electorate_member e set present = true
    from ballot_mark m
   where m.paper_batch_id = new.id and e.voting_session_id = m.voting_session_id
     and e.delegate_id = m.delegate_id and not e.present;
  return null;
end $$;
create trigger paper_batch_present_when_counted after update of status on paper_batch
  for each row when (new.status = 'counted' and old.status = 'pending')
  execute function paper_batch_present_when_counted();

-- A refusal takes the batch out: its waiting ballots and its delegates' has-voted marks go.
create function paper_batch_remove_when_rejected() returns trigger language plpgsql
  security definer set search_path = public, pg_temp as $$
begin
  update paper_batch set status = 'rejected' where id = new.paper_batch_id;
  delete from paper_batch_ballot where paper_batch_id = new.paper_batch_id;
  delete from ballot_mark where paper_batch_id = new.paper_batch_id;
  return null;
end $$;
create trigger paper_batch_remove_when_rejected after insert on paper_batch_rejection
  for each row execute function paper_batch_remove_when_rejected();

-- Has-voted marks: written only while the session is open, never changed, removed only with a
-- refused paper batch (00001's ballot_box_guard refused every removal).
create function ballot_mark_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'P0001';
  end if;
  if not exists (select 1 from voting_session
                 where id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end
                   and status = 'open') then
    raise exception 'voting session % is not open',
      case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end using errcode = 'P0001';
  end if;
  if tg_op = 'DELETE' then
    if old.paper_batch_id is null or not exists (select 1 from paper_batch where id = old.paper_batch_id and status = 'rejected') then
      raise exception '% rows are never changed or deleted', tg_table_name using errcode = 'P0001';
    end if;
    return old;
  end if;
  return new;
end $$;
drop trigger ballot_mark_guard on ballot_mark;
create trigger ballot_mark_guard before insert or update or delete on ballot_mark
  for each row execute function ballot_mark_guard();

-- The waiting ballots take part in the ballot box's balance (a waiting ballot balances its mark
-- as a counted one does), are written only while open, and leave only by the triggers above.
create function paper_batch_ballot_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    raise exception using errcode = 'PJ120', message = 'a waiting paper vote never changes';
  end if;
  if tg_op = 'DELETE' then
    if not exists (select 1 from paper_batch where id = old.paper_batch_id and status in ('counted', 'rejected')) then
      raise exception using errcode = 'PJ120', message = 'a waiting paper vote leaves only when its batch is counted or refused';
    end if;
    return old;
  end if;
  if not exists (select 1 from paper_batch b where b.id = new.paper_batch_id and b.status = 'pending'
                 and b.voting_session_id = new.voting_session_id) then
    raise exception using errcode = 'PJ120', message = format('paper batch %s is not pending in voting session %s', new.paper_batch_id, new.voting_session_id);
  end if;
  return new;
end $$;
create trigger paper_batch_ballot_guard before insert or update or delete on paper_batch_ballot
  for each row execute function paper_batch_ballot_guard();
create trigger paper_batch_ballot_balance after insert or delete on paper_batch_ballot
  for each row execute function ballot_box_balance_change();
create constraint trigger paper_batch_ballot_balanced after insert or delete on paper_batch_ballot
  deferrable initially deferred for each row execute function ballot_box_balanced();

-- At commit: a new batch holds as many waiting ballots as it says.
create function paper_batch_staged_complete() returns trigger language plpgsql as $$
declare
  staged bigint;
begin
  if (select status from paper_batch where id = new.id) <> 'pending' then
    return null;
  end if;
  select count(*) into staged from paper_batch_ballot where paper_batch_id = new.id;
  if staged <> new.ballot_count then
    raise exception using errcode = 'PJ123',
      message = format('paper batch %s holds %s ballots but says %s', new.id, staged, new.ballot_count);
  end if;
  return null;
end $$;
create constraint trigger paper_batch_staged_complete after insert on paper_batch
  deferrable initially deferred for each row execute function paper_batch_staged_complete();

-- Voting closes only when no batch is left waiting (its ballots would otherwise be lost to the count).
create function voting_session_no_pending_paper() returns trigger language plpgsql as $$
begin
  if new.status = 'closed' and old.status = 'open'
     and exists (select 1 from paper_batch where voting_session_id = new.id and status = 'pending') then
    raise exception using errcode = 'PJ124',
      message = format('voting session %s has paper batches awaiting their scrutineers', new.id);
  end if;
  return new;
end $$;
create trigger voting_session_no_pending_paper before update of status on voting_session
  for each row execute function voting_session_no_pending_paper();
