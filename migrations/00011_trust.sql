-- Trust, second pass (issue 12). Refusals raised here use SQLSTATE PJ1nn.
--
-- ---------------------------------------------------------------- the runtime role
-- Migrations run as the owner of the schema. The running app connects as a login role that is a
-- member of piaojue_runtime and holds only what the app does: it reads and writes rows, but it
-- owns nothing (no ALTER, DROP, DISABLE TRIGGER), cannot create in the schema, is no superuser
-- (so session_replication_role, which switches triggers off, is out of its reach), and may not
-- UPDATE or DELETE where the schema is append-only. The login role itself is made by whoever
-- runs the database (src/lib/server/db/runtime-role.ts for the embedded one; README for
-- DATABASE_URL). The group role is cluster-wide: made here when it does not exist yet (the
-- migrating role then needs CREATEROLE; an operator may create it beforehand instead).
do $$
begin
  if not exists (select from pg_roles where rolname = 'piaojue_runtime') then
    begin
      create role piaojue_runtime nologin;
    exception
      when duplicate_object or unique_violation then null; -- made at the same moment by another migration run
      when insufficient_privilege then
        raise exception using errcode = 'PJ100',
          message = 'the role piaojue_runtime does not exist and this role may not create it',
          hint = 'as a superuser: create role piaojue_runtime nologin; (see README, "Database roles")';
    end;
  end if;
end $$;

grant usage on schema public to piaojue_runtime;
grant select, insert, update, delete on all tables in schema public to piaojue_runtime;
grant usage, select on all sequences in schema public to piaojue_runtime;
-- Tables and sequences of later migrations (run by the same owner) get the same grants.
alter default privileges in schema public grant select, insert, update, delete on tables to piaojue_runtime;
alter default privileges in schema public grant usage, select on sequences to piaojue_runtime;

-- What the app never changes once written: their triggers refuse it too; the role cannot even try.
revoke update, delete on ballot, ballot_mark, ballot_choice, voting_result, audit_entry, paper_batch,
  paper_batch_scrutineer, livelihood_project, progress_update, progress_photo from piaojue_runtime;
-- The migrations' record is the owner's.
revoke insert, update, delete on schema_migration from piaojue_runtime;
