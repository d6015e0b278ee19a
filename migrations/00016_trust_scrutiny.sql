-- Trust, second pass (issue 12), continued: 00011 went to main with the runtime role and the
-- ballot box's commit-time checks; this adds how sign-ins prove themselves, paper batches that
-- wait for their scrutineers, and a simpler registry of new ballots. Refusals use SQLSTATE PJ1nn.

-- ---------------------------------------------------------------- the ballot box's registry of new ballots
-- 00011 kept, beside each ballot this transaction inserted, the transaction's id. It needs none: no
-- transaction sees another's uncommitted rows, and each removes its own at commit, so a row here is
-- only ever visible to the transaction that inserted its ballot. (Less to leave behind, too: until
-- vacuum, a removed row keeps what it held.)
alter table ballot_box_new_ballot drop column xact_id;

create or replace function ballot_box_balance_change() returns trigger language plpgsql
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

create or replace function ballot_choice_only_with_its_ballot() returns trigger language plpgsql
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

-- ---------------------------------------------------------------- receipts apart from ballots
-- A receipt code proves that a ballot is in the box, never which one. Its hash used to sit on the
-- ballot row, so anyone with a copy of the ballot table (a backup file, a database reader) and a
-- delegate's code could read that delegate's choices. Receipt hashes now have a table of their own
-- with no link to any ballot: no ballot id, and a key (the hash itself) that says nothing of the
-- order of casting. The public receipts list and its count are unchanged.
create table ballot_receipt (
  receipt_hash bytea primary key check (length(receipt_hash) = 32),
  voting_session_id bigint not null references voting_session
);
create index ballot_receipt_session_idx on ballot_receipt (voting_session_id, receipt_hash);
insert into ballot_receipt (receipt_hash, voting_session_id)
  select receipt_hash, voting_session_id from ballot where receipt_hash is not null order by receipt_hash;
alter table ballot drop column receipt_hash;
revoke update, delete on ballot_receipt from piaojue_runtime;
-- Written only while the session is open, never changed or removed (00001's guard of the ballot box).
create trigger ballot_receipt_guard before insert or update or delete on ballot_receipt
  for each row execute function ballot_box_guard();
create trigger ballot_receipt_no_truncate before truncate on ballot_receipt
  for each statement execute function refuse_truncate();

-- ---------------------------------------------------------------- which ballots the public sees
-- With 10 of 34 candidates there are hundreds of millions of possible ballots: a coercer can
-- prescribe a signature combination and look for it in a published list of ballots. The public
-- export now carries the counts, the figures and the digest; the anonymous list of ballots goes to
-- staff and scrutineers after closing, and to the public only where the session's setting says
-- so (off by default, frozen once the session opens).
alter table voting_session add column publish_ballots boolean not null default false;

create function voting_session_publish_ballots_frozen() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and new.publish_ballots is distinct from old.publish_ballots then
    raise exception using errcode = 'PJ130', message = format('the rules of voting session %s are frozen since it opened', old.id);
  end if;
  return new;
end $$;
create trigger voting_session_publish_ballots_frozen before update of publish_ballots on voting_session
  for each row execute function voting_session_publish_ballots_frozen();

-- ---------------------------------------------------------------- rate limits decided in one statement
-- Limits used to read a key's state, run the attempt, and only then count a failure: a burst of
-- parallel requests all passed the read (60 of 60 registrations from one address against a limit
-- of 10). A token is now taken and the decision made in one statement under the bucket row's lock:
-- rate_limit_take. An attempt that succeeds gives its token back where the limit counts failures
-- only (rate_limit_give_back). The bucket's rules are those of src/lib/server/auth/rate-limit.ts:
-- `capacity` tokens regained at `refill_per_second`; the take that uses up the allowance, and every
-- take while the key is in back-off (strikes), blocks the key for a wait that doubles per strike up
-- to `max_wait` — provisionally: a taker that then succeeds lifts its strike again. Strikes are
-- forgotten once the whole allowance has been regained.
create function rate_limit_take(bucket_key text, capacity float8, refill_per_second float8, first_wait float8,
                                max_wait float8)
  returns table (allowed boolean, wait_seconds float8, provisional boolean) language plpgsql as $$
declare
  bucket rate_limit_bucket%rowtype;
  regained float8;
  strikes_now integer;
  wait float8;
begin
  insert into rate_limit_bucket (key, tokens, refilled_at) values (bucket_key, capacity, now()) on conflict (key) do nothing;
  select * into bucket from rate_limit_bucket where key = bucket_key for update;
  if bucket.blocked_until > now() then
    return query select false, extract(epoch from bucket.blocked_until - now())::float8, false;
    return;
  end if;
  regained := least(capacity, bucket.tokens + extract(epoch from now() - bucket.refilled_at)::float8 * refill_per_second);
  strikes_now := case when regained >= capacity then 0 else bucket.strikes end;
  regained := regained - 1;
  if regained < 1 or strikes_now > 0 then
    strikes_now := strikes_now + 1;
    wait := least(max_wait, first_wait * 2 ^ least(strikes_now - 1, 30));
    update rate_limit_bucket set tokens = greatest(regained, 0), refilled_at = now(), strikes = strikes_now,
           blocked_until = now() + make_interval(secs => wait)
     where key = bucket_key;
    return query select true, 0::float8, true;
    return;
  end if;
  update rate_limit_bucket set tokens = regained, refilled_at = now(), strikes = strikes_now, blocked_until = null
   where key = bucket_key;
  return query select true, 0::float8, false;
end $$;

create function rate_limit_give_back(bucket_key text, capacity float8, provisional boolean) returns void
  language sql as $$
  update rate_limit_bucket
     set tokens = least(capacity, tokens + 1),
         strikes = case when provisional then greatest(strikes - 1, 0) else strikes end,
         blocked_until = case when provisional then null else blocked_until end
   where key = bucket_key;
$$;
