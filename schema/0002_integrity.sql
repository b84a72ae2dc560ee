-- 0002_integrity.sql - referential integrity in the schema.
--
-- Every reference to a user, group, project, domain or role becomes a
-- foreign key, so that no interleaving of requests can leave an orphan:
--
-- * assignment (grants) was polymorphic: actor_id held a user or a group
--   id, target_id a project or domain id or 'system', and triggers cleaned
--   up after deletes, which a grant committed between a request's checks
--   and its insert escaped. It now has one column per kind of actor and
--   target, each a foreign key with ON DELETE CASCADE (a grant is a
--   relationship: it goes with either end). type, actor_id and target_id
--   stay, as generated columns: the key every look-up uses.
-- * role.domain_id was '' for a global role and unchecked otherwise: it is
--   NULL for a global role and a foreign key to the owning domain.
-- * Owned objects (a domain's projects, users, groups and roles; a
--   project's children) keep NO ACTION: they must be deleted before their
--   owner (svc/ does that, in order), and the database refuses otherwise.
-- * user.default_project_id stays a plain column: Keystone accepts a
--   project that does not exist there; svc/ clears it when the project is
--   deleted, as Keystone does.
--
-- Rows that already point at nothing are dropped on the way. keygate runs
-- every migration with PRAGMA foreign_keys=OFF and checks PRAGMA
-- foreign_key_check before it commits (SQLite's procedure for changing a
-- table's constraints: create the new table, copy, drop, rename).

-- The clean-up triggers are replaced by the foreign keys (and their bodies
-- name the old assignment table, which is about to go).
DROP TRIGGER user_delete_assignments;
DROP TRIGGER group_delete_assignments;
DROP TRIGGER project_delete_assignments;
DROP TRIGGER domain_delete_assignments;

-- Roles: NULL domain for global roles; a domain role's domain must exist.
CREATE TABLE role_new (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	domain_id	TEXT REFERENCES domain(id),	-- NULL: a global role
	extra		TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO role_new (id, name, description, domain_id, extra)
	SELECT id, name, description, NULLIF(domain_id, ''), extra FROM role
	WHERE domain_id = '' OR domain_id IN (SELECT id FROM domain);
DROP TABLE role;
ALTER TABLE role_new RENAME TO role;
-- One global role per name, one per name within a domain.
CREATE UNIQUE INDEX role_name ON role (name, COALESCE(domain_id, ''));
CREATE INDEX role_domain ON role (domain_id);

-- What pointed at a role, a user, a group or a project that is gone.
DELETE FROM implied_role WHERE prior_role_id NOT IN (SELECT id FROM role)
	OR implied_role_id NOT IN (SELECT id FROM role);
DELETE FROM user_group WHERE user_id NOT IN (SELECT id FROM user)
	OR group_id NOT IN (SELECT id FROM grp);
DELETE FROM project_tag WHERE project_id NOT IN (SELECT id FROM project);

-- Grants: exactly one actor (a user or a group), at most one target (a
-- project or a domain; neither: the system, never inherited).
CREATE TABLE assignment_new (
	user_id		TEXT REFERENCES user(id) ON DELETE CASCADE,
	group_id	TEXT REFERENCES grp(id) ON DELETE CASCADE,
	project_id	TEXT REFERENCES project(id) ON DELETE CASCADE,
	domain_id	TEXT REFERENCES domain(id) ON DELETE CASCADE,
	role_id		TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	inherited	INTEGER NOT NULL DEFAULT 0 CHECK (inherited IN (0, 1)),
	type		TEXT GENERATED ALWAYS AS (
			    CASE WHEN user_id IS NOT NULL THEN 'User' ELSE 'Group' END ||
			    CASE WHEN project_id IS NOT NULL THEN 'Project'
			    WHEN domain_id IS NOT NULL THEN 'Domain' ELSE 'System' END) STORED,
	actor_id	TEXT GENERATED ALWAYS AS (COALESCE(user_id, group_id)) STORED,
	target_id	TEXT GENERATED ALWAYS AS (
			    COALESCE(project_id, domain_id, 'system')) STORED,
	CHECK ((user_id IS NULL) <> (group_id IS NULL)),
	CHECK (project_id IS NULL OR domain_id IS NULL),
	CHECK (inherited = 0 OR project_id IS NOT NULL OR domain_id IS NOT NULL),
	UNIQUE (type, actor_id, target_id, role_id, inherited)
);
INSERT INTO assignment_new (user_id, group_id, project_id, domain_id, role_id,
    inherited)
	SELECT CASE WHEN type LIKE 'User%' THEN actor_id END,
	    CASE WHEN type LIKE 'Group%' THEN actor_id END,
	    CASE WHEN type LIKE '%Project' THEN target_id END,
	    CASE WHEN type LIKE '%Domain' THEN target_id END,
	    role_id, inherited
	FROM assignment
	WHERE role_id IN (SELECT id FROM role)
	AND ((type LIKE 'User%' AND actor_id IN (SELECT id FROM user))
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

-- The generation triggers of the rebuilt tables (see 0001). Deletes that
-- a foreign key cascades fire them too.
CREATE TRIGGER gen_role_u AFTER UPDATE ON role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_role_d AFTER DELETE ON role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_assign_i AFTER INSERT ON assignment BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_assign_d AFTER DELETE ON assignment BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
