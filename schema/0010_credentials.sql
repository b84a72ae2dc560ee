-- 0010_credentials.sql - credentials (Keystone's /v3/credentials and the
-- OS-EC2 credentials of /v3/users/{id}/credentials/OS-EC2).
--
-- credential: Keystone's table. The blob is never stored in the clear:
-- encrypted_blob holds it sealed under a credential key
-- (auth/credkeys.h), key_hash names that key, so a rotation knows what
-- still needs an old key. id is sha256(access) for an ec2 credential, a
-- random id otherwise. Unlike Keystone, whose credential rows point at
-- nothing, user_id and project_id are foreign keys: a credential goes
-- with its user or its project (Keystone deletes them on those events
-- too), and one cannot be made for a user or project that does not
-- exist.
CREATE TABLE credential (
	id		TEXT PRIMARY KEY,
	user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	project_id	TEXT REFERENCES project(id) ON DELETE CASCADE,
	type		TEXT NOT NULL,
	encrypted_blob	TEXT NOT NULL,
	key_hash	TEXT NOT NULL,
	extra		TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX credential_user ON credential (user_id, type);
CREATE INDEX credential_project ON credential (project_id);
CREATE INDEX credential_key ON credential (key_hash);
