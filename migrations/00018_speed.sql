-- Issue 16: speed. A cast in one statement, without the audit chain's lock; caches of signed-in
-- sessions and public pages invalidated on every instance by NOTIFY. Refusals raised here use
-- SQLSTATE PJ7nn.

-- ---------------------------------------------------------------- the hall network, in one place
-- True when a session with these networks (NULL: none set) accepts a ballot from this address; an
-- address that cannot be read (NULL) is outside every network. The ballot page and the cast ask
-- the same question (src/lib/server/attendance/hall-network.ts).
create function voting_session_accepts_address(networks cidr[], address inet) returns boolean
  language sql immutable as $$
  select networks is null or coalesce(address <<= any(networks), false)
$$;

-- ---------------------------------------------------------------- may this delegate cast now?
-- Every check a cast must pass before it writes, in one place for the cast and its review step:
-- the session exists, is open and within its times, the delegate is enrolled, has not voted, is
-- checked in (签到) and sends from the hall's network. Returns 'ok' or the reason, with the
-- session's status. With lock_session, the session row is locked FOR SHARE first (closing waits
-- for the casts that passed this check, and a cast that comes after closing sees it closed).
-- The ballot's content is checked by the app against the session's frozen rules
-- (src/lib/domain/ballot.ts) and again at commit by the ballot box's triggers.
create function cast_ballot_check(session_id bigint, voter_id bigint, client_address inet, lock_session boolean)
  returns table (outcome text, session_status text) language plpgsql as $$
declare
  voting record;
  member record;
begin
  if lock_session then
    select v.status, v.opens_at, v.closes_at, v.cast_networks into voting
      from voting_session v where v.id = session_id for share;
  else
    select v.status, v.opens_at, v.closes_at, v.cast_networks into voting
      from voting_session v where v.id = session_id;
  end if;
  if not found then
    return query select 'session_not_found'::text, null::text;
    return;
  end if;
  if voting.status = 'draft' or (voting.status = 'open' and voting.opens_at is not null and now() < voting.opens_at) then
    return query select 'not_yet_open'::text, voting.status;
    return;
  end if;
  if voting.status <> 'open' or (voting.closes_at is not null and now() >= voting.closes_at) then
    return query select 'closed'::text, voting.status;
    return;
  end if;
  select e.present,
         exists (select 1 from ballot_mark m where m.voting_session_id = e.voting_session_id and m.delegate_id = e.delegate_id) as has_voted
    into member
    from electorate_member e where e.voting_session_id = session_id and e.delegate_id = voter_id;
  if not found then
    return query select 'not_enrolled'::text, voting.status;
  elsif member.has_voted then
    return query select 'already_voted'::text, voting.status;
  elsif not member.present then
    return query select 'not_checked_in'::text, voting.status;
  elsif not voting_session_accepts_address(voting.cast_networks, client_address) then
    return query select 'outside_hall_network'::text, voting.status;
  else
    return query select 'ok'::text, voting.status;
  end if;
end $$;

-- ---------------------------------------------------------------- a cast in one statement
-- The checks above, then the has-voted mark, the ballot (its random v4 id made by the app), the
-- receipt's hash (apart, linked to no ballot) and the choices, and the turnout NOTIFY: one
-- statement, so one round trip, and in autocommit its own transaction, whose COMMIT runs the
-- ballot box's commit-time checks as before. Returns 'cast' with the receipt's time (rounded to
-- the minute), or the refusal of cast_ballot_check having written nothing. A second cast by the
-- same delegate at the same moment waits on the mark's primary key and fails with 23505; a
-- check-in undone meanwhile fails with PJ202 (ballot_mark_needs_presence).
--
-- No audit entry per cast (issue 16, docs/decisions/0005-audit-chain.md): each used to take the
-- audit chain's lock until its COMMIT, so casts committed one at a time, and it stamped the
-- moment of every cast beside the has-voted marks. The marks, ballots and receipts are the
-- record of casting; the audit chain holds checkpoints of them (at opening, at intervals while
-- voting, and in the closing entry).
create function cast_ballot(session_id bigint, voter_id bigint, client_address inet, new_ballot_id uuid,
                            new_receipt_hash bytea, candidate_ids bigint[], candidate_choices text[])
  returns table (outcome text, session_status text, cast_at timestamptz) language plpgsql as $$
declare
  checked record;
begin
  select * into checked from cast_ballot_check(session_id, voter_id, client_address, true);
  if checked.outcome <> 'ok' then
    return query select checked.outcome, checked.session_status, null::timestamptz;
    return;
  end if;
  insert into ballot_mark (voting_session_id, delegate_id) values (session_id, voter_id);
  insert into ballot (id, voting_session_id) values (new_ballot_id, session_id);
  insert into ballot_receipt (receipt_hash, voting_session_id) values (new_receipt_hash, session_id);
  insert into ballot_choice (ballot_id, voting_session_id, candidate_id, choice)
    select new_ballot_id, session_id, c.candidate_id, c.choice
    from unnest(candidate_ids, candidate_choices) as c (candidate_id, choice);
  perform pg_notify('piaojue_turnout', session_id::text);
  return query select 'cast'::text, 'open'::text, date_trunc('minute', now());
end $$;

-- ---------------------------------------------------------------- signed-in sessions kept in memory
-- Each app instance keeps a validated sign-in for a few seconds (src/lib/server/auth/session-cache.ts).
-- Whatever changes what a sign-in carries, or ends it, tells every instance at its commit, by
-- NOTIFY on 'piaojue_auth' with the user's id: a sign-out or any removed auth session (password
-- change, new access code, expiry, a deleted account), an account disabled or renamed, a role
-- given or taken, a second factor enrolled or removed. Whoever writes (the app, the CLI, SQL by
-- hand), the trigger tells. PostgreSQL sends one notification per user and transaction.
create function notify_auth_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('piaojue_auth', (case when tg_op = 'DELETE' then old.user_id else new.user_id end)::text);
  return null;
end $$;
create function notify_auth_user_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('piaojue_auth', (case when tg_op = 'DELETE' then old.id else new.id end)::text);
  return null;
end $$;
create trigger auth_session_notify after delete or update of user_id, opened_by, voting_session_scope on auth_session
  for each row execute function notify_auth_change();
create trigger user_role_notify after insert or update or delete on user_role
  for each row execute function notify_auth_change();
create trigger two_factor_credential_notify after insert or delete or update of user_id on two_factor_credential
  for each row execute function notify_auth_change();
create trigger app_user_notify after delete or update of username, display_name, disabled_at, password_hash on app_user
  for each row execute function notify_auth_user_change();

-- ---------------------------------------------------------------- public pages kept in memory
-- The candidate list, a candidate's page, a published result and its announcement are rendered
-- once per language and kept in memory by each instance (src/lib/server/cache/public-pages.ts).
-- Every write to what they show tells every instance at its commit, by NOTIFY on
-- 'piaojue_public' with what changed ('catalog', 'sessions', 'audit'); each instance drops the
-- pages that show it. A page that comes to read another table must add it here.
create function notify_public_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('piaojue_public', tg_argv[0]);
  return null;
end $$;
create trigger category_notify_public after insert or update or delete or truncate on category
  for each statement execute function notify_public_change('catalog');
create trigger candidate_notify_public after insert or update or delete or truncate on candidate
  for each statement execute function notify_public_change('catalog');
-- A candidate's page lists the proposals merged into it (a resident's draft changes nothing shown).
create trigger proposal_notify_public_insert after insert on proposal
  for each row when (new.merged_into_candidate_id is not null) execute function notify_public_change('catalog');
create trigger proposal_notify_public_update after update on proposal
  for each row when (old.merged_into_candidate_id is not null or new.merged_into_candidate_id is not null)
  execute function notify_public_change('catalog');
create trigger proposal_notify_public_delete after delete on proposal
  for each row when (old.merged_into_candidate_id is not null) execute function notify_public_change('catalog');
create trigger voting_session_notify_public after insert or update or delete on voting_session
  for each statement execute function notify_public_change('sessions');
create trigger voting_session_candidate_notify_public after insert or update or delete on voting_session_candidate
  for each statement execute function notify_public_change('sessions');
create trigger voting_result_notify_public after insert on voting_result
  for each statement execute function notify_public_change('sessions');
-- A result and its announcement show the session's procedure (00013): the meeting, the announcement's
-- number, the further votes it called for, the named scrutineers and who confirmed the tally.
create trigger session_procedure_notify_public after insert or update or delete on session_procedure
  for each statement execute function notify_public_change('sessions');
create trigger session_scrutineer_notify_public after insert or update or delete on session_scrutineer
  for each statement execute function notify_public_change('sessions');
create trigger session_confirmation_notify_public after insert or update or delete on session_confirmation
  for each statement execute function notify_public_change('sessions');
-- The scrutineer's name on a result.
create trigger app_user_notify_public after update of display_name on app_user
  for each statement execute function notify_public_change('sessions');
-- A result shows the chain's entries at opening and closing, the announcement its head. (Entries are
-- never changed; a superuser who rewrites them is shown too.)
create trigger audit_entry_notify_public after insert or update or delete on audit_entry
  for each statement execute function notify_public_change('audit');
