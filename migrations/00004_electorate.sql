-- The electorate work of issue 3 (roster, access codes, presence). The tables themselves are in
-- 00002_running_sessions.sql; this adds what the roster and sign-in paths look up.

-- A delegate's sign-in marks them present in the open sessions they are enrolled in: find those
-- by delegate (the primary key starts with the session).
create index electorate_member_delegate_idx on electorate_member (delegate_id);

-- The roster list is searched and enrolled by delegation.
create index app_user_delegation_idx on app_user (delegation) where delegation is not null;
