-- The catalog (categories and candidates) as staff manage it: sensible positions, and candidates
-- frozen once a voting session that lists them has left the draft status.

-- ---------------------------------------------------------------- positions
-- Positions count from 1. Existing rows are renumbered in their current order first.
update category set position = numbered.position
  from (select id, row_number() over (order by position, id) as position from category) numbered
  where category.id = numbered.id and category.position <> numbered.position;
update candidate set position = numbered.position
  from (select id, row_number() over (partition by category_id order by position, id) as position from candidate) numbered
  where candidate.id = numbered.id and candidate.position <> numbered.position;

alter table category add constraint category_position_positive check (position >= 1);
alter table candidate
  alter column position drop default,
  add constraint candidate_position_positive check (position >= 1),
  -- Two candidates of a category never share a place; deferred, so a reorder may swap places.
  add constraint candidate_position_key unique (category_id, position) deferrable initially deferred,
  add constraint candidate_summary_length check (length(summary) <= 2000),
  add constraint candidate_lead_department_length check (length(lead_department) <= 100),
  add constraint candidate_targets_sensible check (
    cardinality(targets) <= 20 and array_position(targets, null) is null and array_position(targets, '') is null
  );

-- An insert without a position goes to the end (of the list, or of its category).
create function catalog_next_position() returns trigger language plpgsql as $$
begin
  if new.position is null then
    if tg_table_name = 'category' then
      perform pg_advisory_xact_lock(hashtext('piaojue.catalog'));
      select coalesce(max(position), 0) + 1 into new.position from category;
    else
      -- One writer per category at a time, so two inserts cannot take the same place.
      perform 1 from category where id = new.category_id for no key update;
      select coalesce(max(position), 0) + 1 into new.position from candidate where category_id = new.category_id;
    end if;
  end if;
  return new;
end $$;
create trigger category_next_position before insert on category
  for each row execute function catalog_next_position();
create trigger candidate_next_position before insert on candidate
  for each row execute function catalog_next_position();

-- ---------------------------------------------------------------- frozen candidates
-- A candidate listed by a voting session that is open, closed or published is what the
-- delegates voted on: it can no longer be changed or deleted. Only its place in the public
-- list (position) may change; the ballot order is kept by voting_session_candidate.
-- The sessions are locked (FOR SHARE) before their status is read, so a session opening at
-- the same moment either waits for this edit or is seen as open.
create function candidate_frozen_guard() returns trigger language plpgsql as $$
declare
  frozen_session record;
begin
  perform 1 from voting_session s join voting_session_candidate v on v.voting_session_id = s.id
    where v.candidate_id = old.id for share of s;
  select s.id, s.status into frozen_session
    from voting_session s join voting_session_candidate v on v.voting_session_id = s.id
    where v.candidate_id = old.id and s.status <> 'draft'
    order by s.id limit 1;
  if not found then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'UPDATE' and (to_jsonb(new) - 'position') = (to_jsonb(old) - 'position') then
    return new;
  end if;
  raise exception 'candidate % is frozen: voting session % is %', old.id, frozen_session.id, frozen_session.status
    using errcode = 'P0001';
end $$;
create trigger candidate_frozen_guard before update or delete on candidate
  for each row execute function candidate_frozen_guard();

-- A category keeps its name while it holds a frozen candidate (ballots and results show it),
-- and a category that holds candidates cannot be deleted (the foreign key refuses it too;
-- this says why).
create function category_guard() returns trigger language plpgsql as $$
declare
  frozen_session record;
  candidate_count bigint;
begin
  if tg_op = 'DELETE' then
    select count(*) into candidate_count from candidate where category_id = old.id;
    if candidate_count > 0 then
      raise exception 'category % holds % candidates and cannot be deleted', old.id, candidate_count using errcode = 'P0001';
    end if;
    return old;
  end if;
  if new.name is distinct from old.name then
    perform 1 from voting_session s
      join voting_session_candidate v on v.voting_session_id = s.id
      join candidate c on c.id = v.candidate_id
      where c.category_id = old.id for share of s;
    select s.id, s.status into frozen_session
      from voting_session s
      join voting_session_candidate v on v.voting_session_id = s.id
      join candidate c on c.id = v.candidate_id
      where c.category_id = old.id and s.status <> 'draft'
      order by s.id limit 1;
    if found then
      raise exception 'category % is frozen: its candidates are in voting session %, which is %', old.id, frozen_session.id, frozen_session.status
        using errcode = 'P0001';
    end if;
  end if;
  return new;
end $$;
create trigger category_guard before update or delete on category
  for each row execute function category_guard();
