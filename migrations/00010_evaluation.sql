-- The satisfaction evaluation (满意度测评): a voting session whose ballot method is 'evaluation'.
-- It reuses everything of a vote: electorate, has-voted marks, anonymous ballots, receipts,
-- stored tally, scrutiny, publication and the audit chain. Its "candidates" are the projects
-- being evaluated; each ballot holds one choice per project: satisfied, basically satisfied,
-- unsatisfied, or abstain where the session allows it. An evaluation has no seats (NULL): the
-- 差额 rule of a vote does not apply to it.

alter table voting_session drop constraint voting_session_ballot_method_check;
alter table voting_session add constraint voting_session_ballot_method_check
  check (ballot_method in ('approval', 'for_against_abstain', 'evaluation'));

alter table voting_session alter column seats drop not null;
alter table voting_session add constraint voting_session_seats_by_method
  check ((ballot_method = 'evaluation') = (seats is null));

alter table voting_session add column allow_abstain boolean not null default false;
alter table voting_session add constraint voting_session_abstain_only_in_evaluation
  check (not allow_abstain or ballot_method = 'evaluation');

alter table ballot_choice drop constraint ballot_choice_choice_check;
alter table ballot_choice add constraint ballot_choice_choice_check
  check (choice in ('for', 'against', 'abstain', 'satisfied', 'basically_satisfied', 'unsatisfied'));

-- The evaluation's own rules, beside the general guard of 00002 (which it leaves as it is):
-- allow_abstain is frozen from opening on like every rule, and an evaluation opens only with
-- at least one project to evaluate.
create function evaluation_session_guard() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and new.allow_abstain is distinct from old.allow_abstain then
    raise exception 'the rules of voting session % are frozen since it opened', old.id using errcode = 'P0001';
  end if;
  if new.ballot_method = 'evaluation' and new.status = 'open' and old.status = 'draft'
     and not exists (select 1 from voting_session_candidate where voting_session_id = new.id) then
    raise exception 'evaluation session % has no projects to evaluate', new.id using errcode = 'P0001';
  end if;
  return new;
end $$;
create trigger evaluation_session_guard before update on voting_session
  for each row execute function evaluation_session_guard();

-- Each statement that writes choices is checked once (transition table): a vote's ballots hold
-- only for/against/abstain, an evaluation's only its own vocabulary, and 弃权 only where allowed.
create function ballot_choice_vocabulary() returns trigger language plpgsql as $$
declare
  offending record;
begin
  select i.voting_session_id, i.choice, s.ballot_method into offending
    from inserted_choices i join voting_session s on s.id = i.voting_session_id
   where case when s.ballot_method = 'evaluation'
              then i.choice not in ('satisfied', 'basically_satisfied', 'unsatisfied', 'abstain')
                   or (i.choice = 'abstain' and not s.allow_abstain)
              else i.choice not in ('for', 'against', 'abstain') end
   limit 1;
  if found then
    raise exception 'the choice % is not allowed on a ballot of voting session % (%)',
      offending.choice, offending.voting_session_id, offending.ballot_method using errcode = 'P0001';
  end if;
  return null;
end $$;
create trigger ballot_choice_vocabulary after insert on ballot_choice
  referencing new table as inserted_choices
  for each statement execute function ballot_choice_vocabulary();

-- At commit: a valid evaluation ballot holds a choice for every project of the session.
create function evaluation_ballot_complete() returns trigger language plpgsql as $$
declare
  method text;
  choice_count bigint;
  project_count bigint;
begin
  select ballot_method into method from voting_session where id = new.voting_session_id;
  if method <> 'evaluation' or new.is_void then
    return null;
  end if;
  select count(*) into choice_count from ballot_choice where ballot_id = new.id;
  select count(*) into project_count from voting_session_candidate where voting_session_id = new.voting_session_id;
  if choice_count <> project_count then
    raise exception 'an evaluation ballot needs a choice for each of the % projects, it has %', project_count, choice_count
      using errcode = 'P0001';
  end if;
  return null;
end $$;
create constraint trigger evaluation_ballot_complete after insert on ballot
  deferrable initially deferred for each row execute function evaluation_ballot_complete();
