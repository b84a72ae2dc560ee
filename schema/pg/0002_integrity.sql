-- 0002_integrity.sql (PostgreSQL) - referential integrity in the schema;
-- the same result as schema/0002_integrity.sql (SQLite), which explains
-- the why. PostgreSQL enforced the foreign keys of 0001 already, so no row
-- can point at nothing here; its DDL changes constraints in place where
-- SQLite must rebuild the table.

-- The clean-up triggers are replaced by the foreign keys.
DROP TRIGGER user_delete_assignments ON "user";
DROP TRIGGER group_delete_assignments ON grp;
DROP TRIGGER project_delete_assignments ON project;
DROP TRIGGER domain_delete_assignments ON domain;
DROP FUNCTION kg_user_delete_assignments();
DROP FUNCTION kg_group_delete_assignments();
DROP FUNCTION kg_project_delete_assignments();
DROP FUNCTION kg_domain_delete_assignments();

-- Roles: NULL domain for global roles; a domain role's domain must exist.
ALTER TABLE role ALTER COLUMN domain_id DROP NOT NULL,
	ALTER COLUMN domain_id DROP DEFAULT;
DELETE FROM role WHERE domain_id <> '' AND domain_id NOT IN (SELECT id FROM domain);
UPDATE role SET domain_id = NULL WHERE domain_id = '';
ALTER TABLE role DROP CONSTRAINT role_name_domain_id_key;
ALTER TABLE role ADD FOREIGN KEY (domain_id) REFERENCES domain(id);
-- One global role per name, one per name within a domain.
CREATE UNIQUE INDEX role_name ON role (name, COALESCE(domain_id, ''));
CREATE INDEX role_domain ON role (domain_id);

-- Grants: exactly one actor (a user or a group), at most one target (a
-- project or a domain; neither: the system, never inherited).
CREATE TABLE assignment_new (
	user_id		TEXT COLLATE "C" REFERENCES "user"(id) ON DELETE CASCADE,
	group_id	TEXT COLLATE "C" REFERENCES grp(id) ON DELETE CASCADE,
	project_id	TEXT COLLATE "C" REFERENCES project(id) ON DELETE CASCADE,
	domain_id	TEXT COLLATE "C" REFERENCES domain(id) ON DELETE CASCADE,
	role_id		TEXT COLLATE "C" NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	inherited	INTEGER NOT NULL DEFAULT 0 CHECK (inherited IN (0, 1)),
	type		TEXT COLLATE "C" GENERATED ALWAYS AS (
			    CASE WHEN user_id IS NOT NULL THEN 'User' ELSE 'Group' END ||
			    CASE WHEN project_id IS NOT NULL THEN 'Project'
			    WHEN domain_id IS NOT NULL THEN 'Domain' ELSE 'System' END) STORED,
	actor_id	TEXT COLLATE "C" GENERATED ALWAYS AS (
			    COALESCE(user_id, group_id)) STORED,
	target_id	TEXT COLLATE "C" GENERATED ALWAYS AS (
			    COALESCE(project_id, domain_id, 'system')) STORED,
	CHECK ((user_id IS NULL) <> (group_id IS NULL)),
	CHECK (project_id IS NULL OR domain_id IS NULL),
	CHECK (inherited = 0 OR project_id IS NOT NULL OR domain_id IS NOT NULL),
	CONSTRAINT assignment_key UNIQUE (type, actor_id, target_id, role_id, inherited)
);
INSERT INTO assignment_new (user_id, group_id, project_id, domain_id, role_id,
    inherited)
	SELECT CASE WHEN type LIKE 'User%' THEN actor_id END,
	    CASE WHEN type LIKE 'Group%' THEN actor_id END,
	    CASE WHEN type LIKE '%Project' THEN target_id END,
	    CASE WHEN type LIKE '%Domain' THEN target_id END,
	    role_id, inherited
	FROM assignment
	WHERE ((type LIKE 'User%' AND actor_id IN (SELECT id FROM "user"))
	    OR (type LIKE 'Group%' AND actor_id IN (SELECT id FROM grp)))
	AND ((type LIKE '%Project' AND target_id IN (SELECT id FROM project))
	    OR (type LIKE '%Domain' AND target_id IN (SELECT id FROM domain))
	    OR (type LIKE '%System' AND inherited = 0));
DROP TABLE assignment;
ALTER TABLE assignment_new RENAME TO assignment;
-- The foreign keys' own indexes (a delete finds the grants it cascades to).
CREATE INDEX assignment_user ON assignment (user_id);
CREATE INDEX assignment_group ON assignment (group_id);
CREATE INDEX assignment_project ON assignment (project_id);
CREATE INDEX assignment_domain ON assignment (domain_id);
CREATE INDEX assignment_role ON assignment (role_id);

-- The generation triggers of the new assignment table (see 0001). Deletes
-- that a foreign key cascades fire them too.
CREATE TRIGGER gen_assign_i AFTER INSERT ON assignment FOR EACH ROW EXECUTE FUNCTION kg_bump_generation();
CREATE TRIGGER gen_assign_d AFTER DELETE ON assignment FOR EACH ROW EXECUTE FUNCTION kg_bump_generation();
