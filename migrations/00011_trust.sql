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
create unlogged table ballot_box_new_ballot (
  ballot_id uuid primary key,
  xact_id xid8 not null
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
    insert into ballot_box_new_ballot (ballot_id, xact_id) values (new.id, pg_current_xact_id());
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
   where not exists (select 1 from ballot_box_new_ballot n where n.ballot_id = i.ballot_id and n.xact_id = pg_current_xact_id())
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
