-- Verified residents, the irregular-activity (刷票) review and personal information (issue 14).
--
-- Refusals raised here use the SQLSTATE block PJ4xx; the server recognises them by code:
--   PJ401 a round's eligibility rule changed after it opened
--   PJ402 a round's results finalised before closing, or the finalisation changed
--   PJ410 a resident without a verified mobile number supports in a phone-verified round
--   PJ411 a resident not verified by the identity provider supports in an identity-verified round
--   PJ420 an exclusion added or lifted after the round's results are final, or before it opened

-- ---------------------------------------------------------------- mobile numbers
-- Until now a resident could type a mobile number at registration; it was stored in plain text and
-- never verified. Those numbers are removed: no consent for a verified-identity purpose was recorded
-- with them and they cannot be encrypted here (the key lives with the application). Residents verify
-- a number by SMS code; only a verified number is kept, encrypted (AES-256-GCM, the application's
-- key, bound to the user id) with a keyed hash (HMAC-SHA-256) that makes it unique.
alter table resident_profile drop column mobile;
alter table resident_profile
  add column mobile_ciphertext bytea,
  add column mobile_hash bytea,
  add column identity_verified_at timestamptz,
  -- Registration or the last sign-in (a trigger on auth_session below): inactive unverified accounts are removed.
  add column last_active_at timestamptz not null default now(),
  -- Set when the resident deleted their account: the row stays as the tombstone of an anonymous account.
  add column erased_at timestamptz,
  add constraint resident_profile_mobile_complete
    check ((mobile_ciphertext is null) = (mobile_hash is null) and (mobile_hash is null) = (mobile_verified_at is null)),
  add constraint resident_profile_erased_empty
    check (erased_at is null or (mobile_hash is null and identity_verified_at is null));
-- One verified number belongs to one resident.
create unique index resident_profile_mobile_hash_key on resident_profile (mobile_hash);

-- A code sent by SMS: one pending code per resident, its number encrypted, the code kept as a keyed hash.
create table mobile_verification_code (
  user_id bigint primary key references app_user on delete cascade,
  mobile_ciphertext bytea not null,
  mobile_hash bytea not null,
  code_hash bytea not null,
  sent_at timestamptz not null default now(),
  expires_at timestamptz not null,
  attempts integer not null default 0 check (attempts between 0 and 5),
  check (expires_at > sent_at)
);

-- ---------------------------------------------------------------- identity provider (OpenID Connect)
create table resident_identity (
  issuer text not null check (length(issuer) between 1 and 500),
  subject text not null check (length(subject) between 1 and 255),
  user_id bigint not null references app_user on delete cascade,
  -- Whether the provider's "verified" claim was true at the last sign-in.
  verified boolean not null,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  primary key (issuer, subject),
  unique (user_id, issuer)
);

-- ---------------------------------------------------------------- consent (个人信息保护法)
create table personal_data_consent (
  id bigint generated always as identity primary key,
  user_id bigint not null references app_user on delete cascade,
  purpose text not null check (purpose in ('registration', 'mobile', 'identity')),
  text_version text not null check (length(text_version) between 1 and 50),
  consented_at timestamptz not null default now()
);
create index personal_data_consent_user_idx on personal_data_consent (user_id, consented_at);

-- A sign-in counts as activity of a registered resident.
create function resident_profile_mark_active() returns trigger language plpgsql as $$
begin
  update resident_profile set last_active_at = now() where user_id = new.user_id and last_active_at < now() - interval '1 hour';
  return null;
end $$;
create trigger resident_profile_mark_active after insert on auth_session
  for each row execute function resident_profile_mark_active();

-- ---------------------------------------------------------------- who may support in a round
-- Rounds created before this migration keep their rules (any registered resident); new rounds
-- default to phone-verified residents.
alter table selection_round
  add column eligibility text not null default 'registered' check (eligibility in ('registered', 'phone', 'identity')),
  add column results_final_at timestamptz,
  add column finalized_by bigint references app_user;
alter table selection_round alter column eligibility set default 'phone';

create function selection_round_verification_guard() returns trigger language plpgsql as $$
begin
  if old.opens_at <= now() and new.eligibility <> old.eligibility then
    raise exception using errcode = 'PJ401', message = format('the eligibility of selection round %s is frozen since it opened', old.id);
  end if;
  if old.results_final_at is not null and (new.results_final_at, new.finalized_by) is distinct from (old.results_final_at, old.finalized_by) then
    raise exception using errcode = 'PJ402', message = format('the results of selection round %s are final', old.id);
  end if;
  if old.results_final_at is null and new.results_final_at is not null then
    if new.closes_at > now() then
      raise exception using errcode = 'PJ402', message = format('selection round %s is not closed: its results cannot be final', old.id);
    end if;
    new.results_final_at := now();
  end if;
  return new;
end $$;
create trigger selection_round_verification_guard before update on selection_round
  for each row execute function selection_round_verification_guard();

-- What the irregular-activity review needs, and no more: when each support was given, and the
-- address prefix (/24 for IPv4, /64 for IPv6: never the full address) and the browser's user
-- agent of the resident's last change in the round.
alter table selection_support add column supported_at timestamptz not null default now();
alter table selection_participant
  add column address_prefix cidr,
  add column user_agent text check (length(user_agent) <= 300),
  add column changed_at timestamptz;
create index selection_support_round_time_idx on selection_support (round_id, supported_at);

-- A resident joins a round only if they meet its rule (every support goes through this row).
create function selection_participant_eligibility() returns trigger language plpgsql as $$
declare
  rule text;
begin
  select eligibility into rule from selection_round where id = new.round_id;
  if rule = 'phone' and not exists (
    select 1 from resident_profile where user_id = new.resident_id and mobile_verified_at is not null) then
    raise exception using errcode = 'PJ410', message = format('selection round %s takes supports of phone-verified residents only', new.round_id);
  end if;
  if rule = 'identity' and not exists (
    select 1 from resident_profile where user_id = new.resident_id and identity_verified_at is not null) then
    raise exception using errcode = 'PJ411', message = format('selection round %s takes supports of residents verified by the identity provider only', new.round_id);
  end if;
  return new;
end $$;
create trigger selection_participant_eligibility before insert on selection_participant
  for each row execute function selection_participant_eligibility();

-- ---------------------------------------------------------------- exclusions (刷票)
-- Staff exclude every support of an account they judge fraudulent in a round, with a reason,
-- until the round's results are final. The supports stay stored; the ranking subtracts them.
create table selection_exclusion (
  round_id bigint not null references selection_round,
  resident_id bigint not null references app_user,
  reason text not null check (length(btrim(reason)) between 1 and 1000),
  excluded_by bigint references app_user,
  excluded_at timestamptz not null default now(),
  primary key (round_id, resident_id)
);

create function selection_exclusion_guard() returns trigger language plpgsql as $$
declare
  target_round bigint := case when tg_op = 'DELETE' then old.round_id else new.round_id end;
  round_row record;
begin
  -- Shares the lock that finalising takes: an exclusion either lands before the results are final or is refused.
  select opens_at, results_final_at into round_row from selection_round where id = target_round for share;
  if round_row.results_final_at is not null then
    raise exception using errcode = 'PJ420', message = format('the results of selection round %s are final: exclusions cannot change', target_round);
  end if;
  if round_row.opens_at > now() then
    raise exception using errcode = 'PJ420', message = format('selection round %s has not opened', target_round);
  end if;
  if tg_op = 'UPDATE' then
    raise exception using errcode = 'PJ420', message = 'an exclusion is lifted and made again, never changed';
  end if;
  if tg_op = 'INSERT' then
    new.excluded_at := now();
    return new;
  end if;
  return old;
end $$;
create trigger selection_exclusion_guard before insert or update or delete on selection_exclusion
  for each row execute function selection_exclusion_guard();
create trigger selection_exclusion_no_truncate before truncate on selection_exclusion
  for each statement execute function refuse_truncate();

-- ---------------------------------------------------------------- erasure
-- A resident who deletes their account keeps their public proposals (under "已注销用户"), but the
-- contact they gave on them is personal data and is removed: proposal_guard lets the erasure
-- (and only it, marked by the transaction-local setting piaojue.erasure) empty that one field.
create or replace function proposal_guard() returns trigger language plpgsql as $$
declare
  campaign proposal_campaign%rowtype;
  allowed constant jsonb := '{"draft": ["submitted"], "submitted": ["under_review"],
                              "under_review": ["accepted", "merged", "declined"]}';
  erasing boolean := coalesce(current_setting('piaojue.erasure', true), '') = 'on';
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' then
      raise exception 'proposal % is % and cannot be deleted', old.id, old.status using errcode = 'P0001';
    end if;
    return old;
  end if;
  select * into campaign from proposal_campaign where id = new.campaign_id;
  if tg_op = 'INSERT' then
    if new.status not in ('draft', 'submitted') then
      raise exception 'a new proposal is a draft or submitted, not %', new.status using errcode = 'P0001';
    end if;
    if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
      raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
    end if;
    if new.status = 'submitted' then new.submitted_at := now(); end if;
    new.created_at := now();
    new.updated_at := now();
    return new;
  end if;
  -- UPDATE
  if erasing and new.contact = '' and (to_jsonb(new) - 'contact') = (to_jsonb(old) - 'contact') then
    return new;
  end if;
  if new.id <> old.id or new.campaign_id <> old.campaign_id or new.author_id <> old.author_id
     or new.created_at <> old.created_at then
    raise exception 'the identity of proposal % cannot change', old.id using errcode = 'P0001';
  end if;
  if new.status <> old.status then
    if not coalesce((allowed -> old.status) ? new.status, false) then
      raise exception 'proposal status cannot move from % to %', old.status, new.status using errcode = 'P0001';
    end if;
    if old.status = 'draft' then
      if not (now() >= campaign.opens_at and now() < campaign.closes_at) then
        raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
      end if;
      new.submitted_at := now();
    end if;
    if new.status in ('accepted', 'merged', 'declined') then
      new.decided_at := now();
    end if;
  elsif (new.submitted_at, new.decided_at) is distinct from (old.submitted_at, old.decided_at) then
    raise exception 'the dates of proposal % are set by its status', old.id using errcode = 'P0001';
  end if;
  if old.status <> 'draft' and (
       new.title, new.category_id, new.district, new.problem, new.measure, new.beneficiaries,
       new.estimated_cost_yuan, new.contact
     ) is distinct from (
       old.title, old.category_id, old.district, old.problem, old.measure, old.beneficiaries,
       old.estimated_cost_yuan, old.contact
     ) then
    raise exception 'proposal % was submitted: its content cannot change', old.id using errcode = 'P0001';
  end if;
  if old.status = 'draft' and new.status = 'draft' and not (now() >= campaign.opens_at and now() < campaign.closes_at) then
    raise exception 'campaign % is not open for proposals', new.campaign_id using errcode = 'P0001';
  end if;
  if old.decided_at is not null and (new.decision_reason, new.decided_by, new.merged_into_candidate_id)
       is distinct from (old.decision_reason, old.decided_by, old.merged_into_candidate_id) then
    raise exception 'the decision on proposal % is final', old.id using errcode = 'P0001';
  end if;
  if old.decided_at is null and new.decided_at is null
     and (new.decision_reason, new.decided_by) is distinct from (old.decision_reason, old.decided_by) then
    raise exception 'a decision reason comes with a decision' using errcode = 'P0001';
  end if;
  if old.status = 'draft' and new.hidden_at is not null then
    raise exception 'a draft is not public and cannot be hidden' using errcode = 'P0001';
  end if;
  if (to_jsonb(new) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at')
     is distinct from (to_jsonb(old) - 'hidden_at' - 'hidden_by' - 'hidden_reason' - 'updated_at') then
    new.updated_at := now();
  end if;
  return new;
end $$;

-- ---------------------------------------------------------------- proof of work at registration (ALTCHA)
-- A solved challenge is accepted once (by its nonce), whatever the instance; expired ones are purged.
create table altcha_used_challenge (
  nonce text primary key check (length(nonce) between 1 and 200),
  expires_at timestamptz not null
);
