-- Issue 15, the hall as its people see it: paper ballots keyed twice.
--
-- A batch of paper ballots is keyed into a grid (one row per ballot, one column per candidate) by
-- one person, then keyed again, blind, by another; only when the two agree cell by cell does the
-- batch go in (and then waits for its named scrutineers, as before). The first keying waits in
-- paper_keying: the grid alone, never the delegates who voted on paper (they are typed with the
-- second keying), so no stored row ties a ballot to a delegate. It is consumed (deleted) in the
-- transaction that enters the batch; paper_batch_double_keying keeps who keyed it, two people.

create table paper_keying (
  id bigint generated always as identity primary key,
  voting_session_id bigint not null references voting_session on delete cascade,
  keyed_by bigint not null references app_user,
  keyed_at timestamptz not null default now(),
  -- The grid as keyed: one entry per ballot row, {"void": bool, "marks": {"<position>": "for"|"against"|"abstain"}}.
  grid jsonb not null,
  row_count integer not null check (row_count between 1 and 500),
  note text not null default '' check (length(note) <= 500),
  check (jsonb_typeof(grid) = 'array' and jsonb_array_length(grid) = row_count)
);
create index paper_keying_session_idx on paper_keying (voting_session_id);

-- Keyed only while the vote is open (the app says so first; the database holds it).
create function paper_keying_while_open() returns trigger language plpgsql as $$
declare
  session_status text;
begin
  select status into session_status from voting_session where id = new.voting_session_id for share;
  if session_status is distinct from 'open' then
    raise exception using errcode = 'PJ601',
      message = format('paper ballots are keyed only while the vote is open (session %s is %s)', new.voting_session_id, session_status);
  end if;
  return new;
end $$;
create trigger paper_keying_while_open before insert on paper_keying
  for each row execute function paper_keying_while_open();

create table paper_batch_double_keying (
  paper_batch_id bigint primary key references paper_batch on delete cascade,
  first_keyed_by bigint not null references app_user,
  second_keyed_by bigint not null references app_user,
  -- Two keyings by one person prove nothing.
  constraint paper_batch_keyed_by_two check (first_keyed_by <> second_keyed_by)
);
-- A record of who keyed a batch: written once, never changed by the app.
revoke update, delete on paper_batch_double_keying from piaojue_runtime;
