-- 0001_init.sql - keygate's initial schema (Keystone v3 identity model).
--
-- Times are integer microseconds since the epoch (UTC). Ids are 32-hex
-- strings except the default domain ('default') and region ids, which
-- Keystone lets the caller choose. Free-form attributes a client sends that
-- have no column (e.g. a user's "email") are kept as a JSON object in
-- "extra", as Keystone does.

CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	INTEGER NOT NULL
);
-- generation: bumped by triggers on every change that can alter what a
-- token validation returns; caches compare it to know they are current.
INSERT INTO meta (key, value) VALUES ('generation', 1);

CREATE TABLE domain (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	description	TEXT NOT NULL DEFAULT '',
	enabled		INTEGER NOT NULL DEFAULT 1,
	extra		TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE project (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	domain_id	TEXT NOT NULL REFERENCES domain(id),
	parent_id	TEXT REFERENCES project(id),	-- NULL: top level in its domain
	enabled		INTEGER NOT NULL DEFAULT 1,
	extra		TEXT NOT NULL DEFAULT '{}',
	UNIQUE (domain_id, name)
);
CREATE INDEX project_parent ON project(parent_id);

CREATE TABLE project_tag (
	project_id	TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	PRIMARY KEY (project_id, name)
);

CREATE TABLE user (
	id			TEXT PRIMARY KEY,
	name			TEXT NOT NULL,
	domain_id		TEXT NOT NULL REFERENCES domain(id),
	enabled			INTEGER NOT NULL DEFAULT 1,
	password_hash		TEXT,			-- bcrypt "$2b$..."; NULL: no password
	password_created_at	INTEGER,
	password_expires_at	INTEGER,		-- NULL: never
	default_project_id	TEXT,
	extra			TEXT NOT NULL DEFAULT '{}',
	created_at		INTEGER NOT NULL,
	last_active_at		INTEGER,
	UNIQUE (domain_id, name)
);

CREATE TABLE grp (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	domain_id	TEXT NOT NULL REFERENCES domain(id),
	extra		TEXT NOT NULL DEFAULT '{}',
	UNIQUE (domain_id, name)
);

CREATE TABLE user_group (
	user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	group_id	TEXT NOT NULL REFERENCES grp(id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_group_group ON user_group(group_id);

-- domain_id '' is a global role (Keystone stores '<<null>>').
CREATE TABLE role (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	domain_id	TEXT NOT NULL DEFAULT '',
	extra		TEXT NOT NULL DEFAULT '{}',
	UNIQUE (name, domain_id)
);

CREATE TABLE implied_role (
	prior_role_id	TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	implied_role_id	TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	PRIMARY KEY (prior_role_id, implied_role_id)
);

-- One row per grant. actor_id is a user or group id, target_id a project or
-- domain id, or 'system' for system grants.
CREATE TABLE assignment (
	type		TEXT NOT NULL CHECK (type IN ('UserProject', 'GroupProject',
			    'UserDomain', 'GroupDomain', 'UserSystem', 'GroupSystem')),
	actor_id	TEXT NOT NULL,
	target_id	TEXT NOT NULL,
	role_id		TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	inherited	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (type, actor_id, target_id, role_id, inherited)
);
CREATE INDEX assignment_actor ON assignment(actor_id);
CREATE INDEX assignment_target ON assignment(target_id);
CREATE INDEX assignment_role ON assignment(role_id);

-- Grants vanish with their actor or target.
CREATE TRIGGER user_delete_assignments AFTER DELETE ON user BEGIN
	DELETE FROM assignment WHERE actor_id = OLD.id AND type LIKE 'User%';
END;
CREATE TRIGGER group_delete_assignments AFTER DELETE ON grp BEGIN
	DELETE FROM assignment WHERE actor_id = OLD.id AND type LIKE 'Group%';
END;
CREATE TRIGGER project_delete_assignments AFTER DELETE ON project BEGIN
	DELETE FROM assignment WHERE target_id = OLD.id AND type LIKE '%Project';
END;
CREATE TRIGGER domain_delete_assignments AFTER DELETE ON domain BEGIN
	DELETE FROM assignment WHERE target_id = OLD.id AND type LIKE '%Domain';
END;

CREATE TABLE region (
	id			TEXT PRIMARY KEY,
	description		TEXT NOT NULL DEFAULT '',
	parent_region_id	TEXT REFERENCES region(id),
	extra			TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE service (
	id		TEXT PRIMARY KEY,
	type		TEXT NOT NULL,
	name		TEXT NOT NULL DEFAULT '',
	description	TEXT NOT NULL DEFAULT '',
	enabled		INTEGER NOT NULL DEFAULT 1,
	extra		TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE endpoint (
	id		TEXT PRIMARY KEY,
	service_id	TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
	region_id	TEXT REFERENCES region(id),
	interface	TEXT NOT NULL CHECK (interface IN ('public', 'internal', 'admin')),
	url		TEXT NOT NULL,
	enabled		INTEGER NOT NULL DEFAULT 1,
	extra		TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX endpoint_service ON endpoint(service_id);

-- Keystone's revocation events: a token matching every non-NULL column
-- and issued at or before issued_before is revoked. Pruned once every
-- token it could match has expired (revoked_at + max token lifetime).
CREATE TABLE revocation_event (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	domain_id	TEXT,
	project_id	TEXT,
	user_id		TEXT,
	role_id		TEXT,
	audit_id	TEXT,
	audit_chain_id	TEXT,
	expires_at	INTEGER,
	issued_before	INTEGER NOT NULL,
	revoked_at	INTEGER NOT NULL
);
CREATE INDEX revocation_event_revoked_at ON revocation_event(revoked_at);

-- Any change that can change a validation result bumps the generation.
CREATE TRIGGER gen_domain_u AFTER UPDATE ON domain BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_domain_d AFTER DELETE ON domain BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_project_u AFTER UPDATE ON project BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_project_d AFTER DELETE ON project BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_user_u AFTER UPDATE ON user WHEN OLD.last_active_at IS NEW.last_active_at BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_user_d AFTER DELETE ON user BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_ug_i AFTER INSERT ON user_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_ug_d AFTER DELETE ON user_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_role_u AFTER UPDATE ON role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_role_d AFTER DELETE ON role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_implied_i AFTER INSERT ON implied_role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_implied_d AFTER DELETE ON implied_role BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_assign_i AFTER INSERT ON assignment BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_assign_d AFTER DELETE ON assignment BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_region_i AFTER INSERT ON region BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_region_u AFTER UPDATE ON region BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_region_d AFTER DELETE ON region BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_service_i AFTER INSERT ON service BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_service_u AFTER UPDATE ON service BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_service_d AFTER DELETE ON service BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_endpoint_i AFTER INSERT ON endpoint BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_endpoint_u AFTER UPDATE ON endpoint BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_endpoint_d AFTER DELETE ON endpoint BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_revoke_i AFTER INSERT ON revocation_event BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
