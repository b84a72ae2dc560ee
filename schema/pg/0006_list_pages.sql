-- 0006_list_pages.sql (PostgreSQL) - indexes for pages of lists (?limit=
-- and ?marker=); the same indexes as schema/0006_list_pages.sql (SQLite),
-- which explains them. The id columns are COLLATE "C", so a page's range
-- (id > marker, ORDER BY id) is bytewise, as in SQLite.
CREATE INDEX project_domain_page ON project (domain_id, id);
CREATE INDEX user_domain_page ON "user" (domain_id, id);
CREATE INDEX grp_domain_page ON grp (domain_id, id);
