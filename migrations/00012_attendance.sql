-- Issue 13, part 1: attendance (签到) and quorum (法定人数), the hall network, a valid vote
-- (发出 / 收回), and a year's candidate list.
--
-- What the database holds here (the app checks the same first, for the message):
--   * a session's attendance rules (quorum, whether a delegate's own sign-in marks them present,
--     the hall networks ballots may come from) are frozen once it opens;
--   * a session opens only with its quorum present (PJ201);
--   * a has-voted mark (electronic or paper) is written only for a delegate checked in (PJ202), and a
--     delegate who has voted cannot have their check-in undone (PJ203): ballots cast never exceed
--     the delegates checked in, whatever runs at the same time;
--   * the stored tally's figures (应到, 实到, 发出, 收回, validity) equal what the tables hold at
--     closing (PJ205), and a vote with more ballots returned than issued is never published (PJ204).
-- What only the app holds: the hall network (the database does not see the client's address: the
-- casting transaction compares the address it was given with the session's networks), and the
-- reason for taking a delegate off the electorate (kept in the audit log).

-- ---------------------------------------------------------------- the session's attendance rules
alter table voting_session
  -- more than two thirds (the organic law's rule for a congress to sit), more than half, or none
  add column quorum_rule text not null default 'two_thirds' check (quorum_rule in ('two_thirds', 'half', 'none')),
  add column sign_in_marks_present boolean not null default false,
  -- NULL: ballots may be cast from anywhere
  add column cast_networks cidr[] check (
    cast_networks is null or (cardinality(cast_networks) between 1 and 50 and array_position(cast_networks, null) is null)
  );

-- Sessions that already left the draft keep the behaviour they were opened with: a delegate's
-- sign-in marked them present.
update voting_session set sign_in_marks_present = true where status <> 'draft';

-- ---------------------------------------------------------------- paper ballots issued (发出)
-- Staff enter, per batch, how many paper ballots were handed out; the batch's ballots are those
-- returned. A batch entered without the figure issued as many as it returned.
alter table paper_batch add column issued_count integer check (issued_count >= 0);
update paper_batch set issued_count = ballot_count;
alter table paper_batch alter column issued_count set not null;

create function paper_batch_issued_default() returns trigger language plpgsql as $$
begin
  new.issued_count := coalesce(new.issued_count, new.ballot_count);
  return new;
end $$;
create trigger paper_batch_issued_default before insert on paper_batch
  for each row execute function paper_batch_issued_default();

-- ---------------------------------------------------------------- quorum
-- Delegates that must be present for a session of `enrolled` delegates to sit: more than two
-- thirds (or half) of them; 0 where the session sets no quorum. Mirrors quorumNeeded() in
-- src/lib/domain/attendance.ts.
create function quorum_needed(rule text, enrolled bigint) returns bigint language sql immutable as $$
  select case rule when 'two_thirds' then (2 * enrolled) / 3 + 1
                   when 'half' then enrolled / 2 + 1
                   else 0 end
$$;

-- The figures of a session's ballot account, from its rows: 应到, 实到, the delegates present who
-- voted on paper (their electronic ballot is replaced by the paper one), paper ballots issued, and
-- the ballots returned on each channel. Ballots are counted by a function of their own that reads
-- nothing of people (tests/integration/secrecy.test.ts holds every function to that).
create function session_attendance_counts(session_id bigint) returns table (
  enrolled bigint, present bigint, paper_voters bigint, paper_issued bigint
) language sql stable as $$
  select
    (select count(*) from electorate_member e where e.voting_session_id = session_id),
    (select count(*) from electorate_member e where e.voting_session_id = session_id and e.present),
    (select count(*) from ballot_mark m join electorate_member e
        on e.voting_session_id = m.voting_session_id and e.delegate_id = m.delegate_id
      where m.voting_session_id = session_id and m.channel = 'paper' and e.present),
    (select coalesce(sum(b.issued_count), 0)::bigint from paper_batch b where b.voting_session_id = session_id)
$$;

create function session_returned_counts(session_id bigint) returns table (
  electronic_returned bigint, paper_returned bigint
) language sql stable as $$
  select count(*) filter (where r.channel = 'electronic'), count(*) filter (where r.channel = 'paper')
  from ballot r where r.voting_session_id = session_id
$$;

create function session_ballot_account(session_id bigint) returns table (
  enrolled bigint, present bigint, paper_voters bigint, paper_issued bigint, electronic_returned bigint, paper_returned bigint
) language sql stable as $$
  select a.enrolled, a.present, a.paper_voters, a.paper_issued, r.electronic_returned, r.paper_returned
  from session_attendance_counts(session_id) a cross join session_returned_counts(session_id) r
$$;

-- Rules frozen from opening on; opening needs the quorum; publishing needs a valid vote.
create function attendance_session_guard() returns trigger language plpgsql as $$
declare
  account record;
  needed bigint;
begin
  if old.status <> 'draft' and (new.quorum_rule, new.sign_in_marks_present, new.cast_networks)
       is distinct from (old.quorum_rule, old.sign_in_marks_present, old.cast_networks) then
    raise exception using errcode = 'PJ200',
      message = format('the attendance rules of voting session %s are frozen since it opened', old.id);
  end if;
  if old.status = 'draft' and new.status = 'open' then
    select * into account from session_ballot_account(new.id);
    needed := quorum_needed(new.quorum_rule, account.enrolled);
    -- (an empty electorate is refused by voting_session_guard, with its own message)
    if account.enrolled > 0 and account.present < needed then
      raise exception using errcode = 'PJ201',
        message = format('voting session %s cannot open below its quorum: %s enrolled, %s present, %s needed',
                         new.id, account.enrolled, account.present, needed);
    end if;
  end if;
  if old.status = 'closed' and new.status = 'published' then
    select * into account from session_ballot_account(new.id);
    if account.electronic_returned + account.paper_returned
         > account.present - account.paper_voters + account.paper_issued then
      raise exception using errcode = 'PJ204',
        message = format('voting session %s is void: %s ballots returned, %s issued; it must be held again', new.id,
                         account.electronic_returned + account.paper_returned,
                         account.present - account.paper_voters + account.paper_issued);
    end if;
  end if;
  return new;
end $$;
-- Named to fire after voting_session_guard and evaluation_session_guard (triggers fire in name
-- order), so their refusals (no electorate, no projects, frozen rules) keep their own messages.
create trigger voting_session_quorum_guard before update on voting_session
  for each row execute function attendance_session_guard();

-- ---------------------------------------------------------------- casting needs a check-in
-- The delegate's electorate row is locked (FOR SHARE) before its "present" flag is read, so an
-- undo of the check-in running at the same moment either waits for this ballot (and is then
-- refused below) or commits first (and this ballot is refused).
create function ballot_mark_needs_presence() returns trigger language plpgsql as $$
declare
  is_present boolean;
begin
  select e.present into is_present from electorate_member e
    where e.voting_session_id = new.voting_session_id and e.delegate_id = new.delegate_id for share;
  if not found then
    return new; -- not enrolled: the foreign key refuses it
  end if;
  if not is_present then
    raise exception using errcode = 'PJ202',
      message = format('delegate %s is not checked in to voting session %s and cannot vote', new.delegate_id, new.voting_session_id);
  end if;
  return new;
end $$;
create trigger ballot_mark_needs_presence before insert on ballot_mark
  for each row execute function ballot_mark_needs_presence();

create function electorate_presence_after_vote() returns trigger language plpgsql as $$
begin
  if old.present and not new.present and exists (
       select 1 from ballot_mark m where m.voting_session_id = old.voting_session_id and m.delegate_id = old.delegate_id) then
    raise exception using errcode = 'PJ203',
      message = format('delegate %s has voted in voting session %s: the check-in stays', old.delegate_id, old.voting_session_id);
  end if;
  return new;
end $$;
create trigger electorate_presence_after_vote before update on electorate_member
  for each row execute function electorate_presence_after_vote();

-- ---------------------------------------------------------------- the stored tally's figures
-- A tally stored with figures (every tally from this version on; older ones have none) states the
-- ballot account as the tables hold it at closing.
create function voting_result_figures_guard() returns trigger language plpgsql as $$
declare
  figures jsonb := new.tally -> 'figures';
  account record;
  issued bigint;
  returned bigint;
begin
  if figures is null then
    return new;
  end if;
  select * into account from session_ballot_account(new.voting_session_id);
  issued := account.present - account.paper_voters + account.paper_issued;
  returned := account.electronic_returned + account.paper_returned;
  if (figures ->> 'enrolled')::bigint is distinct from account.enrolled
     or (figures ->> 'present')::bigint is distinct from account.present
     or (figures ->> 'issued')::bigint is distinct from issued
     or (figures ->> 'issuedPaper')::bigint is distinct from account.paper_issued
     or (figures ->> 'returned')::bigint is distinct from returned
     or (figures ->> 'returnedPaper')::bigint is distinct from account.paper_returned
     or (figures ->> 'valid')::boolean is distinct from (returned <= issued) then
    raise exception using errcode = 'PJ205',
      message = format('the tally of voting session %s states figures %s, the tables hold enrolled %s, present %s, issued %s, returned %s',
                       new.voting_session_id, figures, account.enrolled, account.present, issued, returned);
  end if;
  return new;
end $$;
create trigger voting_result_figures_guard before insert on voting_result
  for each row execute function voting_result_figures_guard();

-- ---------------------------------------------------------------- a year's candidate list
-- Each candidate belongs to the list of one year. Existing candidates take the year of the newest
-- session that lists them, else the year of their expected completion, else the year they were
-- entered (Beijing time).
alter table candidate add column year integer check (year between 2000 and 2100);
update candidate c set year = coalesce(
  (select max(s.year) from voting_session s join voting_session_candidate v on v.voting_session_id = s.id
    where v.candidate_id = c.id and s.ballot_method <> 'evaluation'),
  extract(year from c.expected_completion)::int,
  extract(year from c.created_at at time zone 'Asia/Shanghai')::int);
alter table candidate
  alter column year set not null,
  alter column year set default extract(year from now() at time zone 'Asia/Shanghai')::int;
create index candidate_year_idx on candidate (year);
