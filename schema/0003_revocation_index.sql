-- 0003_revocation_index.sql - revocation events found by index, and the
-- store revision that makes issue and revocation linearizable (see
-- auth/revocation.h).
--
-- revision: the generation counter (meta 'generation') as the writing
-- transaction left it after the insert. Every snapshot taken before that
-- transaction committed reads a lower generation, every later one at least
-- this value; a token carries the generation of the snapshot its issue was
-- checked in, so "token revision < event revision" says exactly "checked
-- before this revocation committed". NULL for events written before this
-- migration (those apply by issued_before alone).
ALTER TABLE revocation_event ADD COLUMN revision INTEGER;

-- match_key: the event's most selective non-empty field, the key it is
-- looked up by (auth/revocation.c kg_revoke_event_key computes the same).
-- A validation probes the index with the token's few keys instead of
-- reading every event.
ALTER TABLE revocation_event ADD COLUMN match_key TEXT GENERATED ALWAYS AS (
	CASE
	WHEN audit_id <> '' THEN 'a:' || audit_id
	WHEN audit_chain_id <> '' THEN 'c:' || audit_chain_id
	WHEN user_id <> '' THEN 'u:' || user_id
	WHEN project_id <> '' THEN 'p:' || project_id
	WHEN domain_id <> '' THEN 'd:' || domain_id
	WHEN role_id <> '' THEN 'r:' || role_id
	ELSE '*'
	END) VIRTUAL;
CREATE INDEX revocation_event_match ON revocation_event(match_key);

-- The insert trigger bumps the generation, then stamps the event with it,
-- so no writer (another process, an older code path) can leave it out.
DROP TRIGGER gen_revoke_i;
CREATE TRIGGER gen_revoke_i AFTER INSERT ON revocation_event BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'generation';
	UPDATE revocation_event SET revision =
	    (SELECT value FROM meta WHERE key = 'generation') WHERE id = NEW.id;
END;
