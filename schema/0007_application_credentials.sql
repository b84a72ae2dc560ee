-- 0007_application_credentials.sql - application credentials and access
-- rules (Keystone's application_credential, application_credential_role,
-- access_rule and application_credential_access_rule tables), and the
-- revocation events that name an application credential.
--
-- References are foreign keys, as everywhere since 0002:
-- * a credential goes with its user and with its project (Keystone keeps
--   one whose project is gone, which then fails every login with a 404);
-- * a credential's roles go with the credential; a role that is deleted
--   takes the credentials carrying it with it, which svc/ deletes first
--   (with their revocation events), so the cascade on role_id is only a
--   backstop;
-- * an access rule belongs to a user and goes with the user; a rule in
--   use by a credential cannot be deleted (NO ACTION: the credential must
--   go first, Keystone's 403 "May not delete access rule in use"), but the
--   cascade of a user's deletion removes both in one statement.
--
-- No generation trigger: a token never reads these tables when it is
-- validated (what it needs of its credential travels in its claims, and
-- the credential's deletion is a revocation event, which bumps the
-- generation itself). Lists keep creation order (ORDER BY rowid).

CREATE TABLE application_credential (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	secret_hash	TEXT NOT NULL,			-- bcrypt "$2b$...", as passwords
	description	TEXT,				-- NULL: none (Keystone's null)
	user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	project_id	TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
	expires_at	INTEGER,			-- µs; NULL: never
	unrestricted	INTEGER CHECK (unrestricted IN (0, 1)),	-- NULL: not given
	created_at	INTEGER NOT NULL,
	UNIQUE (user_id, name)
);
CREATE INDEX application_credential_project ON application_credential (project_id);

CREATE TABLE application_credential_role (
	application_credential_id TEXT NOT NULL
			REFERENCES application_credential(id) ON DELETE CASCADE,
	role_id		TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	PRIMARY KEY (application_credential_id, role_id)
);
CREATE INDEX application_credential_role_role ON application_credential_role (role_id);

CREATE TABLE access_rule (
	id		TEXT PRIMARY KEY,		-- Keystone's external_id
	user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	service		TEXT NOT NULL,
	path		TEXT NOT NULL,
	method		TEXT NOT NULL,
	UNIQUE (user_id, service, path, method)
);

CREATE TABLE application_credential_access_rule (
	application_credential_id TEXT NOT NULL
			REFERENCES application_credential(id) ON DELETE CASCADE,
	access_rule_id	TEXT NOT NULL REFERENCES access_rule(id),
	PRIMARY KEY (application_credential_id, access_rule_id)
);
CREATE INDEX application_credential_access_rule_rule
	ON application_credential_access_rule (access_rule_id);

-- An event revoking the tokens of one application credential (keygate's
-- extension, published as "OS-KEYGATE:application_credential_id"). Such
-- events always carry the credential's user_id too, so match_key (0003)
-- finds them by the user's key, and a checker that does not know the
-- field revokes all of the user's tokens rather than none.
ALTER TABLE revocation_event ADD COLUMN app_cred_id TEXT;
