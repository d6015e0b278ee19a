-- Delivery tracking (监督): the year's livelihood projects (民生实事项目), carried over from a
-- published vote; progress updates with photos; department accounts limited to their projects;
-- delegates' monitoring groups and their inspection notes (视察记录).

-- ---------------------------------------------------------------- the department role
alter table user_role drop constraint user_role_role_check;
alter table user_role add constraint user_role_role_check
  check (role in ('resident', 'delegate', 'staff', 'scrutineer', 'department'));

-- The department a `department` account speaks for: it sees and reports on the projects whose
-- lead department is this name (exactly as written in the catalog).
create table department_account (
  user_id bigint primary key references app_user on delete cascade,
  department_name text not null check (length(btrim(department_name)) between 1 and 100 and department_name = btrim(department_name))
);
create index department_account_name_idx on department_account (department_name);

-- ---------------------------------------------------------------- livelihood projects
-- Frozen copies of the chosen candidates at publication: later catalog edits do not rewrite them.
create table livelihood_project (
  id bigint generated always as identity primary key,
  candidate_id bigint not null unique references candidate,
  voting_session_id bigint not null references voting_session,
  year integer not null check (year between 2000 and 2100),
  -- The place in the announcement (rank by votes) and the votes for, as published.
  rank integer not null check (rank >= 1),
  votes_for integer not null check (votes_for >= 0),
  category text not null,
  title text not null,
  summary text not null default '',
  targets text[] not null default '{}',
  lead_department text not null default '',
  budget_yuan bigint check (budget_yuan >= 0),
  planned_completion date,
  is_demo boolean not null default false,
  created_at timestamptz not null default now()
);
create index livelihood_project_year_idx on livelihood_project (year, rank, id);
create index livelihood_project_department_idx on livelihood_project (lead_department);

-- Projects are the record of what the vote chose: never changed or deleted.
create function livelihood_project_guard() returns trigger language plpgsql as $$
begin
  raise exception 'livelihood projects are never changed or deleted' using errcode = 'P0001';
end $$;
create trigger livelihood_project_guard before update or delete on livelihood_project
  for each row execute function livelihood_project_guard();

-- Publishing a vote (not an evaluation) turns its chosen candidates into the year's projects, in
-- the same transaction as the publication: no application path can publish without it.
create function livelihood_project_carry_over() returns trigger language plpgsql as $$
begin
  insert into livelihood_project (candidate_id, voting_session_id, year, rank, votes_for, category, title, summary,
                                  targets, lead_department, budget_yuan, planned_completion, is_demo)
  select c.id, new.id, new.year, (entry->>'rank')::int, (entry->>'for')::int, cat.name, c.title, c.summary,
         c.targets, c.lead_department, c.budget_yuan, c.expected_completion, new.is_demo or c.is_demo
  from voting_result r
  cross join lateral jsonb_array_elements(r.tally->'candidates') entry
  join candidate c on c.id = (entry->>'candidateId')::bigint
  join category cat on cat.id = c.category_id
  where r.voting_session_id = new.id and entry->>'outcome' = 'chosen'
  order by (entry->>'rank')::int, c.id
  on conflict (candidate_id) do nothing;
  return null;
end $$;
create trigger livelihood_project_carry_over after update of status on voting_session
  for each row when (new.status = 'published' and old.status <> 'published' and new.ballot_method <> 'evaluation')
  execute function livelihood_project_carry_over();

-- ---------------------------------------------------------------- progress updates
-- One percentage per quantified target, in the order of the project's targets (one overall
-- percentage when the project has none). A record: never changed or deleted.
create table progress_update (
  id bigint generated always as identity primary key,
  project_id bigint not null references livelihood_project,
  reported_on date not null,
  body text not null check (length(btrim(body)) between 1 and 5000),
  target_percentages integer[] not null check (
    cardinality(target_percentages) between 1 and 20
    and array_position(target_percentages, null) is null
    and 0 <= all (target_percentages) and 100 >= all (target_percentages)
  ),
  status text not null check (status in ('on_track', 'at_risk', 'delayed', 'done')),
  author_id bigint not null references app_user,
  created_at timestamptz not null default now(),
  -- Done means every target is complete.
  check (status <> 'done' or 100 = all (target_percentages))
);
create index progress_update_project_idx on progress_update (project_id, reported_on desc, id desc);

create function progress_update_guard() returns trigger language plpgsql as $$
declare
  target_count integer;
begin
  if tg_op <> 'INSERT' then
    raise exception 'progress updates are never changed or deleted' using errcode = 'P0001';
  end if;
  select greatest(cardinality(targets), 1) into target_count from livelihood_project where id = new.project_id;
  if cardinality(new.target_percentages) <> target_count then
    raise exception 'project % needs % percentages, one per target, not %', new.project_id, target_count,
      cardinality(new.target_percentages) using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger progress_update_guard before insert or update or delete on progress_update
  for each row execute function progress_update_guard();

-- Photos of an update, validated and stripped of metadata by the application; the database
-- holds the type, the dimensions and the size limits, and that the digest is the content's.
create table progress_photo (
  id bigint generated always as identity primary key,
  progress_update_id bigint not null references progress_update,
  position integer not null check (position between 1 and 10),
  media_type text not null check (media_type in ('image/jpeg', 'image/png', 'image/webp')),
  width integer not null check (width between 1 and 8000),
  height integer not null check (height between 1 and 8000),
  content bytea not null check (octet_length(content) between 1 and 5242880),
  sha256 bytea not null,
  check (sha256 = sha256(content)),
  unique (progress_update_id, position)
);

create function progress_photo_guard() returns trigger language plpgsql as $$
begin
  raise exception 'photos are never changed or deleted' using errcode = 'P0001';
end $$;
create trigger progress_photo_guard before update or delete on progress_photo
  for each row execute function progress_photo_guard();

-- ---------------------------------------------------------------- monitoring groups
-- One group per project: its members are delegates.
create table monitoring_group_member (
  project_id bigint not null references livelihood_project,
  delegate_id bigint not null references app_user,
  added_by bigint references app_user,
  added_at timestamptz not null default now(),
  primary key (project_id, delegate_id)
);
create index monitoring_group_member_delegate_idx on monitoring_group_member (delegate_id);

create function monitoring_group_member_guard() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from user_role where user_id = new.delegate_id and role = 'delegate') then
    raise exception 'user % is not a delegate', new.delegate_id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger monitoring_group_member_guard before insert or update on monitoring_group_member
  for each row execute function monitoring_group_member_guard();

-- Inspection notes (视察记录): written by a member of the project's group; staff and the lead
-- department see them; public once staff approve. The text never changes; the review happens once.
create table inspection_note (
  id bigint generated always as identity primary key,
  project_id bigint not null references livelihood_project,
  author_id bigint not null references app_user,
  visited_on date not null,
  body text not null check (length(btrim(body)) between 1 and 5000),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  reviewed_by bigint references app_user,
  reviewed_at timestamptz,
  created_at timestamptz not null default now(),
  check ((status = 'pending') = (reviewed_by is null) and (reviewed_by is null) = (reviewed_at is null))
);
create index inspection_note_project_idx on inspection_note (project_id, status, visited_on desc);

create function inspection_note_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'inspection notes are never deleted' using errcode = 'P0001';
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'an inspection note starts pending' using errcode = 'P0001';
    end if;
    if not exists (select 1 from monitoring_group_member where project_id = new.project_id and delegate_id = new.author_id) then
      raise exception 'user % is not in the monitoring group of project %', new.author_id, new.project_id using errcode = 'P0001';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - 'status' - 'reviewed_by' - 'reviewed_at') <> (to_jsonb(old) - 'status' - 'reviewed_by' - 'reviewed_at') then
    raise exception 'an inspection note''s text never changes' using errcode = 'P0001';
  end if;
  if old.status <> 'pending' then
    raise exception 'inspection note % is already reviewed', old.id using errcode = 'P0001';
  end if;
  if not exists (select 1 from user_role where user_id = new.reviewed_by and role = 'staff') then
    raise exception 'inspection notes are reviewed by staff' using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger inspection_note_guard before insert or update or delete on inspection_note
  for each row execute function inspection_note_guard();
