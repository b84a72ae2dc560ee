-- 0009_trusts.sql (PostgreSQL) - trusts (Keystone's OS-TRUST) and the
-- revocation events that name a trust: the same tables, references,
-- indexes and generation trigger as schema/0009_trusts.sql (SQLite),
-- which explains them.
CREATE TABLE trust (
	id			TEXT COLLATE "C" PRIMARY KEY,
	trustor_user_id		TEXT COLLATE "C" NOT NULL
				REFERENCES "user"(id) ON DELETE CASCADE,
	trustee_user_id		TEXT COLLATE "C" NOT NULL
				REFERENCES "user"(id) ON DELETE CASCADE,
	project_id		TEXT COLLATE "C" REFERENCES project(id) ON DELETE CASCADE,
	impersonation		INTEGER NOT NULL CHECK (impersonation IN (0, 1)),
	expires_at		BIGINT,
	remaining_uses		BIGINT CHECK (remaining_uses >= 0),
	redelegated_trust_id	TEXT COLLATE "C" REFERENCES trust(id) ON DELETE CASCADE,
	redelegation_count	INTEGER NOT NULL DEFAULT 0
				CHECK (redelegation_count >= 0),
	extra			TEXT NOT NULL DEFAULT '{}',
	UNIQUE (trustor_user_id, trustee_user_id, project_id, impersonation,
	    expires_at)
);
CREATE INDEX trust_trustee ON trust (trustee_user_id);
CREATE INDEX trust_project ON trust (project_id);
CREATE INDEX trust_redelegated ON trust (redelegated_trust_id);

CREATE TABLE trust_role (
	trust_id	TEXT COLLATE "C" NOT NULL REFERENCES trust(id) ON DELETE CASCADE,
	role_id		TEXT COLLATE "C" NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	PRIMARY KEY (trust_id, role_id)
);
CREATE INDEX trust_role_role ON trust_role (role_id);

CREATE TRIGGER gen_trust_d AFTER DELETE ON trust FOR EACH ROW
	EXECUTE FUNCTION kg_bump_generation();

ALTER TABLE revocation_event ADD COLUMN trust_id TEXT COLLATE "C";
