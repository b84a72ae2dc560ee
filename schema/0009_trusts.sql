-- 0009_trusts.sql - trusts (Keystone's OS-TRUST: its trust and trust_role
-- tables) and the revocation events that name a trust.
--
-- References are foreign keys, as everywhere since 0002:
-- * a trust goes with its trustor, its trustee and its project (Keystone
--   deletes the trusts of a deleted user or project too, softly);
-- * a trust redelegated from another goes with it (Keystone's
--   delete_trust walks the chain);
-- * a trust's roles go with the trust; a deleted role leaves the trusts
--   that delegated it, with one role less (Keystone keeps the row and then
--   refuses the trust's tokens: "Trustee has no delegated roles").
-- svc/ records the revocation events of every trust that goes, cascades
-- included, before the statement that deletes it (svc/svc.h's table).
--
-- Keystone soft-deletes (deleted_at); keygate deletes the row: a trust
-- that is gone is gone, and its duplicate_trust_constraint no longer
-- blocks creating the same trust again. A trust that has expired or used
-- its last use stays (listed, as Keystone lists it; invisible to GET).
--
-- Generation: deleting a trust can change a validation (its tokens stop
-- validating), so it bumps the counter; creating one or consuming a use
-- cannot (a token's validation never reads remaining_uses).

CREATE TABLE trust (
	id			TEXT PRIMARY KEY,
	trustor_user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	trustee_user_id		TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	project_id		TEXT REFERENCES project(id) ON DELETE CASCADE,	-- NULL: none
	impersonation		INTEGER NOT NULL CHECK (impersonation IN (0, 1)),
	expires_at		INTEGER,		-- µs; NULL: never
	remaining_uses		INTEGER CHECK (remaining_uses >= 0),	-- NULL: unlimited
	redelegated_trust_id	TEXT REFERENCES trust(id) ON DELETE CASCADE,
	redelegation_count	INTEGER NOT NULL DEFAULT 0
				CHECK (redelegation_count >= 0),
	extra			TEXT NOT NULL DEFAULT '{}',
	-- Keystone's duplicate_trust_constraint (NULLs are distinct, as there)
	UNIQUE (trustor_user_id, trustee_user_id, project_id, impersonation,
	    expires_at)
);
CREATE INDEX trust_trustee ON trust (trustee_user_id);
CREATE INDEX trust_project ON trust (project_id);
CREATE INDEX trust_redelegated ON trust (redelegated_trust_id);

CREATE TABLE trust_role (
	trust_id	TEXT NOT NULL REFERENCES trust(id) ON DELETE CASCADE,
	role_id		TEXT NOT NULL REFERENCES role(id) ON DELETE CASCADE,
	PRIMARY KEY (trust_id, role_id)
);
CREATE INDEX trust_role_role ON trust_role (role_id);

CREATE TRIGGER gen_trust_d AFTER DELETE ON trust BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'generation';
END;

-- An event revoking the tokens of one trust (Keystone's trust_id,
-- published as "OS-TRUST:trust_id"). keygate's trust events carry the
-- trustor's user_id too, which a trust's tokens always match (see
-- auth/revocation.h): match_key (0003) finds them by the trustor's key,
-- and a checker that does not know trusts revokes the trustor's tokens
-- rather than none.
ALTER TABLE revocation_event ADD COLUMN trust_id TEXT;
