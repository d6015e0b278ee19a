-- The ballot box's commit-time check in O(1) per cast (issue 6).
--
-- 00001 checked "marks = ballots" at every commit by counting all the marks and all the ballots
-- of the session: O(n) per cast, O(n^2) over a whole vote. Marks and ballots are only ever
-- inserted (ballot_box_guard refuses updates and deletes, truncation is refused), and the box was
-- consistent before the transaction, so it is consistent after it exactly when the transaction
-- added as many marks as ballots to each session. Row triggers count what the transaction adds,
-- per session, in two transaction-local settings (set_config(…, true): gone at the end of the
-- transaction, and taken back with a rolled-back savepoint together with the rows); the deferred
-- constraint triggers compare the two at commit. Every writer goes through them: electronic casts,
-- paper batches, direct SQL. A restore runs with session_replication_role = replica, where none of
-- these triggers fire, as before.
--
-- The per-ballot rules (at most N "for"; only ticks in an approval ballot; a choice per candidate
-- in a for/against/abstain ballot) are checked as before, for the two methods they belong to; a
-- ballot of another method is left to that method's own constraint trigger.

create function ballot_box_count_insert() returns trigger language plpgsql as $$
declare
  setting_name text := 'piaojue.ballot_box_' || case when tg_table_name = 'ballot_mark' then 'marks_' else 'ballots_' end
    || new.voting_session_id;
begin
  perform set_config(setting_name,
    (coalesce(nullif(current_setting(setting_name, true), ''), '0')::bigint + 1)::text, true);
  return null;
end $$;
create trigger ballot_mark_count_insert after insert on ballot_mark
  for each row execute function ballot_box_count_insert();
create trigger ballot_count_insert after insert on ballot
  for each row execute function ballot_box_count_insert();

create or replace function ballot_box_consistency() returns trigger language plpgsql as $$
declare
  marks bigint := coalesce(nullif(current_setting('piaojue.ballot_box_marks_' || new.voting_session_id, true), ''), '0')::bigint;
  ballots bigint := coalesce(nullif(current_setting('piaojue.ballot_box_ballots_' || new.voting_session_id, true), ''), '0')::bigint;
  session_row voting_session%rowtype;
  for_count bigint;
  choice_count bigint;
  candidate_count bigint;
begin
  if marks <> ballots then
    raise exception 'voting session % would have % has-voted marks but % ballots more than before this transaction',
      new.voting_session_id, marks, ballots using errcode = 'P0001';
  end if;
  if tg_table_name <> 'ballot' then
    return null;
  end if;
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
  return null;
end $$;

-- A paper batch's commit-time check counts the marks of its batch: by an index, not a scan of
-- every mark.
create index ballot_mark_paper_batch_idx on ballot_mark (paper_batch_id) where paper_batch_id is not null;
