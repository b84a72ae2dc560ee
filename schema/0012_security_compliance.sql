-- 0012_security_compliance.sql - PCI-DSS security compliance (Keystone's
-- [security_compliance]): failed-authentication counters, password history
-- and who set the current password.
--
-- * user_auth holds the lockout counter apart from the user row: a failed
--   login is a write, and a write to "user" bumps the generation (every
--   cached validation would be dropped by anyone guessing passwords). No
--   trigger here: the counter changes no token validation. A row exists
--   only while a user has failures on record.
-- * password_history: the hashes a user had before the current one, newest
--   last, kept up to [security_compliance] unique_last_password_count - 1
--   (the current hash is the user's password_hash), as Keystone's
--   local_user.passwords.
-- * user.password_self_service: the current password was set by the user
--   (POST /v3/users/{id}/password), not by an administrator: only then does
--   minimum_password_age apply (Keystone's password.self_service).
-- Times are microseconds since the epoch, as everywhere.

CREATE TABLE user_auth (
	user_id			TEXT PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
	failed_auth_count	INTEGER NOT NULL DEFAULT 0,
	failed_auth_at		INTEGER
);

CREATE TABLE password_history (
	id		INTEGER PRIMARY KEY,
	user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	password_hash	TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

ALTER TABLE user ADD COLUMN password_self_service INTEGER NOT NULL DEFAULT 0;
