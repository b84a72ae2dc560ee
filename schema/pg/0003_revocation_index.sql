-- 0003_revocation_index.sql (PostgreSQL) - revocation events found by
-- index, and the store revision that makes issue and revocation
-- linearizable; the same columns, index and trigger as
-- schema/0003_revocation_index.sql (SQLite), which explains them.
--
-- PostgreSQL 15 has no VIRTUAL generated columns: match_key is STORED
-- (the same values, a few bytes more per event). The revision is stamped
-- by a BEFORE INSERT trigger (NEW.revision) where SQLite's AFTER INSERT
-- trigger updates the row it just inserted. Writers hold the generation
-- row's lock until they commit (store/db_pg.c), so revisions grow in
-- commit order, which is what the linearizability argument needs.
ALTER TABLE revocation_event ADD COLUMN revision BIGINT;

ALTER TABLE revocation_event ADD COLUMN match_key TEXT COLLATE "C" GENERATED ALWAYS AS (
	CASE
	WHEN audit_id <> '' THEN 'a:' || audit_id
	WHEN audit_chain_id <> '' THEN 'c:' || audit_chain_id
	WHEN user_id <> '' THEN 'u:' || user_id
	WHEN project_id <> '' THEN 'p:' || project_id
	WHEN domain_id <> '' THEN 'd:' || domain_id
	WHEN role_id <> '' THEN 'r:' || role_id
	ELSE '*'
	END) STORED;
CREATE INDEX revocation_event_match ON revocation_event(match_key);

-- The insert trigger bumps the generation and stamps the event with it,
-- so no writer (another process, an older code path) can leave it out.
DROP TRIGGER gen_revoke_i ON revocation_event;
CREATE FUNCTION kg_revoke_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'generation'
	    RETURNING value INTO NEW.revision;
	RETURN NEW;
END $$;
CREATE TRIGGER gen_revoke_i BEFORE INSERT ON revocation_event
	FOR EACH ROW EXECUTE FUNCTION kg_revoke_stamp();
