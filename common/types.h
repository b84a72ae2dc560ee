/*
 * types.h - the identity vocabulary shared by store/, auth/ and the
 * gateway: id and name sizes, what a token or grant is scoped to, and a
 * role as a token names it. Plain data, no functions, so the pure modules
 * (auth/claims, auth/revocation) and keygate-gateway use them without
 * seeing the store.
 */
#ifndef KG_TYPES_H
#define KG_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define KG_ID_SIZE	65	/* ids: 32 hex normally, up to 64 chars + NUL */
#define KG_NAME_SIZE	256	/* names: up to 255 bytes + NUL */
#define KG_AUDIT_SIZE	32	/* audit ids: 22 base64url chars (16 bytes) + NUL */
#define KG_MAX_METHODS	8	/* authentication methods a token names */
#define KG_METHOD_SIZE	32	/* a method's name + NUL */

/*
 * An application credential's access rule (Keystone's access_rule): the
 * service type, the method and a path pattern ("*" or "{x}": one segment,
 * "**": any number) a token of the credential may be used for.
 */
#define KG_ACCESS_PATH_SIZE	226	/* Keystone's maxLength 225 + NUL */
#define KG_ACCESS_METHOD_SIZE	8	/* POST, GET, HEAD, PATCH, PUT, DELETE */
#define KG_MAX_ACCESS_RULES	16	/* per credential: they travel in its tokens */

struct kg_access_rule {
	char	id[KG_ID_SIZE];
	char	service[KG_ID_SIZE];		/* Keystone's id_string: 64 */
	char	path[KG_ACCESS_PATH_SIZE];
	char	method[KG_ACCESS_METHOD_SIZE];
};

/* What a token, or an assignment's target, is scoped to. */
enum kg_scope_kind { KG_SCOPE_NONE = 0, KG_SCOPE_PROJECT, KG_SCOPE_DOMAIN, KG_SCOPE_SYSTEM };

/* A role as it appears in a token: id and name only. */
struct kg_role_ref {
	char	id[KG_ID_SIZE];
	char	name[KG_NAME_SIZE];
};

/* A user and its domain, as token issue and validation read them. */
struct kg_token_user {
	char	 id[KG_ID_SIZE];
	char	 name[KG_NAME_SIZE];
	int	 enabled;
	char	*password_hash;			/* NULL: no password */
	int64_t	 password_expires_at;		/* µs; 0: never */
	char	 default_project_id[KG_ID_SIZE];	/* "" when unset */
	char	 domain_id[KG_ID_SIZE];
	char	 domain_name[KG_NAME_SIZE];
	int	 domain_enabled;
};

/* A project and its domain, or a domain (then domain_* repeat it). */
struct kg_token_target {
	char	 id[KG_ID_SIZE];
	char	 name[KG_NAME_SIZE];
	int	 enabled;
	char	 domain_id[KG_ID_SIZE];
	char	 domain_name[KG_NAME_SIZE];
	int	 domain_enabled;
};

/*
 * A trust (Keystone's OS-TRUST): a trustor delegating roles on a project
 * to a trustee, possibly redelegated from another trust. store/trust.h
 * reads and writes them; auth/trust.h derives tokens from them.
 */
#define KG_TRUST_UNLIMITED	(-1)	/* remaining_uses: no limit (NULL) */

struct kg_trust {
	char			 id[KG_ID_SIZE];
	char			 trustor_user_id[KG_ID_SIZE];
	char			 trustee_user_id[KG_ID_SIZE];
	char			 project_id[KG_ID_SIZE];	/* "": none */
	int			 impersonation;
	int64_t			 expires_at;		/* µs; 0: never */
	int64_t			 remaining_uses;	/* KG_TRUST_UNLIMITED or >= 0 */
	char			 redelegated_trust_id[KG_ID_SIZE];	/* "": none */
	int			 redelegation_count;
	char			*extra;			/* JSON object text; NULL: "{}" */
	struct kg_role_ref	*roles;			/* delegated, roles[nroles]; */
	size_t			 nroles;		/* ids only to create */
};

/* A role a trust-scoped token carries before Keystone's checks
 * (store_trust_effective_roles). */
struct kg_trust_role {
	struct kg_role_ref	ref;
	int			domain_specific;
};

/*
 * A Keystone revocation event, as stored and as GET /v3/OS-REVOKE/events
 * publishes it: it revokes the tokens every non-empty field matches (see
 * auth/revocation.h for the rule). Times in µs since the epoch.
 */
#define KG_REVOKE_AUDIT_SIZE	65	/* audit ids as events carry them (any client's) */

struct kg_revoke_event {
	int64_t	 id;				/* assigned by the store */
	char	 user_id[KG_ID_SIZE];		/* "" = any */
	char	 project_id[KG_ID_SIZE];
	char	 domain_id[KG_ID_SIZE];
	char	 role_id[KG_ID_SIZE];
	char	 audit_id[KG_REVOKE_AUDIT_SIZE];
	char	 audit_chain_id[KG_REVOKE_AUDIT_SIZE];
	char	 app_cred_id[KG_ID_SIZE];	/* tokens issued with this
						   application credential
						   (keygate's extension) */
	char	 trust_id[KG_ID_SIZE];		/* tokens of this trust (Keystone's
						   OS-TRUST:trust_id); keygate's
						   events carry the trustor's
						   user_id with it */
	int64_t	 expires_at;			/* 0 = any */
	int64_t	 issued_before;			/* tokens issued at or before it */
	int64_t	 revoked_at;
	int64_t	 revision;			/* store revision of the transaction
						   that wrote it; 0 = unknown (an
						   event from before revisions) */
};

#endif /* KG_TYPES_H */
