-- The congress's own procedure around the vote (issue 13, part 2): the voting rules (票决办法) and
-- their adoption, the standing committee's review of the candidate list, the scrutineers the
-- meeting names for each session (总监票人, 监票人, 计票人) and their confirmation of the tally,
-- the 差额 ratio confirmed at opening, the further vote (另行票决 / 再次投票) linked to its first
-- round, and the number of the presidium's announcement (公告第N号).
--
-- Everything lives in tables and trigger functions of its own; two functions of 00002 are replaced
-- with one check widened each: voting_session_guard (the confirmation) and
-- paper_batch_scrutineer_guard (a paper batch's scrutineers) accepted only holders of the global
-- `scrutineer` role; they now also accept the session's named scrutineers.
-- Refusals use SQLSTATE PJ301…PJ399; the application recognises them by code.

-- ---------------------------------------------------------------- one procedure record per session
create table session_procedure (
  voting_session_id bigint primary key references voting_session on delete cascade,
  -- The meeting the vote belongs to, e.g. 台州市第六届人民代表大会第一次会议: the title of the
  -- 票决办法 and the issuer line of the announcement.
  meeting_name text not null default '' check (length(meeting_name) <= 200 and meeting_name = btrim(meeting_name)),
  -- Settings (frozen at opening like every rule), on by default for a vote; off for an evaluation.
  require_adopted_rules boolean not null default true,
  require_review boolean not null default true,
  require_named_scrutineers boolean not null default true,
  -- 差额: below this candidates : places ratio, opening needs an explicit confirmation with a reason.
  min_candidate_ratio numeric(4, 2) not null default 1.20 check (min_candidate_ratio between 1 and 10),
  -- The 票决办法: NULL while the app's draft (made from the settings) is used; the text staff
  -- edited otherwise. Adoption stores the text adopted here and freezes it.
  rules_text text check (rules_text is null or length(btrim(rules_text)) between 1 and 20000),
  rules_adopted_by text check (rules_adopted_by in ('presidium', 'plenary')),
  rules_adopted_on date,
  rules_recorded_by bigint references app_user,
  constraint session_procedure_adoption_whole check (
    (rules_adopted_by is null) = (rules_adopted_on is null)
    and (rules_adopted_by is null or rules_text is not null)),
  -- The standing committee's review of the candidate list (人大常委会: meeting, date, document).
  review_meeting text check (review_meeting is null or length(btrim(review_meeting)) between 1 and 200),
  review_on date,
  review_document text check (review_document is null or length(btrim(review_document)) between 1 and 100),
  review_recorded_by bigint references app_user,
  constraint session_procedure_review_whole check (
    (review_meeting is null) = (review_on is null) and (review_on is null) = (review_document is null)),
  -- The meeting's approval of the named scrutineers (by the presidium or the plenary, and when).
  scrutineers_approved_by text check (scrutineers_approved_by in ('presidium', 'plenary')),
  scrutineers_approved_on date,
  constraint session_procedure_approval_whole check ((scrutineers_approved_by is null) = (scrutineers_approved_on is null)),
  -- Opened below the minimum ratio: the reason given and who gave it.
  ratio_below_reason text check (ratio_below_reason is null or length(btrim(ratio_below_reason)) between 1 and 500),
  ratio_confirmed_by bigint references app_user,
  -- A further vote: the session whose tie or shortfall it settles (at most one per session).
  follow_up_of bigint unique references voting_session,
  follow_up_kind text check (follow_up_kind in ('tie', 'shortfall')),
  constraint session_procedure_follow_up_whole check ((follow_up_of is null) = (follow_up_kind is null)),
  constraint session_procedure_follow_up_other check (follow_up_of is null or follow_up_of <> voting_session_id),
  -- 公告第N号, numbered within the meeting.
  announcement_number integer check (announcement_number between 1 and 9999)
);
create unique index session_procedure_announcement_key on session_procedure (meeting_name, announcement_number)
  where announcement_number is not null;

-- Every session gets its record when it is created: a vote with the requirements on, an
-- evaluation (满意度测评, no candidate list to review, no 票决办法 of this kind) with them off.
create function session_procedure_create() returns trigger language plpgsql as $$
begin
  insert into session_procedure (voting_session_id, require_adopted_rules, require_review, require_named_scrutineers)
  values (new.id, new.ballot_method <> 'evaluation', new.ballot_method <> 'evaluation', new.ballot_method <> 'evaluation');
  return null;
end $$;
create trigger voting_session_procedure_create after insert on voting_session
  for each row execute function session_procedure_create();

-- Sessions that exist already: those past their draft ran under the old rules (requirements off);
-- a draft vote now follows the new ones.
insert into session_procedure (voting_session_id, require_adopted_rules, require_review, require_named_scrutineers)
select id, on_now, on_now, on_now
from (select id, (status = 'draft' and ballot_method <> 'evaluation') as on_now from voting_session) existing;

-- ---------------------------------------------------------------- named scrutineers and counters
-- chief = 总监票人 (exactly one), member = 监票人 (at least two), counter = 计票人 (staff).
create table session_scrutineer (
  voting_session_id bigint not null references voting_session on delete cascade,
  user_id bigint not null references app_user,
  duty text not null check (duty in ('chief', 'member', 'counter')),
  -- The order in which they were named (the order they are listed in).
  position integer not null default 0,
  named_by bigint references app_user,
  named_at timestamptz not null default now(),
  primary key (voting_session_id, user_id)
);
create unique index session_scrutineer_one_chief on session_scrutineer (voting_session_id) where duty = 'chief';
create index session_scrutineer_user_idx on session_scrutineer (user_id);

-- Each confirmation of the stored tally, by its own account: written once, never changed.
create table session_confirmation (
  voting_session_id bigint not null references voting_session,
  user_id bigint not null references app_user,
  confirmed_at timestamptz not null default now(),
  primary key (voting_session_id, user_id)
);

-- The app's runtime role (00011) never changes a confirmation once written; its trigger refuses it too.
revoke update, delete on session_confirmation from piaojue_runtime;

-- ---------------------------------------------------------------- functions the rules share
-- A chief or member scrutineer of the session (the named panel).
create function procedure_is_named_scrutineer(session_id bigint, person bigint) returns boolean
  language sql stable as $$
  select exists (select 1 from session_scrutineer
                 where voting_session_id = session_id and user_id = person and duty in ('chief', 'member'))
$$;

create function procedure_has_panel(session_id bigint) returns boolean language sql stable as $$
  select exists (select 1 from session_scrutineer where voting_session_id = session_id and duty in ('chief', 'member'))
$$;

-- The confirmation rule: with a named panel, the 总监票人 and a majority of the named 监票人; a
-- session without a panel (its setting allows it) is confirmed by one holder of the global role.
create function procedure_confirmation_complete(session_id bigint) returns boolean language sql stable as $$
  select case
    when not procedure_has_panel(session_id)
      then exists (select 1 from session_confirmation where voting_session_id = session_id)
    else exists (select 1 from session_scrutineer s join session_confirmation c
                   on c.voting_session_id = s.voting_session_id and c.user_id = s.user_id
                 where s.voting_session_id = session_id and s.duty = 'chief')
     and 2 * (select count(*) from session_scrutineer s join session_confirmation c
                on c.voting_session_id = s.voting_session_id and c.user_id = s.user_id
              where s.voting_session_id = session_id and s.duty = 'member')
       > (select count(*) from session_scrutineer where voting_session_id = session_id and duty = 'member')
  end
$$;

-- ---------------------------------------------------------------- the procedure record's rules
create function session_procedure_guard() returns trigger language plpgsql as $$
declare
  session_status text;
  first_round record;
begin
  select status into session_status from voting_session
    where id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end;
  if tg_op = 'DELETE' then
    if session_status is null or session_status = 'draft' then
      return old; -- the draft session itself is being deleted
    end if;
    raise exception using errcode = 'PJ314',
      message = format('the procedure of voting session %s cannot be deleted', old.voting_session_id);
  end if;
  if tg_op = 'UPDATE' and new.voting_session_id <> old.voting_session_id then
    raise exception using errcode = 'PJ314', message = 'a procedure record stays with its voting session';
  end if;
  -- The link of a further vote to its first round: set once, while a draft, to a counted first
  -- round whose tally flags what the further vote settles.
  if (tg_op = 'INSERT' and new.follow_up_of is not null)
     or (tg_op = 'UPDATE' and (new.follow_up_of, new.follow_up_kind) is distinct from (old.follow_up_of, old.follow_up_kind)) then
    if (tg_op = 'UPDATE' and old.follow_up_of is not null) or coalesce(session_status, 'draft') <> 'draft' then
      raise exception using errcode = 'PJ313',
        message = format('the first round of further vote %s never changes', new.voting_session_id);
    end if;
    select s.status, r.tally into first_round
      from voting_session s left join voting_result r on r.voting_session_id = s.id where s.id = new.follow_up_of;
    if first_round.status not in ('closed', 'published') or first_round.tally is null
       or (new.follow_up_kind = 'tie' and jsonb_typeof(first_round.tally->'tie') is distinct from 'object')
       or (new.follow_up_kind = 'shortfall' and jsonb_typeof(first_round.tally->'shortfall') is distinct from 'object') then
      raise exception using errcode = 'PJ313',
        message = format('voting session %s has no counted %s for a further vote to settle', new.follow_up_of, new.follow_up_kind);
    end if;
  end if;
  if tg_op = 'INSERT' or coalesce(session_status, 'draft') = 'draft' then
    -- The adopted 票决办法 and its meeting are frozen until the adoption is withdrawn.
    if tg_op = 'UPDATE' and old.rules_adopted_by is not null and new.rules_adopted_by is not null
       and (new.rules_text, new.meeting_name, new.rules_adopted_by, new.rules_adopted_on)
           is distinct from (old.rules_text, old.meeting_name, old.rules_adopted_by, old.rules_adopted_on) then
      raise exception using errcode = 'PJ301',
        message = format('the voting rules of session %s are adopted: withdraw the adoption before changing them', new.voting_session_id);
    end if;
    return new;
  end if;
  -- From opening on, only the announcement's number may change, and only until publication.
  if (to_jsonb(new) - 'announcement_number') <> (to_jsonb(old) - 'announcement_number')
     or (new.announcement_number is distinct from old.announcement_number and session_status = 'published') then
    raise exception using errcode = 'PJ314',
      message = format('the procedure of voting session %s is frozen since it opened', new.voting_session_id);
  end if;
  return new;
end $$;
create trigger session_procedure_guard before insert or update or delete on session_procedure
  for each row execute function session_procedure_guard();

-- ---------------------------------------------------------------- named scrutineers' rules
-- Named while the session is a draft; frozen from opening on. A 总监票人 or 监票人 is a delegate of
-- the session's electorate, or a holder of the global `scrutineer` role (a place that appoints
-- non-delegates); a 计票人 is a staff member.
create function session_scrutineer_guard() returns trigger language plpgsql as $$
declare
  session_status text;
begin
  select status into session_status from voting_session
    where id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end;
  if session_status is null then
    return case when tg_op = 'DELETE' then old else new end; -- the draft session is being deleted
  end if;
  if session_status <> 'draft' then
    raise exception using errcode = 'PJ307', message = format(
      'the scrutineers of voting session %s are frozen since it opened', coalesce(new.voting_session_id, old.voting_session_id));
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  if new.duty = 'counter' then
    if not exists (select 1 from user_role where user_id = new.user_id and role = 'staff') then
      raise exception using errcode = 'PJ308', message = format('user %s is not staff and cannot count (计票人)', new.user_id);
    end if;
  elsif not exists (select 1 from electorate_member where voting_session_id = new.voting_session_id and delegate_id = new.user_id)
        and not exists (select 1 from user_role where user_id = new.user_id and role = 'scrutineer') then
    raise exception using errcode = 'PJ305', message = format(
      'user %s is neither a delegate of voting session %s nor a scrutineer', new.user_id, new.voting_session_id);
  end if;
  return new;
end $$;
create trigger session_scrutineer_guard before insert or update or delete on session_scrutineer
  for each row execute function session_scrutineer_guard();
create trigger session_scrutineer_no_truncate before truncate on session_scrutineer
  for each statement execute function refuse_truncate();

-- A confirmation: while the session is closed, by one of its scrutineers (the named panel, or
-- without one a holder of the global role); append-only.
create function session_confirmation_guard() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    raise exception using errcode = 'PJ309', message = 'confirmations of a tally are never changed or deleted';
  end if;
  if not exists (select 1 from voting_session where id = new.voting_session_id and status = 'closed') then
    raise exception using errcode = 'PJ309', message = 'only the tally of a closed voting session can be confirmed';
  end if;
  if procedure_has_panel(new.voting_session_id) then
    if not procedure_is_named_scrutineer(new.voting_session_id, new.user_id) then
      raise exception using errcode = 'PJ310', message = format(
        'user %s is not a named scrutineer of voting session %s', new.user_id, new.voting_session_id);
    end if;
  elsif not exists (select 1 from user_role where user_id = new.user_id and role = 'scrutineer') then
    raise exception using errcode = 'PJ310', message = format('user %s is not a scrutineer', new.user_id);
  end if;
  new.confirmed_at := now();
  return new;
end $$;
create trigger session_confirmation_guard before insert or update or delete on session_confirmation
  for each row execute function session_confirmation_guard();
create trigger session_confirmation_no_truncate before truncate on session_confirmation
  for each statement execute function refuse_truncate();

-- ---------------------------------------------------------------- the session's own moves
-- While the 票决办法 is adopted, the session's settings stay as they were adopted (every column but
-- the lifecycle's and the schedule's); opening needs what the settings require; a tally is marked
-- confirmed only when the confirmation rule is met; publication needs the rule and a publisher
-- who did not confirm.
create function procedure_session_guard() returns trigger language plpgsql as $$
declare
  proc_row session_procedure%rowtype;
  lifecycle_columns constant text[] := array['status', 'opened_at', 'closed_at', 'published_at', 'confirmed_at',
    'confirmed_by', 'published_by', 'opens_at', 'closes_at'];
  chiefs integer;
  members integer;
  outsiders integer;
  candidate_count integer;
begin
  select * into proc_row from session_procedure where voting_session_id = new.id;
  if not found then
    return new;
  end if;
  if old.status = 'draft' and new.status = 'draft' and proc_row.rules_adopted_by is not null
     and (to_jsonb(new) - lifecycle_columns) <> (to_jsonb(old) - lifecycle_columns) then
    raise exception using errcode = 'PJ301',
      message = format('the voting rules of session %s are adopted: withdraw the adoption before changing its settings', new.id);
  end if;
  if old.status = 'draft' and new.status = 'open' then
    if proc_row.require_adopted_rules and proc_row.rules_adopted_by is null then
      raise exception using errcode = 'PJ302', message = format('the voting rules of session %s have not been adopted', new.id);
    end if;
    if proc_row.require_review and proc_row.review_on is null then
      raise exception using errcode = 'PJ303',
        message = format('the standing committee''s review of the candidates of session %s is not recorded', new.id);
    end if;
    select count(*) filter (where duty = 'chief'), count(*) filter (where duty = 'member') into chiefs, members
      from session_scrutineer where voting_session_id = new.id;
    if (proc_row.require_named_scrutineers or chiefs + members > 0)
       and (chiefs <> 1 or members < 2 or proc_row.scrutineers_approved_on is null) then
      raise exception using errcode = 'PJ304', message = format(
        'voting session %s needs one chief scrutineer and at least two scrutineers approved by the meeting (it has %s and %s)',
        new.id, chiefs, members);
    end if;
    select count(*) into outsiders from session_scrutineer s
      where s.voting_session_id = new.id and s.duty in ('chief', 'member')
        and not exists (select 1 from electorate_member e where e.voting_session_id = new.id and e.delegate_id = s.user_id)
        and not exists (select 1 from user_role r where r.user_id = s.user_id and r.role = 'scrutineer');
    if outsiders > 0 then
      raise exception using errcode = 'PJ305',
        message = format('%s named scrutineer(s) of voting session %s are no longer delegates of its electorate', outsiders, new.id);
    end if;
    if new.ballot_method <> 'evaluation' and new.seats is not null then
      select count(*) into candidate_count from voting_session_candidate where voting_session_id = new.id;
      if candidate_count < proc_row.min_candidate_ratio * new.seats and proc_row.ratio_below_reason is null then
        raise exception using errcode = 'PJ306', message = format(
          'voting session %s has %s candidates for %s places, below the ratio %s: opening needs a confirmation with a reason',
          new.id, candidate_count, new.seats, proc_row.min_candidate_ratio);
      end if;
    end if;
  end if;
  if old.confirmed_by is null and new.confirmed_by is not null then
    if not exists (select 1 from session_confirmation where voting_session_id = new.id and user_id = new.confirmed_by)
       or not procedure_confirmation_complete(new.id) then
      raise exception using errcode = 'PJ311',
        message = format('the confirmation rule of voting session %s is not met', new.id);
    end if;
  end if;
  if old.status = 'closed' and new.status = 'published' then
    if not procedure_confirmation_complete(new.id) then
      raise exception using errcode = 'PJ312',
        message = format('the tally of voting session %s is not confirmed by its scrutineers', new.id);
    end if;
    if exists (select 1 from session_confirmation where voting_session_id = new.id and user_id = new.published_by) then
      raise exception using errcode = 'PJ312',
        message = format('voting session %s is published by a staff member who did not confirm its tally', new.id);
    end if;
  end if;
  return new;
end $$;
create trigger voting_session_procedure_guard before update on voting_session
  for each row execute function procedure_session_guard();

-- While the review of the candidate list is recorded, or the 票决办法 (which counts them) is
-- adopted, the list stays as it was.
create function procedure_candidate_list_guard() returns trigger language plpgsql as $$
declare
  proc_row session_procedure%rowtype;
begin
  select * into proc_row from session_procedure
    where voting_session_id = case when tg_op = 'DELETE' then old.voting_session_id else new.voting_session_id end;
  if found and (proc_row.review_on is not null or proc_row.rules_adopted_by is not null)
     and exists (select 1 from voting_session where id = proc_row.voting_session_id and status = 'draft') then
    raise exception using errcode = 'PJ315', message = format(
      'the candidate list of voting session %s is reviewed or its voting rules adopted: withdraw them before changing it',
      proc_row.voting_session_id);
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger voting_session_candidate_procedure_guard before insert or update or delete on voting_session_candidate
  for each row execute function procedure_candidate_list_guard();

-- ---------------------------------------------------------------- 00002's guard, one check widened
-- As in 00002, except that the confirmation is accepted from a named scrutineer of the session as
-- well as from a holder of the global role (procedure_session_guard above applies the rule).
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
    if new.confirmed_by is null
       or not (exists (select 1 from user_role where user_id = new.confirmed_by and role = 'scrutineer')
               or procedure_is_named_scrutineer(new.id, new.confirmed_by)) then
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

-- ---------------------------------------------------------------- paper batches and the named scrutineers
-- As in 00002, except that a batch's scrutineer may also be a named 总监票人 or 监票人 of its session;
-- where the session has named ones, only they count its paper ballots, two of them at least
-- (checked at commit below).
create or replace function paper_batch_scrutineer_guard() returns trigger language plpgsql as $$
declare
  batch_session bigint;
begin
  if tg_op <> 'INSERT' then
    raise exception 'paper batches are never changed or deleted' using errcode = 'P0001';
  end if;
  select voting_session_id into batch_session from paper_batch where id = new.paper_batch_id;
  if procedure_has_panel(batch_session) then
    if not procedure_is_named_scrutineer(batch_session, new.scrutineer_id) then
      raise exception using errcode = 'PJ316',
        message = format('user %s is not a named scrutineer of voting session %s', new.scrutineer_id, batch_session);
    end if;
  elsif not exists (select 1 from user_role where user_id = new.scrutineer_id and role = 'scrutineer') then
    raise exception 'user % is not a scrutineer', new.scrutineer_id using errcode = 'P0001';
  end if;
  return new;
end $$;

create function procedure_paper_batch_scrutineers() returns trigger language plpgsql as $$
begin
  if procedure_has_panel(new.voting_session_id)
     and (select count(*) from paper_batch_scrutineer where paper_batch_id = new.id) < 2 then
    raise exception using errcode = 'PJ316',
      message = format('paper batch %s names fewer than two of the named scrutineers of voting session %s', new.id, new.voting_session_id);
  end if;
  return null;
end $$;
create constraint trigger paper_batch_named_scrutineers after insert on paper_batch
  deferrable initially deferred for each row execute function procedure_paper_batch_scrutineers();

-- ---------------------------------------------------------------- projects chosen by a further vote
-- A further vote's chosen projects follow those of the earlier rounds in the year's ranking.
create function procedure_follow_up_project_rank() returns trigger language plpgsql as $$
declare
  earlier integer;
begin
  with recursive rounds(id) as (
    select follow_up_of from session_procedure where voting_session_id = new.voting_session_id and follow_up_of is not null
    union all
    select p.follow_up_of from session_procedure p join rounds r on p.voting_session_id = r.id where p.follow_up_of is not null
  )
  -- Counted from the earlier rounds' tallies (they are counted before a further vote exists), so
  -- the ranks follow the final list whichever round is published first.
  select coalesce(sum((r.tally->>'chosenCount')::integer), 0) into earlier
    from voting_result r where r.voting_session_id in (select id from rounds);
  new.rank := new.rank + earlier;
  return new;
end $$;
create trigger livelihood_project_follow_up_rank before insert on livelihood_project
  for each row execute function procedure_follow_up_project_rank();
