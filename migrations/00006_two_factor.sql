-- Two-factor sign-in (TOTP, RFC 6238) for staff and scrutineers, the pending second step of a
-- sign-in, and exponential back-off for the rate limits.

-- ---------------------------------------------------------------- the authenticator of a user
-- The TOTP key is never stored in the clear: AES-256-GCM under a key that lives outside the
-- database (PIAOJUE_TOTP_KEY, or a 0600 file in the data folder), bound to the user id:
-- 12 bytes IV | 20 bytes ciphertext | 16 bytes tag. A dump of the database alone cannot make codes.
create table two_factor_credential (
  user_id bigint primary key references app_user on delete cascade,
  secret_ciphertext bytea not null check (length(secret_ciphertext) = 48),
  -- The time step of the last accepted code: a code of this step or an earlier one is refused,
  -- so a code seen over someone's shoulder cannot be used a second time.
  last_used_step bigint not null check (last_used_step >= 0),
  enrolled_at timestamptz not null default now()
);

-- An authenticator being set up: shown as a QR code, saved as the credential only once a
-- current code from it is entered. Replaced when the user starts again.
create table two_factor_enrolment (
  user_id bigint primary key references app_user on delete cascade,
  secret_ciphertext bytea not null check (length(secret_ciphertext) = 48),
  started_at timestamptz not null default now()
);

-- One-time recovery codes: only SHA-256 of each is kept; a used code stays, marked used.
create table two_factor_recovery_code (
  user_id bigint not null references two_factor_credential on delete cascade,
  code_hash bytea not null check (length(code_hash) = 32),
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- A sign-in whose password was right, waiting for the second step. Not a session: it opens no
-- page. Only SHA-256 of the token (kept in a cookie) is stored; single use, five minutes at most.
create table two_factor_pending (
  token_hash bytea primary key check (length(token_hash) = 32),
  user_id bigint not null references app_user on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check (expires_at > created_at and expires_at <= created_at + interval '5 minutes')
);
create index two_factor_pending_user_idx on two_factor_pending (user_id);

-- ---------------------------------------------------------------- back-off
-- Once a key's allowance (the token bucket) is used up, every further failure blocks the key
-- for a wait that doubles with each strike (src/lib/server/auth/rate-limit.ts).
alter table rate_limit_bucket
  add column strikes integer not null default 0 check (strikes >= 0),
  add column blocked_until timestamptz;
