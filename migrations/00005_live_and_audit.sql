-- Live turnout and the audit browser (issue 3). The live turnout needs no schema: it uses
-- LISTEN/NOTIFY on the channel 'piaojue_turnout'. The audit browser filters by actor and by date.
create index audit_entry_actor_idx on audit_entry (actor_user_id, seq) where actor_user_id is not null;
create index audit_entry_at_idx on audit_entry (at);
