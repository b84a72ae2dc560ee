-- 0015_list_revision.sql (PostgreSQL) - meta 'projects_rev' and the same
-- triggers as schema/0015_list_revision.sql (SQLite), which explains
-- them (FOR EACH STATEMENT: once per change
-- is enough). A writer holds the generation row's lock (store/db_pg.c) before
-- these triggers lock the projects_rev row, so writers never deadlock on
-- the two rows.
INSERT INTO meta (key, value) VALUES ('projects_rev', 1);

CREATE FUNCTION kg_bump_projects_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'projects_rev';
	RETURN NULL;
END $$;
CREATE TRIGGER prev_project_i AFTER INSERT ON project FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_project_u AFTER UPDATE ON project FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_project_d AFTER DELETE ON project FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_ptag_i AFTER INSERT ON project_tag FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_ptag_u AFTER UPDATE ON project_tag FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_ptag_d AFTER DELETE ON project_tag FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_domain_i AFTER INSERT ON domain FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_domain_u AFTER UPDATE ON domain FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
CREATE TRIGGER prev_domain_d AFTER DELETE ON domain FOR EACH STATEMENT EXECUTE FUNCTION kg_bump_projects_rev();
