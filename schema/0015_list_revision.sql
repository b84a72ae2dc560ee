-- 0015_list_revision.sql - the revision of what GET /v3/projects shows:
-- meta 'projects_rev', bumped by triggers on every change to a project, a
-- project tag or a domain (domains are listed as projects too). The
-- rendered list is cached on it (server/listcache.h), so the counter must
-- move on inserts as well, which the generation counter (a token
-- validation's cache key) deliberately does not: creating a project must
-- not empty the validation cache.
INSERT INTO meta (key, value) VALUES ('projects_rev', 1);

CREATE TRIGGER prev_project_i AFTER INSERT ON project BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_project_u AFTER UPDATE ON project BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_project_d AFTER DELETE ON project BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_ptag_i AFTER INSERT ON project_tag BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_ptag_u AFTER UPDATE ON project_tag BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_ptag_d AFTER DELETE ON project_tag BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_domain_i AFTER INSERT ON domain BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_domain_u AFTER UPDATE ON domain BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
CREATE TRIGGER prev_domain_d AFTER DELETE ON domain BEGIN UPDATE meta SET value = value + 1 WHERE key = 'projects_rev'; END;
