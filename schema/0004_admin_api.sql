-- 0004_admin_api.sql - the rest of Keystone's admin API: unified limits,
-- policies and their endpoint associations (OS-ENDPOINT-POLICY), endpoint
-- groups and project endpoint filtering (OS-EP-FILTER), and domain-specific
-- configuration.
--
-- Every reference is a foreign key, as since 0002. Where Keystone leaves
-- rows behind (policy associations outlive their policy, endpoint, service
-- or region; domain limits outlive their domain), they go with what they
-- point at (ON DELETE CASCADE). A registered limit that limits use, or a
-- service or region that registered limits use, must be freed first (NO
-- ACTION; svc/ answers Keystone's 403 before the database would refuse).

-- Unified limits (keystone/limit/backends/sql.py). A registered limit is
-- the default for one resource of a service (in a region, or in none); a
-- limit overrides it for one project or one domain, and takes its
-- service, region and resource name from the registered limit it refers to.
CREATE TABLE registered_limit (
	id		TEXT PRIMARY KEY,
	service_id	TEXT NOT NULL REFERENCES service(id),
	region_id	TEXT REFERENCES region(id),	-- NULL: any region
	resource_name	TEXT NOT NULL,
	default_limit	INTEGER NOT NULL,
	description	TEXT				-- NULL: none
);
-- One registered limit per service, region and resource.
CREATE UNIQUE INDEX registered_limit_key ON registered_limit
	(service_id, COALESCE(region_id, ''), resource_name);
CREATE INDEX registered_limit_region ON registered_limit (region_id);

CREATE TABLE unified_limit (
	id			TEXT PRIMARY KEY,
	registered_limit_id	TEXT NOT NULL REFERENCES registered_limit(id),
	project_id		TEXT REFERENCES project(id) ON DELETE CASCADE,
	domain_id		TEXT REFERENCES domain(id) ON DELETE CASCADE,
	resource_limit		INTEGER NOT NULL,
	description		TEXT,
	CHECK ((project_id IS NULL) <> (domain_id IS NULL))
);
-- One limit per registered limit and project or domain.
CREATE UNIQUE INDEX unified_limit_key ON unified_limit
	(registered_limit_id, COALESCE(project_id, ''), COALESCE(domain_id, ''));
CREATE INDEX unified_limit_project ON unified_limit (project_id);
CREATE INDEX unified_limit_domain ON unified_limit (domain_id);

-- Policies (keystone/policy/backends/sql.py): an opaque blob of a type,
-- with the attributes that have no column in extra.
CREATE TABLE policy (
	id	TEXT PRIMARY KEY,
	type	TEXT NOT NULL,
	blob	TEXT NOT NULL,
	extra	TEXT NOT NULL DEFAULT '{}'
);

-- OS-ENDPOINT-POLICY: a policy for an endpoint, for a service, or for a
-- service in a region (and the regions below it). One policy per target:
-- associating another replaces it, as Keystone does.
CREATE TABLE policy_association (
	policy_id	TEXT NOT NULL REFERENCES policy(id) ON DELETE CASCADE,
	endpoint_id	TEXT REFERENCES endpoint(id) ON DELETE CASCADE,
	service_id	TEXT REFERENCES service(id) ON DELETE CASCADE,
	region_id	TEXT REFERENCES region(id) ON DELETE CASCADE,
	CHECK ((endpoint_id IS NOT NULL AND service_id IS NULL AND region_id IS NULL)
	    OR (endpoint_id IS NULL AND service_id IS NOT NULL))
);
CREATE UNIQUE INDEX policy_association_key ON policy_association
	(COALESCE(endpoint_id, ''), COALESCE(service_id, ''), COALESCE(region_id, ''));
CREATE INDEX policy_association_policy ON policy_association (policy_id);
CREATE INDEX policy_association_endpoint ON policy_association (endpoint_id);
CREATE INDEX policy_association_service ON policy_association (service_id);
CREATE INDEX policy_association_region ON policy_association (region_id);

-- OS-EP-FILTER (keystone/catalog/backends/sql.py). An endpoint group
-- selects endpoints by attribute (filters: a JSON object over service_id,
-- region_id and interface, kept as given; the filter_* columns say the
-- same for plain SQL to match: NULL / 0 where filters has no such member,
-- filter_never when a value can match no endpoint); a project associated
-- with endpoints or endpoint groups sees only those in its catalog.
CREATE TABLE endpoint_group (
	id			TEXT PRIMARY KEY,
	name			TEXT NOT NULL,
	description		TEXT,
	filters			TEXT NOT NULL DEFAULT '{}',
	filter_service_id	TEXT,
	filter_interface	TEXT,
	filter_region_set	INTEGER NOT NULL DEFAULT 0,
	filter_region_id	TEXT,
	filter_never		INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE project_endpoint (
	endpoint_id	TEXT NOT NULL REFERENCES endpoint(id) ON DELETE CASCADE,
	project_id	TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
	PRIMARY KEY (endpoint_id, project_id)
);
CREATE INDEX project_endpoint_project ON project_endpoint (project_id);

CREATE TABLE project_endpoint_group (
	endpoint_group_id	TEXT NOT NULL REFERENCES endpoint_group(id)
				    ON DELETE CASCADE,
	project_id		TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
	PRIMARY KEY (endpoint_group_id, project_id)
);
CREATE INDEX project_endpoint_group_project ON project_endpoint_group (project_id);

-- Domain-specific configuration (keystone/resource/config_backends/sql.py
-- keeps two tables, whitelisted and sensitive): one row per option, its
-- value as JSON text. Sensitive options (the LDAP password) are stored but
-- never returned.
CREATE TABLE domain_config (
	domain_id	TEXT NOT NULL REFERENCES domain(id) ON DELETE CASCADE,
	grp		TEXT NOT NULL,
	option		TEXT NOT NULL,
	value		TEXT NOT NULL,
	sensitive	INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
	PRIMARY KEY (domain_id, grp, option)
);

-- A project's catalog depends on its endpoint associations and on the
-- endpoint groups' filters: they bump the generation (see 0001).
CREATE TRIGGER gen_project_endpoint_i AFTER INSERT ON project_endpoint BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_project_endpoint_d AFTER DELETE ON project_endpoint BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_project_endpoint_group_i AFTER INSERT ON project_endpoint_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_project_endpoint_group_d AFTER DELETE ON project_endpoint_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_endpoint_group_u AFTER UPDATE ON endpoint_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER gen_endpoint_group_d AFTER DELETE ON endpoint_group BEGIN UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
